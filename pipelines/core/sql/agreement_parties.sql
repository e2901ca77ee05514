-- agreement_parties: every state any source names as a party; role and signing body
-- from the latest-published source that gives them.
SELECT
    agreement_id,
    country,
    arg_max(COLUMNS(* EXCLUDE (agreement_id, country, source_id, published_date)),
            published_date::VARCHAR || source_id)
FROM stg_agreement_parties
GROUP BY agreement_id, country
ORDER BY agreement_id, country
