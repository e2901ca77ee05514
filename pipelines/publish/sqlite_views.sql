-- Views of the SQLite file (pipelines/publish/sqlite.py): the published tables joined the
-- way a reader asks. The explorer's pages are these views; they hold no value of their own.

-- Every checked figure, with its source, the quotes that give it, the reported and the
-- official values, the verdict and the rule behind it. `year` is the year of the period the
-- figure is about (its end), else of the period the series was read over, else of the
-- source's publication.
CREATE VIEW claims AS
SELECT
    c.verdict,
    s.published_date,
    coalesce(s.publisher, o.name) AS publisher,  -- the registry's name of a publisher known by its id
    (SELECT group_concat(quote, ' … ')
       FROM (SELECT e.quote FROM evidence AS e
              WHERE e.table_name = c.table_name AND e.record_id = c.record_id AND e.source_id = c.source_id
              ORDER BY e.start)) AS quote,
    c.reported_qualifier,
    c.reported_value,
    c.official_value,
    c.rule,
    c.route,
    c.measure,
    substr(coalesce(c.period_end, c.series_period_end, s.published_date), 1, 4) AS year,
    c.period_start,
    c.period_end,
    c.table_name,
    c.record_id,
    c.field,
    c.difference,
    c.series,
    c.period_rule,
    c.note,
    c.source_id,
    s.title AS source_title
FROM claim_checks AS c
JOIN sources AS s ON s.source_id = c.source_id
LEFT JOIN organisations AS o ON o.organisation_id = s.publisher_id
ORDER BY s.published_date, c.source_id, c.table_name, c.record_id, c.field;

-- Agreements' events and leaders' meetings in one list, by date: what the timeline draws.
CREATE VIEW timeline AS
SELECT date, kind, what, title, country, table_name, record_id, number_of_sources FROM (
    SELECT
        e.date,
        'agreement' AS kind,
        e.event_type AS what,
        a.name AS title,
        e.country,
        'agreements' AS table_name,
        e.agreement_id AS record_id,
        a.number_of_sources
    FROM agreement_events AS e
    JOIN agreements AS a ON a.agreement_id = e.agreement_id
    UNION ALL
    SELECT
        m.date,
        'meeting' AS kind,
        m.status || ' ' || m.meeting_type AS what,
        (SELECT group_concat(name, ', ')
           FROM (SELECT p.name FROM meeting_participants AS mp JOIN people AS p ON p.person_id = mp.person_id
                  WHERE mp.meeting_id = m.meeting_id ORDER BY p.name)) AS title,
        m.country,
        'meetings' AS table_name,
        m.meeting_id AS record_id,
        m.number_of_sources
    FROM meetings AS m
)
ORDER BY date IS NULL, date, kind, record_id;  -- an event of unknown date last
