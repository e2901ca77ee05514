-- meetings: one row per meeting id, however many sources report it. For each field, the
-- value of the source that ranks first among those that give one (pipelines/core/sql/precedence.sql):
-- for status, a source published on or after the meeting that reports it held or
-- cancelled beats an announcement that it is planned; then a primary source (a government
-- of a participant's country) beats a secondary one; then the later publication wins;
-- a true tie goes to the source id first in alphabetical order. value_sources names the
-- source of each value and the rule that chose it; conflicts lists the disagreements.
-- City and country come from the places registry; a meeting without a place keeps the
-- country its source states (validate refuses a country written beside a place_id).
WITH ranked AS (
    SELECT reports.*, ranks.precedence, ranks.status_precedence
    FROM stg_meetings AS reports
    JOIN report_precedence() AS ranks
      ON ranks.table_name = 'meetings' AND ranks.record_id = reports.meeting_id
     AND ranks.source_id = reports.source_id
),
merged AS (
    SELECT
        meeting_id,
        arg_max(COLUMNS(* EXCLUDE (meeting_id, status, source_id, published_date, precedence, status_precedence)),
                precedence),
        arg_max(status, status_precedence) AS status,
        count(DISTINCT source_id) AS number_of_sources
    FROM ranked
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
