-- incidents: one row per incident id, however many sources report it.
-- Merge rule: for each field, the value given by the latest-published source that gives
-- one (ties broken by the larger source_id). Other values stay in `conflicts`.
WITH merged AS (
    SELECT
        incident_id,
        arg_max(COLUMNS(* EXCLUDE (incident_id, source_id, published_date)),
                published_date::VARCHAR || source_id),
        count(DISTINCT source_id) AS number_of_sources
    FROM stg_incidents
    GROUP BY incident_id
)
SELECT
    merged.* REPLACE (coalesce(merged.country, places.country) AS country)
FROM merged
LEFT JOIN reg_places AS places USING (place_id)
ORDER BY incident_id
