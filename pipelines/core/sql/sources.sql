-- sources: one row per news source, as described in its source.yaml.
SELECT * FROM stg_sources
ORDER BY source_id
