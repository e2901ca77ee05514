-- claim_checks: every news figure and incident count set against the official series
-- that counts the same route, period and measure. A crossings figure is compared with the
-- series' sum over the check's period (Home Office daily arrivals for the English Channel;
-- the Interior Ministry's daily sea arrivals for Italy; IOM's deaths of people who died
-- crossing the Channel, by IOM's cause and location of death; Frontex's monthly detections
-- for a figure attributed to Frontex), a change or ratio with the same computation over
-- period and baseline, a rank with the rank of the day's value among the daily values of
-- the rank period; an incident with the IOM records of the same route within one day in
-- the same country. The check's period is the record's, except where a rule fixed from the
-- series' definitions says otherwise (period_rule): a baseline year against part of a year
-- is the same calendar days of that year; a Frontex figure covers the whole months Frontex
-- had published by the publication date, against the same months of the year before. The
-- verdict applies the qualifier's rule: more_than >, at_least >=, about within 10%, nearly
-- below and within 10%, less_than <, up_to <=, exact equal (a round figure within half a
-- unit of its last non-zero digit, at most 5%; a percentage within 1 point); an incident
-- matched with several IOM records that differ is ambiguous. Rules, tolerances and limits:
-- pipelines/core/claim_checks.md (folded into the codebook). The rules and mappings
-- (macros) are in claim_rules.sql, run first.

WITH
-- Every series as one value per day (a daily series) or per month (its first day; a
-- monthly series), for each area it covers. IOM records events, so its series is a
-- calendar over the file's whole span with 0 on days without a record; only deaths of
-- people who died crossing the Channel count (died_crossing_channel). Frontex's file has
-- a row per route, border type, nationality and month: a route's month is the sum of its
-- rows, 0 without rows within the file's span, null if a row's count is unknown.
iom_calendar AS (
    SELECT CAST(unnest(generate_series(min(incident_date), max(incident_date), INTERVAL 1 DAY)) AS DATE) AS day
    FROM iom_incidents
),
iom_crossing_deaths AS (
    SELECT incident_date AS day, sum(coalesce(dead, 0)) AS dead, sum(coalesce(dead_or_missing, 0)) AS dead_or_missing
    FROM iom_incidents
    WHERE route = 'english_channel' AND died_crossing_channel(cause_of_death, location_of_death)
    GROUP BY incident_date
),
frontex_calendar AS (
    SELECT CAST(unnest(generate_series(min(month), max(month), INTERVAL 1 MONTH)) AS DATE) AS day
    FROM frontex_detections
),
frontex_areas AS (
    SELECT DISTINCT area FROM series_for() WHERE series = 'frontex_detections'
),
frontex_area_months AS (
    SELECT a.area, f.month AS day,
           CASE WHEN count(*) = count(f.detections) THEN sum(f.detections) END AS detections
    FROM frontex_areas a
    JOIN frontex_detections f ON a.area = 'all_eu_external_borders' OR f.route = a.area
    GROUP BY ALL
),
official_days AS (
    SELECT 'english_channel' AS area, 'uk_small_boat_arrivals_daily' AS series, 'migrants_arrived' AS series_field,
           date AS day, CAST(migrants_arrived AS DOUBLE) AS value
    FROM uk_small_boat_arrivals_daily
    UNION ALL
    SELECT 'english_channel', 'uk_small_boat_arrivals_daily', 'boats_arrived', date, boats_arrived
    FROM uk_small_boat_arrivals_daily
    UNION ALL
    SELECT 'italy', 'italy_sea_arrivals_daily', 'arrivals', date, arrivals FROM italy_sea_arrivals_daily
    UNION ALL
    SELECT 'english_channel', 'iom_incidents', 'dead', day, coalesce(dead, 0)
    FROM iom_calendar LEFT JOIN iom_crossing_deaths USING (day)
    UNION ALL
    SELECT 'english_channel', 'iom_incidents', 'dead_or_missing', day, coalesce(dead_or_missing, 0)
    FROM iom_calendar LEFT JOIN iom_crossing_deaths USING (day)
    UNION ALL
    SELECT a.area, 'frontex_detections', 'detections', c.day,
           CASE WHEN m.day IS NULL THEN 0 ELSE m.detections END
    FROM frontex_calendar c CROSS JOIN frontex_areas a LEFT JOIN frontex_area_months m USING (area, day)
),
coverage AS (
    SELECT area, series, series_field, min(day) AS first_day, max(day) AS last_day
    FROM official_days WHERE value IS NOT NULL GROUP BY ALL
),

