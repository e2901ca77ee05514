-- conflicts: where sources reporting the same record disagree on something that matters:
-- a count, a date, a status, a type, a place, a party, a participant's role, or whether a
-- participant or party is there at all. One row per source and disputed field, with the
-- value published, the source it comes from and the rule that chose it (value_sources,
-- precedence.sql). Nulls are not values: a source that does not give a field does not
-- disagree. Own words (description, purpose, location, position, described_as, notes)
-- are never compared: each source's words stay in evidence.
-- Presence (field `present`): a source that names participants of a meeting (or parties
-- to an agreement) but not this one, while another source names it, is listed with
-- `false`; the person or state is published (rule named_by_any_source), because leaving
-- someone out is not saying they were absent.
WITH compared AS MATERIALIZED (
    SELECT table_name, record_id, field, source_id, value
    FROM stated_values()
    -- (a record one source reports cannot be disputed: leaving it out early saves most of the work)
    WHERE counts AND value IS NOT NULL AND NOT is_own_words(field) AND number_of_reports > 1
),
disputed AS (
    SELECT table_name, record_id, field
    FROM compared
    GROUP BY table_name, record_id, field
    HAVING count(DISTINCT value) > 1
),
field_conflicts AS (
    SELECT
        compared.*,
        published.value AS published_value,
        value_sources.source_id AS published_source_id,
        value_sources.rule
    FROM compared
    JOIN disputed USING (table_name, record_id, field)
    JOIN value_sources USING (table_name, record_id, field)
    JOIN compared AS published
      ON published.table_name = compared.table_name AND published.record_id = compared.record_id
     AND published.field = compared.field AND published.source_id = value_sources.source_id
),
-- Who each source names at a meeting, or as a party to an agreement.
named AS (
    SELECT DISTINCT 'meeting_participants' AS table_name, 'meetings' AS parent_table,
           meeting_id AS parent_id, person_id AS member, source_id
    FROM stg_meeting_participants
    UNION ALL
    SELECT DISTINCT 'agreement_parties', 'agreements', agreement_id, country, source_id
    FROM stg_agreement_parties
),
naming_sources AS (
    SELECT DISTINCT table_name, parent_table, parent_id, source_id FROM named
),
presence AS (
    SELECT
        members.table_name, members.parent_table, members.parent_id, members.member,
        naming_sources.source_id,
        named.source_id IS NOT NULL AS names_it
    FROM (SELECT DISTINCT table_name, parent_table, parent_id, member FROM named) AS members
    JOIN naming_sources USING (table_name, parent_table, parent_id)
    LEFT JOIN named USING (table_name, parent_table, parent_id, member, source_id)
),
-- A member some naming source leaves out; published from the first-ranked source naming it.
presence_published AS (
    SELECT presence.table_name, presence.parent_id, presence.member,
           arg_max(presence.source_id, ranks.precedence) FILTER (WHERE presence.names_it) AS published_source_id
    FROM presence
    JOIN report_precedence() AS ranks
      ON ranks.table_name = presence.parent_table AND ranks.record_id = presence.parent_id
     AND ranks.source_id = presence.source_id
    GROUP BY presence.table_name, presence.parent_id, presence.member
    HAVING bool_or(NOT presence.names_it)
),
presence_conflicts AS (
    SELECT
        presence.table_name,
        presence.parent_id || '/' || presence.member AS record_id,
        'present' AS field,
        presence.source_id,
        presence.names_it::VARCHAR AS value,
        'true' AS published_value,
        presence_published.published_source_id,
        'named_by_any_source' AS rule
    FROM presence
    JOIN presence_published USING (table_name, parent_id, member)
)
SELECT *, value = published_value AS is_published_value
FROM (SELECT * FROM field_conflicts UNION ALL BY NAME SELECT * FROM presence_conflicts)
ORDER BY table_name, record_id, field, source_id
