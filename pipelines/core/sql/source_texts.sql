-- source_texts: the canonical text of each source whose licence (sources.licence_id, table
-- licences) allows republishing it (republish_text). Staging holds no other text: a source
-- without a licence_id, or under a licence that does not allow it, has no row. The
-- attribution credits the publisher, the title and the address, then prints the licence's
-- own statement (its name and address when it has none).
SELECT
    t.source_id,
    t.text,
    s.text_sha256,
    l.licence_id,
    l.name AS licence_name,
    l.url AS licence_url,
    'Source: ' || coalesce(nullif(concat_ws(', ', s.publisher, s.title), ''), s.source_id)
        || coalesce(' (' || s.url || ')', '') || '. '
        || coalesce(l.attribution, 'Licence: ' || l.name || ' (' || l.url || ').') AS attribution
FROM stg_source_texts t
JOIN sources s ON s.source_id = t.source_id
JOIN licences l ON l.licence_id = s.licence_id
WHERE l.republish_text
ORDER BY t.source_id
