-- agreement_parties: every state any source names as a party (a source that does not
-- name one does not say it is not a party; conflicts shows it). Role, signing body and
-- wording from the source that ranks first for the agreement (pipelines/core/sql/precedence.sql);
-- number_of_sources counts the sources that name the state as a party.
WITH ranked AS (
    SELECT reports.*, ranks.precedence
    FROM stg_agreement_parties AS reports
    JOIN report_precedence() AS ranks
      ON ranks.table_name = 'agreements' AND ranks.record_id = reports.agreement_id
     AND ranks.source_id = reports.source_id
)
SELECT
    agreement_id,
    country,
    arg_max(COLUMNS(* EXCLUDE (agreement_id, country, source_id, published_date, precedence)), precedence),
    count(DISTINCT source_id) AS number_of_sources
FROM ranked
GROUP BY agreement_id, country
ORDER BY agreement_id, country
