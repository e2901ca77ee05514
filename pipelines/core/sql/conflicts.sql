-- conflicts: fields on which sources reporting the same record disagree.
-- Each staging table of a merged record is unpivoted to (record, field, source, value);
-- a field with more than one distinct non-null value is a conflict, and every source's
-- value is listed with the one published (the latest-published source's).
-- Nulls are not values: a source that does not give a field does not disagree.
WITH stated AS (
    UNPIVOT (
        SELECT 'incidents' AS table_name, incident_id AS record_id, source_id,
               published_date::VARCHAR || source_id AS source_rank,
               COLUMNS(* EXCLUDE (incident_id, source_id, published_date))::VARCHAR
        FROM stg_incidents
    ) ON COLUMNS(* EXCLUDE (table_name, record_id, source_id, source_rank)) INTO NAME field VALUE value
    UNION ALL BY NAME
    UNPIVOT (
        SELECT 'meetings' AS table_name, meeting_id AS record_id, source_id,
               published_date::VARCHAR || source_id AS source_rank,
               COLUMNS(* EXCLUDE (meeting_id, source_id, published_date))::VARCHAR
        FROM stg_meetings
    ) ON COLUMNS(* EXCLUDE (table_name, record_id, source_id, source_rank)) INTO NAME field VALUE value
    UNION ALL BY NAME
    UNPIVOT (
        SELECT 'agreements' AS table_name, agreement_id AS record_id, source_id,
               published_date::VARCHAR || source_id AS source_rank,
               COLUMNS(* EXCLUDE (agreement_id, source_id, published_date))::VARCHAR
        FROM stg_agreements
    ) ON COLUMNS(* EXCLUDE (table_name, record_id, source_id, source_rank)) INTO NAME field VALUE value
    UNION ALL BY NAME
    UNPIVOT (
        SELECT 'meeting_participants' AS table_name, meeting_id || '/' || person_id AS record_id, source_id,
               published_date::VARCHAR || source_id AS source_rank,
               COLUMNS(* EXCLUDE (meeting_id, person_id, source_id, published_date))::VARCHAR
        FROM stg_meeting_participants
    ) ON COLUMNS(* EXCLUDE (table_name, record_id, source_id, source_rank)) INTO NAME field VALUE value
    UNION ALL BY NAME
    UNPIVOT (
        SELECT 'agreement_parties' AS table_name, agreement_id || '/' || country AS record_id, source_id,
               published_date::VARCHAR || source_id AS source_rank,
               COLUMNS(* EXCLUDE (agreement_id, country, source_id, published_date))::VARCHAR
        FROM stg_agreement_parties
    ) ON COLUMNS(* EXCLUDE (table_name, record_id, source_id, source_rank)) INTO NAME field VALUE value
),
disputed AS (
    SELECT table_name, record_id, field, arg_max(value, source_rank) AS published_value
    FROM stated
    -- description and notes are the annotators' own words, not what the sources say
    WHERE field NOT IN ('description', 'notes')
    GROUP BY table_name, record_id, field
    HAVING count(DISTINCT value) > 1
)
SELECT
    stated.table_name,
    stated.record_id,
    stated.field,
    stated.source_id,
    stated.value,
    disputed.published_value,
    stated.value = disputed.published_value AS is_published_value
FROM stated
JOIN disputed USING (table_name, record_id, field)
ORDER BY table_name, record_id, field, source_id
