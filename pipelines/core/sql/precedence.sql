-- precedence: which source's value is published when several sources report the same
-- meeting, incident or agreement (macros used by the merged tables, value_sources and
-- conflicts). For each field, among the sources that give a value, in this order:
--   1. status (meetings): a source published on or after the day it gives for the meeting
--      that reports it held or cancelled (any status but planned) beats one that reports
--      it planned (status_after_event);
--   2. a primary source beats a secondary one (primary_source): its publisher (publisher_id
--      in source.yaml) is a government or ministry of a country that takes part in the
--      record: the country of a participant of the meeting (people registry), or a party
--      to the agreement, as any source names them; the EU (country EU) takes part as a
--      state does, and a body of the EU (intergovernmental, country EU: the European
--      Commission) speaks for it;
--   3. the later publication beats the earlier (later_publication);
--   4. a true tie (same standing, same day): the source whose id comes first in
--      alphabetical order, an arbitrary but stable choice (tie).
-- A meeting's participants and an agreement's parties rank as their record's source does.

-- Each source's standing for each merged record it reports, how many sources report the
-- record, and the source's place in the order (precedence: the higher wins;
-- status_precedence: the same, for a meeting's status).
CREATE OR REPLACE MACRO report_precedence() AS TABLE
WITH reports AS (
    SELECT 'meetings' AS table_name, meeting_id AS record_id, source_id, published_date,
           status <> 'planned' AND published_date >= date AS reports_outcome
    FROM stg_meetings
    UNION ALL
    SELECT 'incidents', incident_id, source_id, published_date, false FROM stg_incidents
    UNION ALL
    SELECT 'agreements', agreement_id, source_id, published_date, false FROM stg_agreements
),
-- A source published by a government or ministry speaks for its country, and one published
-- by a body of the EU (the only intergovernmental body with a country, EU) for the EU.
government_sources AS (
    SELECT sources.source_id, organisations.country
    FROM stg_sources AS sources
    JOIN reg_organisations AS organisations ON organisations.organisation_id = sources.publisher_id
    WHERE organisations.country IS NOT NULL
      AND (organisations.organisation_type IN ('government', 'ministry')
           OR (organisations.organisation_type = 'intergovernmental' AND organisations.country = 'EU'))
),
-- The countries that take part in a record, as any source reports it.
taking_part AS (
    SELECT DISTINCT 'meetings' AS table_name, meeting_id AS record_id, people.country
    FROM stg_meeting_participants
    JOIN reg_people AS people USING (person_id)
    WHERE people.country IS NOT NULL
    UNION
    SELECT DISTINCT 'agreements', agreement_id, country FROM stg_agreement_parties
),
primary_reports AS (
    SELECT DISTINCT taking_part.table_name, taking_part.record_id, government_sources.source_id
    FROM taking_part
    JOIN government_sources USING (country)
),
standing AS (
    SELECT reports.*, primary_reports.source_id IS NOT NULL AS is_primary
    FROM reports
    LEFT JOIN primary_reports USING (table_name, record_id, source_id)
)
SELECT
    *,
    count(*) OVER (PARTITION BY table_name, record_id) AS number_of_reports,
    row_number() OVER (PARTITION BY table_name, record_id
                       ORDER BY is_primary, published_date, source_id DESC) AS precedence,
    row_number() OVER (PARTITION BY table_name, record_id
                       ORDER BY reports_outcome, is_primary, published_date, source_id DESC) AS status_precedence
FROM standing;

-- A field whose value is the annotator's or the source's own words: each source's words
-- are published in evidence and never compared (a paraphrase is not a disagreement).
CREATE OR REPLACE MACRO is_own_words(field) AS
    field IN ('description', 'notes', 'purpose', 'location', 'position', 'described_as');

-- A field that belongs to another: a qualifier to its count, a precision to its date, a
-- longitude to its latitude. It is published from the source of the value it belongs to
-- (even when that source leaves it null), never mixed with another source's.
CREATE OR REPLACE MACRO field_owners() AS TABLE
    SELECT * FROM (VALUES
        ('date_precision', 'date'),
        ('signed_date_precision', 'signed_date'),
        ('people_aboard_qualifier', 'people_aboard'),
        ('capacity_qualifier', 'capacity'),
        ('longitude', 'latitude')
    ) AS owners(field, owner_field);

