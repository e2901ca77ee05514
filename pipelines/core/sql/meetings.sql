-- meetings: one row per meeting id, merged across sources with the same rule as
-- incidents (latest-published source wins, field by field). City and country come from
-- the places registry; a meeting without a place keeps the country its source states
-- (validate refuses a country written beside a place_id).
WITH merged AS (
    SELECT
        meeting_id,
        arg_max(COLUMNS(* EXCLUDE (meeting_id, source_id, published_date)),
                published_date::VARCHAR || source_id),
        count(DISTINCT source_id) AS number_of_sources
    FROM stg_meetings
    GROUP BY meeting_id
)
SELECT
    merged.* EXCLUDE (country),
    places.name AS city,
    coalesce(places.country, merged.country) AS country,
    venues.name AS venue  -- a venue's city is its place_id (validate takes it from the registry)
FROM merged
LEFT JOIN reg_places AS places USING (place_id)
LEFT JOIN reg_places AS venues ON venues.place_id = merged.venue_id
ORDER BY meeting_id
