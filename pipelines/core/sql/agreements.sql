-- agreements: every agreement in the registry, with what sources say about it merged. For
-- each field, the value of the source that ranks first among those that give one (see
-- precedence.sql): a primary source (a government of a party) beats a secondary one; then
-- the later publication wins; a true tie goes to the source id first in alphabetical
-- order. A qualifier and a date's precision come from the source of the capacity or date
-- they belong to. value_sources names the source of each value and the rule that chose
-- it; conflicts lists the disagreements.
WITH ranked AS (
    SELECT reports.*, ranks.precedence
    FROM stg_agreements AS reports
    JOIN report_precedence() AS ranks
      ON ranks.table_name = 'agreements' AND ranks.record_id = reports.agreement_id
     AND ranks.source_id = reports.source_id
),
merged AS (
    SELECT
        agreement_id,
        arg_max(COLUMNS(* EXCLUDE (agreement_id, source_id, published_date, precedence,
                                   signed_date_precision, capacity_qualifier)), precedence),
        arg_max_null(signed_date_precision, precedence) FILTER (WHERE signed_date IS NOT NULL)
            AS signed_date_precision,
        arg_max_null(capacity_qualifier, precedence) FILTER (WHERE capacity IS NOT NULL) AS capacity_qualifier,
        count(DISTINCT source_id) AS number_of_sources
    FROM ranked
    GROUP BY agreement_id
)
SELECT
    registry.*,
    merged.* EXCLUDE (agreement_id, number_of_sources),
    coalesce(merged.number_of_sources, 0) AS number_of_sources
FROM reg_agreements AS registry
LEFT JOIN merged USING (agreement_id)
ORDER BY agreement_id
