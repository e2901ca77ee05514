-- evidence: every anchored quote, as the validator found it.
SELECT * FROM stg_evidence
ORDER BY evidence_id
