-- evidence: every anchored quote, as the validator found it; each record's quotes in the
-- order they appear in the source's text (evidence_id ends in start-end, see staging.py).
SELECT * FROM stg_evidence
ORDER BY source_id, table_name, record_id, "start", "end", evidence_id
