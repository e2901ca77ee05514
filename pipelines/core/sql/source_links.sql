-- source_links: the hyperlinks of HTML sources, in the order they appear.
SELECT * FROM stg_source_links
ORDER BY source_id, link_number
