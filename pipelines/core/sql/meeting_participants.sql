-- meeting_participants: everyone any source names at a meeting (a source that does not
-- name someone does not say they were absent; conflicts shows it). Role and position from
-- the source that ranks first for the meeting (pipelines/core/sql/precedence.sql); number_of_sources
-- counts the sources that name the person there.
WITH ranked AS (
    SELECT reports.*, ranks.precedence
    FROM stg_meeting_participants AS reports
    JOIN report_precedence() AS ranks
      ON ranks.table_name = 'meetings' AND ranks.record_id = reports.meeting_id
     AND ranks.source_id = reports.source_id
)
SELECT
    meeting_id,
    person_id,
    arg_max(COLUMNS(* EXCLUDE (meeting_id, person_id, source_id, published_date, precedence)), precedence),
    count(DISTINCT source_id) AS number_of_sources
FROM ranked
GROUP BY meeting_id, person_id
ORDER BY meeting_id, person_id