-- Every field each source gives for each merged record (and its participants or parties),
-- as text, with the source's precedence for it and the number of sources that report the
-- record (number_of_reports). `counts` says whether the row takes part in choosing the
-- field's value: the source gives a value, or, for a field that belongs to another, gives
-- that other field.
CREATE OR REPLACE MACRO stated_values() AS TABLE
WITH stated AS MATERIALIZED (
    FROM (
        SELECT 'incidents' AS table_name, incident_id AS record_id, 'incidents' AS parent_table,
               incident_id AS parent_id, source_id,
               COLUMNS(* EXCLUDE (incident_id, source_id, published_date))::VARCHAR
        FROM stg_incidents
    ) UNPIVOT INCLUDE NULLS (value FOR field IN (COLUMNS(* EXCLUDE (table_name, record_id, parent_table, parent_id, source_id))))
    UNION ALL BY NAME
    FROM (
        SELECT 'meetings' AS table_name, meeting_id AS record_id, 'meetings' AS parent_table,
               meeting_id AS parent_id, source_id,
               COLUMNS(* EXCLUDE (meeting_id, source_id, published_date))::VARCHAR
        FROM stg_meetings
    ) UNPIVOT INCLUDE NULLS (value FOR field IN (COLUMNS(* EXCLUDE (table_name, record_id, parent_table, parent_id, source_id))))
    UNION ALL BY NAME
    FROM (
        SELECT 'agreements' AS table_name, agreement_id AS record_id, 'agreements' AS parent_table,
               agreement_id AS parent_id, source_id,
               COLUMNS(* EXCLUDE (agreement_id, source_id, published_date))::VARCHAR
        FROM stg_agreements
    ) UNPIVOT INCLUDE NULLS (value FOR field IN (COLUMNS(* EXCLUDE (table_name, record_id, parent_table, parent_id, source_id))))
    UNION ALL BY NAME
    FROM (
        SELECT 'meeting_participants' AS table_name, meeting_id || '/' || person_id AS record_id,
               'meetings' AS parent_table, meeting_id AS parent_id, source_id,
               COLUMNS(* EXCLUDE (meeting_id, person_id, source_id, published_date))::VARCHAR
        FROM stg_meeting_participants
    ) UNPIVOT INCLUDE NULLS (value FOR field IN (COLUMNS(* EXCLUDE (table_name, record_id, parent_table, parent_id, source_id))))
    UNION ALL BY NAME
    FROM (
        SELECT 'agreement_parties' AS table_name, agreement_id || '/' || country AS record_id,
               'agreements' AS parent_table, agreement_id AS parent_id, source_id,
               COLUMNS(* EXCLUDE (agreement_id, country, source_id, published_date))::VARCHAR
        FROM stg_agreement_parties
    ) UNPIVOT INCLUDE NULLS (value FOR field IN (COLUMNS(* EXCLUDE (table_name, record_id, parent_table, parent_id, source_id))))
)
SELECT
    stated.table_name, stated.record_id, stated.field, stated.source_id, stated.value,
    CASE WHEN owners.owner_field IS NULL THEN stated.value IS NOT NULL
         ELSE owner.value IS NOT NULL END AS counts,
    ranks.number_of_reports,
    ranks.published_date,
    ranks.is_primary,
    stated.table_name = 'meetings' AND stated.field = 'status' AND ranks.reports_outcome AS reports_outcome,
    CASE WHEN stated.table_name = 'meetings' AND stated.field = 'status' THEN ranks.status_precedence
         ELSE ranks.precedence END AS precedence
FROM stated
JOIN report_precedence() AS ranks
  ON ranks.table_name = stated.parent_table AND ranks.record_id = stated.parent_id
 AND ranks.source_id = stated.source_id
LEFT JOIN field_owners() AS owners ON owners.field = stated.field
LEFT JOIN (SELECT * FROM stated WHERE field IN (SELECT owner_field FROM field_owners())) AS owner
  ON owner.table_name = stated.table_name AND owner.record_id = stated.record_id
 AND owner.source_id = stated.source_id AND owner.field = owners.owner_field;
