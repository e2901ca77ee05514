-- value_sources: where each published value comes from, for the incidents, meetings and
-- agreements several sources report (and their participants and parties). For every
-- non-null value sources give (not the values the registries give), the source whose
-- value is published and the rule that chose it (pipelines/core/sql/precedence.sql): the
-- only source that gives it; several sources that agree; or, when sources disagree, the
-- first rule on which the published source beats the best-placed source giving another
-- value. A record only one source reports takes every value from it (evidence names it):
-- listing those would make this the largest table, and say nothing.
WITH candidates AS MATERIALIZED (
    SELECT * FROM stated_values() WHERE counts AND number_of_reports > 1
),
chosen AS (
    SELECT
        table_name, record_id, field,
        arg_max(source_id, precedence) AS source_id,
        arg_max_null(value, precedence) AS value,
        count(value) AS number_of_sources
    FROM candidates
    GROUP BY table_name, record_id, field
),
-- The best-placed source that gives a different value, if any.
dissent AS (
    SELECT
        candidates.table_name, candidates.record_id, candidates.field,
        arg_max(candidates.source_id, candidates.precedence) AS source_id,
        count(*) AS number_disagreeing
    FROM candidates
    JOIN chosen USING (table_name, record_id, field)
    WHERE candidates.value IS NOT NULL AND candidates.value <> chosen.value
    GROUP BY candidates.table_name, candidates.record_id, candidates.field
)
SELECT
    chosen.table_name,
    chosen.record_id,
    chosen.field,
    chosen.source_id,
    CASE
        WHEN dissent.source_id IS NULL AND chosen.number_of_sources = 1 THEN 'single_source'
        WHEN dissent.source_id IS NULL THEN 'sources_agree'
        WHEN published.reports_outcome AND NOT other.reports_outcome THEN 'status_after_event'
        WHEN published.is_primary AND NOT other.is_primary THEN 'primary_source'
        WHEN published.published_date > other.published_date THEN 'later_publication'
        ELSE 'tie'
    END AS rule,
    chosen.number_of_sources,
    chosen.number_of_sources - coalesce(dissent.number_disagreeing, 0) AS number_agreeing,
    dissent.source_id AS outranked_source_id
FROM chosen
JOIN candidates AS published
  ON published.table_name = chosen.table_name AND published.record_id = chosen.record_id
 AND published.field = chosen.field AND published.source_id = chosen.source_id
LEFT JOIN dissent
  ON dissent.table_name = chosen.table_name AND dissent.record_id = chosen.record_id
 AND dissent.field = chosen.field
LEFT JOIN candidates AS other
  ON other.table_name = dissent.table_name AND other.record_id = dissent.record_id
 AND other.field = dissent.field AND other.source_id = dissent.source_id
WHERE chosen.value IS NOT NULL
ORDER BY chosen.table_name, chosen.record_id, chosen.field
