-- crossings: one row per figure per source; figures are never merged across sources.
-- value_low / value_high spell out the range a qualifier allows:
--   exact            low = high = value
--   at_least         low = value, high open      more_than   low = value, high open
--   nearly, up_to    high = value, low open      less_than   high = value, low open
--   about            both open (see the codebook for the tolerance used in checks)
SELECT
    *,
    CASE WHEN qualifier IN ('exact', 'at_least', 'more_than') THEN value END AS value_low,
    CASE WHEN qualifier IN ('exact', 'nearly', 'less_than', 'up_to') THEN value END AS value_high
FROM stg_crossings
ORDER BY crossing_id
