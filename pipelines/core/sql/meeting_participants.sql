-- meeting_participants: everyone any source names at a meeting; role and position from
-- the latest-published source that gives them.
SELECT
    meeting_id,
    person_id,
    arg_max(COLUMNS(* EXCLUDE (meeting_id, person_id, source_id, published_date)),
            published_date::VARCHAR || source_id)
FROM stg_meeting_participants
GROUP BY meeting_id, person_id
ORDER BY meeting_id, person_id
