-- agreements: every agreement in the registry, with what sources say about it merged
-- by the usual rule (latest-published source wins, field by field).
WITH merged AS (
    SELECT
        agreement_id,
        arg_max(COLUMNS(* EXCLUDE (agreement_id, source_id, published_date)),
                published_date::VARCHAR || source_id),
        count(DISTINCT source_id) AS number_of_sources
    FROM stg_agreements
    GROUP BY agreement_id
)
SELECT
    registry.*,
    merged.* EXCLUDE (agreement_id, number_of_sources),
    coalesce(merged.number_of_sources, 0) AS number_of_sources
FROM reg_agreements AS registry
LEFT JOIN merged USING (agreement_id)
ORDER BY agreement_id
