-- incidents: one row per incident id, however many sources report it. For each field, the
-- value of the source that ranks first among those that give one (pipelines/core/sql/precedence.sql):
-- the later publication wins, a true tie goes to the source id first in alphabetical
-- order. A qualifier, a date's precision and a longitude come from the source of the
-- count, date or latitude they belong to, never from another source. value_sources names
-- the source of each value and the rule that chose it; conflicts lists the disagreements.
WITH ranked AS (
    SELECT reports.*, ranks.precedence
    FROM stg_incidents AS reports
    JOIN report_precedence() AS ranks
      ON ranks.table_name = 'incidents' AND ranks.record_id = reports.incident_id
     AND ranks.source_id = reports.source_id
),
merged AS (
    SELECT
        incident_id,
        arg_max(COLUMNS(* EXCLUDE (incident_id, source_id, published_date, precedence,
                                   date_precision, people_aboard_qualifier, longitude)), precedence),
        arg_max_null(date_precision, precedence) FILTER (WHERE date IS NOT NULL) AS date_precision,
        arg_max_null(people_aboard_qualifier, precedence) FILTER (WHERE people_aboard IS NOT NULL)
            AS people_aboard_qualifier,
        arg_max_null(longitude, precedence) FILTER (WHERE latitude IS NOT NULL) AS longitude,
        count(DISTINCT source_id) AS number_of_sources
    FROM ranked
    GROUP BY incident_id
)
SELECT
    merged.* REPLACE (coalesce(merged.country, places.country) AS country)
FROM merged
LEFT JOIN reg_places AS places USING (place_id)
ORDER BY incident_id
