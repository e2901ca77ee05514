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
-- measure. Changes and ratios use the series of their base measure.
CREATE OR REPLACE TEMP MACRO series_for() AS TABLE
    SELECT * FROM (VALUES
    ('english_channel', 'people', 'uk_small_boat_arrivals_daily', 'migrants_arrived'),
    ('english_channel', 'boats', 'uk_small_boat_arrivals_daily', 'boats_arrived'),
    ('english_channel', 'deaths', 'iom_incidents', 'dead'),
    ('english_channel', 'dead_or_missing', 'iom_incidents', 'dead_or_missing'),
    ('italy', 'people', 'italy_sea_arrivals_daily', 'arrivals')
    ) AS t(area, measure, series, series_field);

-- Figures attributed to these bodies count something else than the national series,
-- whatever the route: such checks get the verdict different_measure.
CREATE OR REPLACE TEMP MACRO other_measures() AS TABLE
    SELECT * FROM (VALUES
    ('frontex', 'Frontex counts detections of irregular border crossings on a route (on the Channel route '
                || 'including departures stopped in France, and a person detected twice counts twice); '
                || 'the series counts arrivals.')
    ) AS t(organisation_id, why);
