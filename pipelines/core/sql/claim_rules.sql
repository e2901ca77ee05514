-- claim_rules: the rules of claim_checks, run before claim_checks.sql. The qualifier rules
-- (which official values bear out a reported value) and the mappings (which series counts
-- which route and measure; whose figures count something else). IOM's country names are
-- matched with the table country_names (pipelines/reference/countries.py), not here.
-- Tolerances: about and nearly 10% (at least 1 point for a percentage change); exact
-- equal, a round figure within half a unit of its last non-zero digit but at most 5%, a
-- percentage change within 1 point. pipelines/core/claim_checks.md (folded into the codebook) explains them.

-- Half a unit of the last non-zero digit of m (70000 -> 10000, 292 -> 1, 2.5 -> 0.1).
CREATE OR REPLACE TEMP MACRO rounding_unit(m) AS CASE
    WHEN m = 0 THEN 1
    WHEN m = round(m) THEN 10 ^ (length(CAST(CAST(m AS BIGINT) AS VARCHAR))
                                 - length(rtrim(CAST(CAST(m AS BIGINT) AS VARCHAR), '0')))
    ELSE 10 ^ (-length(split_part(CAST(m AS VARCHAR), '.', 2)))
END;

-- How far from the reported magnitude m the official value may be under qualifier q;
-- kind is 'count', 'pct' (a percentage change) or 'ratio'.
CREATE OR REPLACE TEMP MACRO claim_slack(q, m, kind) AS round(CASE
    WHEN q = 'exact' AND kind = 'pct' THEN 1.0                    -- a change rounded to whole per cent
    WHEN q = 'exact' THEN least(0.05 * m, rounding_unit(m) / 2)   -- a round figure may be rounded, a little
    WHEN kind = 'pct' THEN greatest(0.10 * m, 1.0)                -- about, nearly: 10%, at least 1 point
    ELSE 0.10 * m                                                 -- about, nearly: 10%
END, 6);

-- The official values that bear out a reported magnitude m: {lo, lo_open, hi, hi_open};
-- a null bound is open-ended. Only `exact`, `about` and `nearly` use the slack. Counts
-- are whole numbers, so their closed bounds are too (exact 7 is "official = 7").
CREATE OR REPLACE TEMP MACRO magnitude_bounds(q, m, slack, whole) AS CASE q
    WHEN 'more_than' THEN {'lo': m, 'lo_open': true, 'hi': CAST(NULL AS DOUBLE), 'hi_open': false}
    WHEN 'at_least' THEN {'lo': m, 'lo_open': false, 'hi': CAST(NULL AS DOUBLE), 'hi_open': false}
    WHEN 'less_than' THEN {'lo': CAST(NULL AS DOUBLE), 'lo_open': false, 'hi': m, 'hi_open': true}
    WHEN 'up_to' THEN {'lo': CAST(NULL AS DOUBLE), 'lo_open': false, 'hi': m, 'hi_open': false}
    WHEN 'nearly' THEN {'lo': CASE WHEN whole THEN ceil(m - slack) ELSE round(m - slack, 6) END,
                        'lo_open': false, 'hi': m, 'hi_open': true}
    ELSE {'lo': CASE WHEN whole THEN ceil(m - slack) ELSE round(m - slack, 6) END, 'lo_open': false,
          'hi': CASE WHEN whole THEN floor(m + slack) ELSE round(m + slack, 6) END, 'hi_open': false}
END;

-- Qualifiers speak of size: "a drop of more than 60 per cent" (value -60) is borne out by
-- -65, not by -50. So bounds are worked out on |r| and mirrored when r is negative.
CREATE OR REPLACE TEMP MACRO mirrored(b, negative) AS CASE WHEN negative
    THEN {'lo': -b['hi'], 'lo_open': b['hi_open'], 'hi': -b['lo'], 'hi_open': b['lo_open']}
    ELSE b END;

CREATE OR REPLACE TEMP MACRO claim_bounds(q, r, kind) AS
    mirrored(magnitude_bounds(q, abs(r), claim_slack(q, abs(r), kind), kind = 'count' AND r = round(r)), r < 0);

CREATE OR REPLACE TEMP MACRO within(o, b) AS
    (b['lo'] IS NULL OR o > b['lo'] OR (o = b['lo'] AND NOT b['lo_open']))
    AND (b['hi'] IS NULL OR o < b['hi'] OR (o = b['hi'] AND NOT b['hi_open']));

CREATE OR REPLACE TEMP MACRO num_text(x) AS CASE WHEN x = round(x)
    THEN CAST(CAST(round(x) AS BIGINT) AS VARCHAR) ELSE CAST(round(x, 6) AS VARCHAR) END;

CREATE OR REPLACE TEMP MACRO rule_text(b) AS CASE
    WHEN b['hi'] IS NULL THEN 'official ' || CASE WHEN b['lo_open'] THEN '> ' ELSE '>= ' END || num_text(b['lo'])
    WHEN b['lo'] IS NULL THEN 'official ' || CASE WHEN b['hi_open'] THEN '< ' ELSE '<= ' END || num_text(b['hi'])
    WHEN b['lo'] = b['hi'] THEN 'official = ' || num_text(b['lo'])
    ELSE num_text(b['lo']) || ' <= official ' || CASE WHEN b['hi_open'] THEN '< ' ELSE '<= ' END || num_text(b['hi'])
END;