-- Each crossings figure with its series, if one counts it: the publisher's own series
-- first (a Frontex figure with Frontex's), else the series of the area, which may count
-- something else than the publisher (different_measure).
figures AS (
    SELECT
        c.*,
        src.published_date,
        CASE
            WHEN c.route = 'english_channel' AND coalesce(c.destination_country, 'GB') = 'GB' THEN 'english_channel'
            WHEN c.route = 'sea_arrivals_italy' AND coalesce(c.destination_country, 'IT') = 'IT' THEN 'italy'
            WHEN c.route = 'central_mediterranean' AND c.destination_country = 'IT' THEN 'italy'
            WHEN c.destination_country IS NULL THEN c.route
        END AS area,
        regexp_replace(c.measure, '_(pct_change|ratio)$', '') AS base_measure,
        CASE WHEN c.measure LIKE '%\_pct\_change' ESCAPE '\' THEN 'pct'
             WHEN c.measure LIKE '%\_ratio' ESCAPE '\' THEN 'ratio' ELSE 'count' END AS kind,
        c.measure LIKE '%\_pct\_change' ESCAPE '\' OR c.measure LIKE '%\_ratio' ESCAPE '\' AS is_comparison
    FROM crossings c
    LEFT JOIN sources src USING (source_id)
),
-- (The series is chosen on the figure's id and keys alone, then joined to the whole row:
-- choosing among whole rows made DuckDB carry every column through the choice.)
chosen_series AS (
    SELECT f.crossing_id, s.series, s.series_field, s.unit, s.release_day, s.publisher
    FROM figures f
    JOIN series_for() s ON s.area = f.area AND s.measure = f.base_measure
        AND (s.publisher IS NULL OR s.publisher = f.reported_by)
    QUALIFY row_number() OVER (PARTITION BY f.crossing_id ORDER BY s.publisher NULLS LAST) = 1
),
matched AS (
    SELECT f.*, s.series, s.series_field, s.unit, s.release_day, s.publisher,
           CASE WHEN s.publisher IS DISTINCT FROM f.reported_by THEN o.why END AS other_measure
    FROM figures f
    LEFT JOIN chosen_series s USING (crossing_id)
    LEFT JOIN other_measures() o ON o.organisation_id = f.reported_by
),

-- The period and baseline the check uses (period_rule says which rule set them):
-- - publisher_months: a monthly series publishes whole months only. The record's period
--   is used when it is whole months the publisher had published by the publication date;
--   otherwise (no period, part of a month, or months not yet published) the check takes
--   January to the last month published, of that month's year. The baseline is the same
--   months of the record's baseline year, or of the year before when the record has none
--   (as Frontex's own press releases compare).
-- - same_days_of_baseline_year: a baseline stated as a whole year ("since 2022") against
--   part of a year is the same calendar days of the baseline year.
-- - as_recorded: the record's period and baseline.
publisher_periods AS (
    SELECT
        *,
        last_month_published(published_date, release_day) AS last_published,
        coalesce(whole_months(period_start, period_end)
                 AND period_end <= last_day(last_month_published(published_date, release_day)), false)
            AS period_as_recorded
    FROM matched
),
check_periods AS (
    SELECT
        *,
        CASE
            WHEN unit = 'month' THEN 'publisher_months'
            WHEN is_comparison AND year_against_part_of_year(period_start, period_end, baseline_start, baseline_end)
                THEN 'same_days_of_baseline_year'
            ELSE 'as_recorded'
        END AS period_rule,
        CASE WHEN unit = 'month' AND NOT period_as_recorded THEN make_date(year(last_published), 1, 1)
             ELSE period_start END AS check_start,
        CASE WHEN unit = 'month' AND NOT period_as_recorded THEN last_day(last_published)
             ELSE period_end END AS check_end
    FROM publisher_periods
),
check_baselines AS (
    SELECT
        *,
        CASE
            WHEN NOT is_comparison THEN NULL
            WHEN unit = 'month' AND baseline_start IS NULL THEN years_earlier(check_start, 1)
            WHEN unit = 'month' OR period_rule = 'same_days_of_baseline_year'
                THEN years_earlier(check_start, year(check_start) - year(baseline_start))
            ELSE baseline_start
        END AS check_baseline_start,
        CASE
            WHEN NOT is_comparison THEN NULL
            WHEN unit = 'month' AND baseline_start IS NULL THEN last_day(years_earlier(check_end, 1))
            WHEN unit = 'month' THEN last_day(years_earlier(check_end, year(check_end) - year(baseline_start)))
            WHEN period_rule = 'same_days_of_baseline_year'
                THEN years_earlier(check_end, year(check_end) - year(baseline_start))
            ELSE baseline_end
        END AS check_baseline_end
    FROM check_periods
),
-- How many values of the series each period needs: days, or months.
periods AS (
    SELECT
        m.*, cov.first_day, cov.last_day,
        CASE WHEN unit = 'month' THEN date_diff('month', check_start, check_end) + 1
             ELSE CAST(check_end - check_start + 1 AS BIGINT) END AS period_length,
        CASE WHEN unit = 'month' THEN date_diff('month', check_baseline_start, check_baseline_end) + 1
             ELSE CAST(check_baseline_end - check_baseline_start + 1 AS BIGINT) END AS baseline_length
    FROM check_baselines m
    LEFT JOIN coverage cov ON cov.area = m.area AND cov.series = m.series AND cov.series_field = m.series_field
),
-- The series summed over each check's period and baseline; *_values counts values present.
-- From running totals: a range's sum is the total up to its last day less the total before
-- its first day (looked up with ASOF joins), so each figure reads four rows of its series,
-- not every day of its period. The values are counts, so the sums are exact. A range
-- without a value (or without both bounds) has 0 values and a null sum.
running AS (
    SELECT area, series, series_field, day,
           coalesce(sum(value) OVER upto, 0) AS total, count(value) OVER upto AS n_values
    FROM official_days
    WINDOW upto AS (PARTITION BY area, series, series_field ORDER BY day ROWS UNBOUNDED PRECEDING)
),
range_totals AS (
    SELECT
        m.crossing_id,
        CASE WHEN m.check_start <= m.check_end THEN coalesce(pe.total, 0) - coalesce(ps.total, 0) END AS period_total,
        CASE WHEN m.check_start <= m.check_end THEN coalesce(pe.n_values, 0) - coalesce(ps.n_values, 0) ELSE 0 END
            AS period_values,
        CASE WHEN m.check_baseline_start <= m.check_baseline_end THEN coalesce(be.total, 0) - coalesce(bs.total, 0) END
            AS baseline_total,
        CASE WHEN m.check_baseline_start <= m.check_baseline_end
             THEN coalesce(be.n_values, 0) - coalesce(bs.n_values, 0) ELSE 0 END AS baseline_values
    FROM (SELECT crossing_id, area, series, series_field, check_start, check_end, check_baseline_start,
                 check_baseline_end
          FROM periods WHERE series IS NOT NULL) AS m
    ASOF LEFT JOIN running pe ON pe.area = m.area AND pe.series = m.series AND pe.series_field = m.series_field
        AND pe.day <= m.check_end
    ASOF LEFT JOIN running ps ON ps.area = m.area AND ps.series = m.series AND ps.series_field = m.series_field
        AND ps.day < m.check_start
    ASOF LEFT JOIN running be ON be.area = m.area AND be.series = m.series AND be.series_field = m.series_field
        AND be.day <= m.check_baseline_end
    ASOF LEFT JOIN running bs ON bs.area = m.area AND bs.series = m.series AND bs.series_field = m.series_field
        AND bs.day < m.check_baseline_start
),
sums AS (
    SELECT crossing_id,
           CASE WHEN period_values > 0 THEN period_total END AS period_sum, period_values,
           CASE WHEN baseline_values > 0 THEN baseline_total END AS baseline_sum, baseline_values
    FROM range_totals
),
-- All deaths IOM records on the Channel route in the period: the route total beside the
-- subset of people who died crossing.
iom_route_deaths AS (
    SELECT m.crossing_id, sum(coalesce(i.dead, 0)) AS dead, sum(coalesce(i.dead_or_missing, 0)) AS dead_or_missing,
        -- the count by IOM's location tag alone, whatever the cause: shown in the note, so a
        -- reader sees how much the verdict depends on the definition
        sum(CASE WHEN iom_channel_crossing_tag(i.location_of_death) THEN coalesce(i.dead, 0) ELSE 0 END) AS tagged_dead,
        sum(CASE WHEN iom_channel_crossing_tag(i.location_of_death) THEN coalesce(i.dead_or_missing, 0) ELSE 0 END)
            AS tagged_dead_or_missing
    FROM periods m
    JOIN iom_incidents i ON i.route = 'english_channel' AND i.incident_date BETWEEN m.check_start AND m.check_end
    WHERE m.series = 'iom_incidents'
    GROUP BY m.crossing_id
),
valued AS (
    SELECT
        m.*,
        s.period_sum, s.baseline_sum,
        coalesce(s.period_values, 0) = m.period_length AS period_complete,
        coalesce(s.baseline_values, 0) = m.baseline_length AS baseline_complete,
        CASE WHEN m.series_field = 'dead' THEN r.dead ELSE r.dead_or_missing END AS route_total,
        CASE WHEN m.series_field = 'dead' THEN r.tagged_dead ELSE r.tagged_dead_or_missing END AS tagged_total,
        claim_bounds(m.qualifier, m.value, m.kind) AS bounds
    FROM periods m
    LEFT JOIN sums s USING (crossing_id)
    LEFT JOIN iom_route_deaths r USING (crossing_id)
),
value_checks AS (
    SELECT
        *,
        CASE
            WHEN NOT period_complete THEN NULL
            WHEN NOT is_comparison THEN period_sum
            WHEN NOT baseline_complete OR baseline_sum = 0 THEN NULL
            WHEN kind = 'pct' THEN round(100 * (period_sum / baseline_sum - 1), 2)
            ELSE round(period_sum / baseline_sum, 3)
        END AS official
    FROM valued
),
crossing_value_rows AS (
    SELECT
        'crossings' AS table_name, crossing_id AS record_id, 'value' AS field, source_id, route, measure,
        period_start, period_end, baseline_start, baseline_end, value AS reported_value,
        qualifier AS reported_qualifier, official AS official_value,
        round(official - value, measure_decimals(kind)) AS difference,
        CASE WHEN series = 'iom_incidents' AND official IS NOT NULL THEN CAST(route_total AS DOUBLE) END
            AS official_route_total,
        series, series_field,
        CASE WHEN series IS NOT NULL THEN period_rule END AS period_rule,
        CASE WHEN series IS NOT NULL THEN check_start END AS series_period_start,
        CASE WHEN series IS NOT NULL THEN check_end END AS series_period_end,
        CASE WHEN series IS NOT NULL THEN check_baseline_start END AS series_baseline_start,
        CASE WHEN series IS NOT NULL THEN check_baseline_end END AS series_baseline_end,
        CAST(NULL AS VARCHAR) AS series_records,
        CASE WHEN official IS NOT NULL AND other_measure IS NULL THEN rule_text(bounds) END AS rule,
        CASE
            WHEN series IS NULL THEN 'not_checkable'
            WHEN other_measure IS NOT NULL THEN 'different_measure'
            WHEN official IS NULL THEN 'not_checkable'
            WHEN within(official, bounds) THEN 'consistent'
            ELSE 'inconsistent'
        END AS verdict,
        nullif(concat_ws(' ',
            CASE WHEN series IS NULL THEN
                'No official series in this dataset counts ' || base_measure || ' on route ' || route
                || coalesce(' to ' || destination_country, '') || '.' END,
            CASE WHEN series IS NOT NULL THEN other_measure END,
            CASE WHEN series IS NOT NULL AND check_start IS NULL THEN 'The period is unknown.' END,
            CASE WHEN series IS NOT NULL AND is_comparison AND check_baseline_start IS NULL THEN
                'The baseline of the change is unknown.' END,
            CASE WHEN series IS NOT NULL AND check_start IS NOT NULL AND NOT period_complete THEN
                coalesce(printf('The series covers %s to %s, not the whole period.', first_day, last_day),
                         'The series has no values in this build.') END,
            CASE WHEN series IS NOT NULL AND check_baseline_start IS NOT NULL AND period_complete
                      AND NOT baseline_complete THEN
                coalesce(printf('The series covers %s to %s, not the whole baseline.', first_day, last_day),
                         'The series has no values in this build.') END,
            CASE WHEN official IS NULL AND period_complete AND baseline_complete AND baseline_sum = 0 THEN
                'The baseline sum is 0.' END,
            CASE WHEN series IS NOT NULL AND period_rule = 'same_days_of_baseline_year' THEN
                printf('The record''s baseline is the whole of %d; the rule compares the same calendar days, '
                       || '%s to %s.', year(baseline_start), check_baseline_start, check_baseline_end) END,
            CASE WHEN official IS NOT NULL AND period_rule = 'as_recorded' AND is_comparison
                      AND period_length <> baseline_length THEN
                printf('Period (%d days) and baseline (%d days) differ in length; their totals are compared as stated.',
                       period_length, baseline_length) END,
            CASE WHEN series = 'frontex_detections' AND other_measure IS NULL THEN
                printf('Frontex publishes whole months, each from about the %dth of the next month: by %s it had '
                       || 'published %s to %s%s. The check compares these months%s.'
                       || ' Detections, not people: a person detected twice counts twice. Frontex revises past months;'
                       || ' the file is as of 3 June 2025, so the figures of the day may have differed.'
                       || ' Source: Frontex, migratory map data as of 3 June 2025.',
                       release_day, published_date, strftime(make_date(year(last_published), 1, 1), '%B %Y'),
                       strftime(last_published, '%B %Y'),
                       CASE WHEN period_as_recorded THEN ' (the record''s period)' ELSE '' END,
                       CASE WHEN NOT is_comparison THEN ''
                            ELSE printf(' with %s to %s', strftime(check_baseline_start, '%B %Y'),
                                        strftime(check_baseline_end, '%B %Y')) END) END,
            CASE WHEN series = 'frontex_detections' AND area = 'all_eu_external_borders' THEN
                'All external borders: the sum over every Frontex route.' END,
            CASE WHEN official IS NOT NULL AND area = 'italy' AND route = 'central_mediterranean' THEN
                'The series counts all sea arrivals to Italy, from any departure country.' END,
            CASE WHEN official IS NOT NULL AND series = 'iom_incidents' THEN
                printf('IOM records %s %s on the route in the period (roads, lorries and camps included); %s of '
                       || 'them died crossing the Channel by IOM''s cause and location of death, and only these '
                       || 'are compared (official_route_total has the route total). IOM''s location tag '
                       || '"English Channel crossing" alone, whatever the cause, gives %s.',
                       num_text(route_total),
                       CASE WHEN series_field = 'dead' THEN 'deaths' ELSE 'dead or missing' END,
                       num_text(period_sum), num_text(tagged_total)) END
        ), '') AS note
    FROM value_checks
),

-- A rank ("the second-highest figure since the start of the year") is the rank of the
-- day's official value among the series' daily values of the rank period, 1 = highest.
-- Tied days share ranks: the claim holds if it names any rank of the tie.
rank_days AS (
    SELECT
        m.crossing_id,
        any_value(d.value) FILTER (WHERE d.day = m.period_start) AS day_value,
        count(d.value) AS days,
        list(d.day ORDER BY d.value DESC, d.day) AS days_by_value,
        list(d.value ORDER BY d.value DESC, d.day) AS values_by_value
    FROM periods m
    JOIN official_days d ON d.area = m.area AND d.series = m.series AND d.series_field = m.series_field
        AND d.day BETWEEN m.rank_period_start AND m.rank_period_end
    WHERE m.rank IS NOT NULL
    GROUP BY m.crossing_id
),
ranked AS (
    SELECT
        m.*, r.day_value, r.days,
        coalesce(r.days, 0) = CAST(m.rank_period_end - m.rank_period_start + 1 AS BIGINT) AS rank_period_complete,
        length(list_filter(r.values_by_value, lambda v: v > r.day_value)) + 1 AS best_rank,
        length(list_filter(r.values_by_value, lambda v: v >= r.day_value)) AS worst_rank,
        list_transform(list_zip(r.days_by_value, r.values_by_value)[1:3],
                       lambda p: printf('%s (%s)', p[1], num_text(p[2]))) AS top_days
    FROM periods m LEFT JOIN rank_days r USING (crossing_id)
    WHERE m.rank IS NOT NULL
),
crossing_rank_rows AS (
    SELECT
        'crossings' AS table_name, crossing_id AS record_id, 'rank' AS field, source_id, route, measure,
        period_start, period_end, CAST(rank AS DOUBLE) AS reported_value, 'exact' AS reported_qualifier,
        CASE WHEN checkable THEN CAST(best_rank AS DOUBLE) END AS official_value,
        CASE WHEN checkable THEN CAST(best_rank - rank AS DOUBLE) END AS difference,
        series, series_field,
        CASE WHEN series IS NOT NULL THEN rank_period_start END AS series_period_start,
        CASE WHEN series IS NOT NULL THEN rank_period_end END AS series_period_end,
        CAST(NULL AS DATE) AS series_baseline_start, CAST(NULL AS DATE) AS series_baseline_end,
        CAST(NULL AS VARCHAR) AS series_records,
        CASE WHEN series IS NOT NULL THEN 'as_recorded' END AS period_rule,
        CASE WHEN checkable THEN
            CASE WHEN best_rank = worst_rank THEN printf('official rank = %d', best_rank)
                 ELSE printf('%d <= rank <= %d (tied days)', best_rank, worst_rank) END
        END AS rule,
        CASE
            WHEN series IS NULL THEN 'not_checkable'
            WHEN other_measure IS NOT NULL THEN 'different_measure'
            WHEN NOT checkable THEN 'not_checkable'
            WHEN rank BETWEEN best_rank AND worst_rank THEN 'consistent'
            ELSE 'inconsistent'
        END AS verdict,
        nullif(concat_ws(' ',
            CASE WHEN series IS NULL THEN 'No official series in this dataset counts ' || base_measure
                || ' on route ' || route || coalesce(' to ' || destination_country, '') || '.' END,
            CASE WHEN series IS NOT NULL THEN other_measure END,
            CASE WHEN series IS NOT NULL AND period_start <> period_end THEN
                'Only the rank of a single day''s figure is checked.' END,
            CASE WHEN series IS NOT NULL AND period_start = period_end AND NOT rank_period_complete THEN
                coalesce(printf('The series covers %s to %s, not the whole rank period.', first_day, last_day),
                         'The series has no values in this build.') END,
            CASE WHEN checkable THEN
                printf('%s on %s among %d days; the highest: %s.', num_text(day_value), period_start, days,
                       array_to_string(top_days, ', ')) END
        ), '') AS note
    FROM (
        SELECT *, series IS NOT NULL AND period_start = period_end AND rank_period_complete
                  AND day_value IS NOT NULL AS checkable
        FROM ranked
    )
),

-- Incidents: the dead always, missing and survivors when a source reports them, each
-- compared with the IOM record of the same route within a day (in the same country when
-- the incident's is known). Of several such records the nearest in date are kept; unless
-- they agree on every compared field (date, location of death, dead, missing, survivors),
-- they are different records and the check cannot say which one is the incident: ambiguous.
incident_fields AS (
    SELECT incident_id, 'dead' AS field, dead AS reported FROM incidents
    UNION ALL
    SELECT incident_id, 'missing', missing FROM incidents WHERE missing IS NOT NULL
    UNION ALL
    SELECT incident_id, 'survivors', survivors FROM incidents WHERE survivors IS NOT NULL
),
incident_sources AS (
    -- the source the merged incident takes the value from: its only source, or, for an
    -- incident several sources report, the one value_sources names; for a count none of
    -- them gives, the source of the incident's date, which every source gives: the
    -- incident's first-ranked source
    SELECT f.incident_id, f.field, coalesce(given.source_id, dated.source_id, single.source_id) AS source_id
    FROM incident_fields f
    LEFT JOIN value_sources AS given
      ON given.table_name = 'incidents' AND given.record_id = f.incident_id AND given.field = f.field
    LEFT JOIN value_sources AS dated
      ON dated.table_name = 'incidents' AND dated.record_id = f.incident_id AND dated.field = 'date'
    LEFT JOIN (SELECT incident_id, min(source_id) AS source_id FROM stg_incidents
               GROUP BY incident_id HAVING count(*) = 1) AS single
      ON single.incident_id = f.incident_id
),
candidates AS (
    SELECT
        n.incident_id, i.incident_id AS iom_id, i.incident_date, i.location_of_death,
        i.dead, i.missing, i.survivors,
        abs(i.incident_date - n.date) AS days_apart
    FROM incidents n
    JOIN iom_incidents i ON i.route = n.route AND i.incident_date BETWEEN n.date - 1 AND n.date + 1
    WHERE n.date_precision = 'day' AND coalesce(i.incident_date_precision, 'day') = 'day'
      -- IOM's Country of Incident is one of the country's names, and may add a comment
      -- after it ("Libya - presumed departure on 12-14 April"). EXISTS, not a join: a
      -- country has several names ("Syria", "Syrian Arab Republic") that may all match.
      AND (n.country IS NULL OR EXISTS (
          SELECT 1 FROM country_names c
          WHERE c.country = n.country AND starts_with(i.country_of_incident, c.name)))
    QUALIFY days_apart = min(days_apart) OVER (PARTITION BY n.incident_id)
),
incident_matches AS (
    SELECT
        f.incident_id, f.field, f.reported,
        count(k.iom_id) AS matches,
        count(DISTINCT {'date': k.incident_date, 'location': k.location_of_death, 'dead': k.dead,
                        'missing': k.missing, 'survivors': k.survivors}) FILTER (WHERE k.iom_id IS NOT NULL)
            AS distinct_records,
        count(CASE f.field WHEN 'dead' THEN k.dead WHEN 'missing' THEN k.missing ELSE k.survivors END) AS with_value,
        min(CASE f.field WHEN 'dead' THEN k.dead WHEN 'missing' THEN k.missing ELSE k.survivors END) AS iom_value,
        string_agg(k.iom_id, '; ' ORDER BY k.iom_id) AS iom_ids,
        string_agg(printf('%s, %s', k.incident_date, k.location_of_death), '; ' ORDER BY k.iom_id) AS iom_places
    FROM incident_fields f LEFT JOIN candidates k USING (incident_id)
    GROUP BY ALL
),
incident_checks AS (
    SELECT
        n.*, m.field, m.reported, m.matches, m.iom_ids, m.iom_places,
        m.distinct_records > 1 AS ambiguous,
        CASE WHEN m.matches > 0 AND m.with_value = m.matches AND m.distinct_records = 1 THEN m.iom_value END AS official,
        n.route IN (SELECT route FROM iom_incidents) AS iom_route,
        n.date BETWEEN (SELECT min(incident_date) FROM iom_incidents) AND (SELECT max(incident_date) FROM iom_incidents)
            AS in_span,
        claim_bounds('exact', CAST(m.reported AS DOUBLE), 'count') AS bounds
    FROM incidents n JOIN incident_matches m USING (incident_id)
),
incident_rows AS (
    SELECT
        'incidents' AS table_name, c.incident_id AS record_id, c.field, s.source_id, c.route, c.field AS measure,
        c.date AS period_start, c.date AS period_end, CAST(c.reported AS DOUBLE) AS reported_value,
        'exact' AS reported_qualifier, CAST(c.official AS DOUBLE) AS official_value,
        CAST(c.official - c.reported AS DOUBLE) AS difference,
        CASE WHEN c.iom_route THEN 'iom_incidents' END AS series,
        CASE WHEN c.iom_route THEN c.field END AS series_field,
        CASE WHEN c.iom_route THEN c.date - 1 END AS series_period_start,
        CASE WHEN c.iom_route THEN c.date + 1 END AS series_period_end,
        CAST(NULL AS DATE) AS series_baseline_start, CAST(NULL AS DATE) AS series_baseline_end,
        c.iom_ids AS series_records,
        CASE WHEN c.official IS NOT NULL AND c.reported IS NOT NULL THEN rule_text(c.bounds) END AS rule,
        CASE
            WHEN NOT coalesce(c.iom_route, false) OR c.date_precision <> 'day' OR c.reported IS NULL THEN 'not_checkable'
            WHEN c.ambiguous THEN 'ambiguous'
            WHEN c.official IS NULL THEN 'not_checkable'
            WHEN within(c.official, c.bounds) THEN 'consistent'
            ELSE 'inconsistent'
        END AS verdict,
        CASE
            WHEN NOT coalesce(c.iom_route, false) THEN 'IOM records no incidents on this route.'
            WHEN c.date_precision <> 'day' THEN 'The date is known only to the ' || c.date_precision || '.'
            WHEN NOT c.in_span THEN 'The date is outside the span of the IOM file.'
            WHEN c.reported IS NULL THEN 'The sources give no number.'
            WHEN c.matches = 0 THEN 'IOM has no record on this route within a day'
                || CASE WHEN c.country IS NOT NULL THEN ' in ' || c.country ELSE '' END || '.'
            WHEN c.ambiguous THEN printf('%d IOM records match (%s): %s. They differ in date, place or counts, so '
                                         || 'the check cannot tell which one is the incident.',
                                         c.matches, c.iom_ids, c.iom_places)
            WHEN c.official IS NULL AND c.matches = 1 THEN 'The IOM record (' || c.iom_places || ') gives no number.'
            WHEN c.official IS NULL THEN printf('%d IOM records match (%s) and give no number: %s.',
                                                c.matches, c.iom_ids, c.iom_places)
            WHEN c.matches > 1 THEN printf('%d IOM records match (%s) and agree on date, place and counts: %s.',
                                           c.matches, c.iom_ids, c.iom_places)
            ELSE 'IOM record: ' || c.iom_places || '.'
        END AS note
    FROM incident_checks c JOIN incident_sources s USING (incident_id, field)
)

SELECT * FROM crossing_value_rows
UNION ALL BY NAME
SELECT * FROM crossing_rank_rows
UNION ALL BY NAME
SELECT * FROM incident_rows
ORDER BY table_name, record_id, field
