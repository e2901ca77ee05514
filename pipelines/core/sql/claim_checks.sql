-- claim_checks: every news figure and incident count set against the official series
-- that counts the same route, period and measure. A crossings figure is compared with the
-- series' sum over its period (Home Office daily arrivals for the English Channel; the
-- Interior Ministry's daily sea arrivals for Italy; IOM deaths tagged "English Channel
-- crossing" for Channel deaths), a change or ratio with the same computation over period
-- and baseline, a rank with the rank of the day's value among the daily values of the
-- rank period; an incident with the IOM record of the same route within one day in the
-- same country. The verdict applies the qualifier's rule: more_than >, at_least >=, about
-- within 10%, nearly below and within 10%, less_than <, up_to <=, exact equal (a round
-- figure within half a unit of its last non-zero digit, at most 5%; a percentage within
-- 1 point). Rules, tolerances and limits: pipelines/core/claim_checks.md (folded into the codebook).
-- The rules and mappings (macros) are in claim_rules.sql, run first.

WITH
-- Every series as one value per day. IOM records events, so its series is a calendar
-- over the file's whole span with 0 on days without a record. Only deaths IOM tags
-- "English Channel crossing" count: the route also holds road, lorry and camp deaths,
-- which news counts of people who died trying to cross do not.
iom_calendar AS (
    SELECT CAST(unnest(generate_series(min(incident_date), max(incident_date), INTERVAL 1 DAY)) AS DATE) AS day
    FROM iom_incidents
),
iom_crossing_deaths AS (
    SELECT incident_date AS day, sum(coalesce(dead, 0)) AS dead, sum(coalesce(dead_or_missing, 0)) AS dead_or_missing
    FROM iom_incidents
    WHERE route = 'english_channel' AND location_of_death LIKE '%English Channel crossing%'
    GROUP BY incident_date
),
official_days AS (
    SELECT 'uk_small_boat_arrivals_daily' AS series, 'migrants_arrived' AS series_field, date AS day,
           CAST(migrants_arrived AS DOUBLE) AS value
    FROM uk_small_boat_arrivals_daily
    UNION ALL
    SELECT 'uk_small_boat_arrivals_daily', 'boats_arrived', date, boats_arrived FROM uk_small_boat_arrivals_daily
    UNION ALL
    SELECT 'italy_sea_arrivals_daily', 'arrivals', date, arrivals FROM italy_sea_arrivals_daily
    UNION ALL
    SELECT 'iom_incidents', 'dead', day, coalesce(dead, 0) FROM iom_calendar LEFT JOIN iom_crossing_deaths USING (day)
    UNION ALL
    SELECT 'iom_incidents', 'dead_or_missing', day, coalesce(dead_or_missing, 0)
    FROM iom_calendar LEFT JOIN iom_crossing_deaths USING (day)
),
coverage AS (
    SELECT series, series_field, min(day) AS first_day, max(day) AS last_day
    FROM official_days WHERE value IS NOT NULL GROUP BY ALL
),

