-- crossings: one row per figure per source; figures are never merged across sources.
-- value_low / value_high spell out the range a qualifier allows:
--   exact            low = high = value
--   at_least         low = value, high open      more_than   low = value, high open
--   nearly, up_to    high = value, low open      less_than   high = value, low open
--   about            both open (see the codebook for the tolerance used in checks)
-- For a fall (a negative percentage change) the qualifier bounds the size of the fall:
-- "dropped by more than 60 per cent" is a value of -60 or below, so the bounds swap.
WITH bounded AS (
    SELECT
        *,
        measure LIKE '%_pct_change' AND value < 0 AS is_fall,
        qualifier IN ('exact', 'at_least', 'more_than') AS bounded_below,
        qualifier IN ('exact', 'nearly', 'less_than', 'up_to') AS bounded_above
    FROM stg_crossings
)
SELECT
    *,
    CASE WHEN (NOT is_fall AND bounded_below) OR (is_fall AND bounded_above) THEN value END AS value_low,
    CASE WHEN (NOT is_fall AND bounded_above) OR (is_fall AND bounded_below) THEN value END AS value_high
FROM bounded
ORDER BY crossing_id