-- Which series counts what: an area (route, and destination where it matters) and a
-- measure. Changes and ratios use the series of their base measure. A row with a publisher
-- is that publisher's own series: it checks only the figures attributed to it
-- (reported_by), and it comes before any other series of the area. `unit` is what one
-- value of the series covers (a day, a month); `release_day` (monthly series only) is the
-- day of the following month from which a month's figures count as published.
-- Frontex: its routes (pipelines/reference/frontex.py maps them to route codes), and all
-- external borders as the sum over every route. Frontex publishes a month's figures in
-- the middle of the following month: the 15th (claim_checks.md says why).
CREATE OR REPLACE TEMP MACRO series_for() AS TABLE
    SELECT * FROM (VALUES
    (NULL, 'english_channel', 'people', 'uk_small_boat_arrivals_daily', 'migrants_arrived', 'day', NULL),
    (NULL, 'english_channel', 'boats', 'uk_small_boat_arrivals_daily', 'boats_arrived', 'day', NULL),
    (NULL, 'english_channel', 'deaths', 'iom_incidents', 'dead', 'day', NULL),
    (NULL, 'english_channel', 'dead_or_missing', 'iom_incidents', 'dead_or_missing', 'day', NULL),
    (NULL, 'italy', 'people', 'italy_sea_arrivals_daily', 'arrivals', 'day', NULL),
    ('frontex', 'central_mediterranean', 'people', 'frontex_detections', 'detections', 'month', 15),
    ('frontex', 'eastern_mediterranean', 'people', 'frontex_detections', 'detections', 'month', 15),
    ('frontex', 'western_mediterranean', 'people', 'frontex_detections', 'detections', 'month', 15),
    ('frontex', 'western_african', 'people', 'frontex_detections', 'detections', 'month', 15),
    ('frontex', 'western_balkans', 'people', 'frontex_detections', 'detections', 'month', 15),
    ('frontex', 'eastern_land_borders', 'people', 'frontex_detections', 'detections', 'month', 15),
    ('frontex', 'all_eu_external_borders', 'people', 'frontex_detections', 'detections', 'month', 15)
    ) AS t(publisher, area, measure, series, series_field, unit, release_day);

-- Figures attributed to these bodies count something else than the series of another
-- publisher: such checks get the verdict different_measure. (A body's figures checked
-- against its own series are not concerned.)
CREATE OR REPLACE TEMP MACRO other_measures() AS TABLE
    SELECT * FROM (VALUES
    ('frontex', 'Frontex counts detections of irregular border crossings on a route (on the Channel route '
                || 'including departures stopped in France, and a person detected twice counts twice); '
                || 'the series counts arrivals. Frontex''s own file in this dataset has no Channel route.')
    ) AS t(organisation_id, why);

-- The last whole month a monthly series had published by day d (its first day): a month
-- counts as published from release_day of the following month.
CREATE OR REPLACE TEMP MACRO last_month_published(d, release_day) AS
    CAST(date_trunc('month', d) - to_months(CASE WHEN day(d) >= release_day THEN 1 ELSE 2 END) AS DATE);

-- A period of whole calendar months (first day of a month to last day of a month).
CREATE OR REPLACE TEMP MACRO whole_months(first_day, last_day_) AS
    first_day = date_trunc('month', first_day) AND last_day_ = last_day(last_day_);

-- A baseline stated as a year ("since 2022": 2022-01-01 to 2022-12-31) against a period
-- that is part of one calendar year: the rule compares the same calendar days.
CREATE OR REPLACE TEMP MACRO year_against_part_of_year(p_start, p_end, b_start, b_end) AS
    b_start = make_date(year(b_start), 1, 1) AND b_end = make_date(year(b_start), 12, 31)
    AND year(p_start) = year(p_end) AND year(b_start) <> year(p_start)
    AND NOT (p_start = make_date(year(p_start), 1, 1) AND p_end = make_date(year(p_start), 12, 31));

-- Day d moved by n years (29 February becomes 28 February).
CREATE OR REPLACE TEMP MACRO years_earlier(d, n) AS CAST(d - to_years(CAST(n AS INTEGER)) AS DATE);

-- "Died crossing the Channel", from IOM's own fields (claim_checks.md, Channel deaths):
-- how (Cause of death (category)) and where (Location of death). A drowning on the
-- Channel route counts wherever IOM places it (the sea, and the canals and rivers from
-- which boats leave). A death IOM files under a cause of the journey on land (vehicle
-- accident / hazardous transport, sickness, violence) never counts. Any other cause
-- (harsh conditions, accidental, mixed or unknown) counts when IOM places the death on
-- the crossing: its location of death names the "English Channel crossing".
-- IOM writes the tag with either case ("English Channel crossing", "... Crossing").
CREATE OR REPLACE TEMP MACRO iom_channel_crossing_tag(location) AS
    lower(coalesce(location, '')) LIKE '%english channel crossing%';
CREATE OR REPLACE TEMP MACRO died_crossing_channel(cause, location) AS
    coalesce(cause, '') LIKE '%Drowning%'
    OR (iom_channel_crossing_tag(location)
        AND NOT regexp_matches(coalesce(cause, ''), 'Vehicle accident|hazardous transport|Sickness|Violence'));

-- Decimals of a difference: those of the official value (a percentage change to 2, a
-- ratio to 3, a count whole), so that a difference shows no float noise.
CREATE OR REPLACE TEMP MACRO measure_decimals(kind) AS CASE kind WHEN 'pct' THEN 2 WHEN 'ratio' THEN 3 ELSE 0 END;