-- Each crossings figure with its series, if one counts it.
figures AS (
    SELECT
        c.*,
        CASE
            WHEN c.route = 'english_channel' AND coalesce(c.destination_country, 'GB') = 'GB' THEN 'english_channel'
            WHEN c.route = 'sea_arrivals_italy' AND coalesce(c.destination_country, 'IT') = 'IT' THEN 'italy'
            WHEN c.route = 'central_mediterranean' AND c.destination_country = 'IT' THEN 'italy'
        END AS area,
        regexp_replace(c.measure, '_(pct_change|ratio)$', '') AS base_measure,
        CASE WHEN c.measure LIKE '%\_pct\_change' ESCAPE '\' THEN 'pct'
             WHEN c.measure LIKE '%\_ratio' ESCAPE '\' THEN 'ratio' ELSE 'count' END AS kind,
        c.measure LIKE '%\_pct\_change' ESCAPE '\' OR c.measure LIKE '%\_ratio' ESCAPE '\' AS is_comparison,
        CAST(c.period_end - c.period_start + 1 AS BIGINT) AS period_length,
        CAST(c.baseline_end - c.baseline_start + 1 AS BIGINT) AS baseline_length
    FROM crossings c
),
matched AS (
    SELECT f.*, s.series, s.series_field, o.why AS other_measure, cov.first_day, cov.last_day
    FROM figures f
    LEFT JOIN series_for() s ON s.area = f.area AND s.measure = f.base_measure
    LEFT JOIN other_measures() o ON o.organisation_id = f.reported_by
    LEFT JOIN coverage cov ON cov.series = s.series AND cov.series_field = s.series_field
),
-- The series summed over each figure's period and baseline; *_days counts days with a value.
sums AS (
    SELECT
        m.crossing_id,
        sum(d.value) FILTER (WHERE d.day BETWEEN m.period_start AND m.period_end) AS period_sum,
        count(d.value) FILTER (WHERE d.day BETWEEN m.period_start AND m.period_end) AS period_days,
        sum(d.value) FILTER (WHERE d.day BETWEEN m.baseline_start AND m.baseline_end) AS baseline_sum,
        count(d.value) FILTER (WHERE d.day BETWEEN m.baseline_start AND m.baseline_end) AS baseline_days
    FROM matched m
    JOIN official_days d ON d.series = m.series AND d.series_field = m.series_field
        AND (d.day BETWEEN m.period_start AND m.period_end OR d.day BETWEEN m.baseline_start AND m.baseline_end)
    GROUP BY m.crossing_id
),
-- All deaths IOM records on the Channel route in the period, to say how many the tag leaves out.
iom_route_deaths AS (
    SELECT m.crossing_id, sum(coalesce(i.dead, 0)) AS dead, sum(coalesce(i.dead_or_missing, 0)) AS dead_or_missing
    FROM matched m
    JOIN iom_incidents i ON i.route = 'english_channel' AND i.incident_date BETWEEN m.period_start AND m.period_end
    WHERE m.series = 'iom_incidents'
    GROUP BY m.crossing_id
),
valued AS (
    SELECT
        m.*,
        s.period_sum, s.baseline_sum,
        coalesce(s.period_days, 0) = m.period_length AS period_complete,
        coalesce(s.baseline_days, 0) = m.baseline_length AS baseline_complete,
        r.dead AS route_dead, r.dead_or_missing AS route_dead_or_missing,
        claim_bounds(m.qualifier, m.value, m.kind) AS bounds
    FROM matched m
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
        period_start, period_end, value AS reported_value, qualifier AS reported_qualifier,
        official AS official_value, official - value AS difference,
        series, series_field,
        CASE WHEN series IS NOT NULL THEN period_start END AS series_period_start,
        CASE WHEN series IS NOT NULL THEN period_end END AS series_period_end,
        CASE WHEN series IS NOT NULL THEN baseline_start END AS series_baseline_start,
        CASE WHEN series IS NOT NULL THEN baseline_end END AS series_baseline_end,
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
            CASE WHEN series IS NOT NULL AND is_comparison AND baseline_start IS NULL THEN
                'The baseline of the change is unknown.' END,
            CASE WHEN series IS NOT NULL AND NOT period_complete THEN
                coalesce(printf('The series covers %s to %s, not the whole period.', first_day, last_day),
                         'The series has no values in this build.') END,
            CASE WHEN series IS NOT NULL AND baseline_start IS NOT NULL AND period_complete AND NOT baseline_complete THEN
                coalesce(printf('The series covers %s to %s, not the whole baseline.', first_day, last_day),
                         'The series has no values in this build.') END,
            CASE WHEN official IS NULL AND period_complete AND baseline_complete AND baseline_sum = 0 THEN
                'The baseline sum is 0.' END,
            CASE WHEN official IS NOT NULL AND is_comparison AND period_length <> baseline_length THEN
                printf('Period (%d days) and baseline (%d days) differ in length; their totals are compared as stated.',
                       period_length, baseline_length) END,
            CASE WHEN official IS NOT NULL AND area = 'italy' AND route = 'central_mediterranean' THEN
                'The series counts all sea arrivals to Italy, from any departure country.' END,
            CASE WHEN official IS NOT NULL AND series = 'iom_incidents' THEN
                printf('IOM records %s %s on the route in the period (roads, lorries and camps included); %s of '
                       || 'them are tagged "English Channel crossing", and only these are compared.',
                       num_text(CASE WHEN series_field = 'dead' THEN route_dead ELSE route_dead_or_missing END),
                       CASE WHEN series_field = 'dead' THEN 'deaths' ELSE 'dead or missing' END,
                       num_text(period_sum)) END
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
    FROM matched m
    JOIN official_days d ON d.series = m.series AND d.series_field = m.series_field
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
    FROM matched m LEFT JOIN rank_days r USING (crossing_id)
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
-- the incident's is known). Of several such records the nearest in date are kept; if they
-- disagree on the count, the check cannot say which one is the incident.
incident_fields AS (
    SELECT incident_id, 'dead' AS field, dead AS reported FROM incidents
    UNION ALL
    SELECT incident_id, 'missing', missing FROM incidents WHERE missing IS NOT NULL
    UNION ALL
    SELECT incident_id, 'survivors', survivors FROM incidents WHERE survivors IS NOT NULL
),
incident_sources AS (
    -- the source the merged incident takes the value from (rule of incidents.sql)
    SELECT
        f.incident_id, f.field,
        coalesce(
            arg_max(s.source_id, CAST(s.published_date AS VARCHAR) || s.source_id) FILTER (
                WHERE CASE f.field WHEN 'dead' THEN s.dead WHEN 'missing' THEN s.missing ELSE s.survivors END IS NOT NULL),
            arg_max(s.source_id, CAST(s.published_date AS VARCHAR) || s.source_id)) AS source_id
    FROM incident_fields f JOIN stg_incidents s USING (incident_id)
    GROUP BY ALL
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
        count(CASE f.field WHEN 'dead' THEN k.dead WHEN 'missing' THEN k.missing ELSE k.survivors END) AS with_value,
        count(DISTINCT CASE f.field WHEN 'dead' THEN k.dead WHEN 'missing' THEN k.missing ELSE k.survivors END) AS distinct_values,
        min(CASE f.field WHEN 'dead' THEN k.dead WHEN 'missing' THEN k.missing ELSE k.survivors END) AS iom_value,
        string_agg(k.iom_id, '; ' ORDER BY k.iom_id) AS iom_ids,
        string_agg(printf('%s, %s', k.incident_date, k.location_of_death), '; ' ORDER BY k.iom_id) AS iom_places
    FROM incident_fields f LEFT JOIN candidates k USING (incident_id)
    GROUP BY ALL
),
incident_checks AS (
    SELECT
        n.*, m.field, m.reported, m.matches, m.iom_ids, m.iom_places,
        CASE WHEN m.matches > 0 AND m.with_value = m.matches AND m.distinct_values = 1 THEN m.iom_value END AS official,
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
            WHEN c.official IS NULL OR c.reported IS NULL OR NOT c.iom_route OR c.date_precision <> 'day'
                THEN 'not_checkable'
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
            WHEN c.official IS NULL AND c.matches = 1 THEN 'The IOM record (' || c.iom_places || ') gives no number.'
            WHEN c.official IS NULL THEN printf('%d IOM records match (%s) and do not all give the same number.',
                                                c.matches, c.iom_places)
            WHEN c.matches > 1 THEN printf('%d IOM records match and give the same count: %s.', c.matches, c.iom_places)
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
