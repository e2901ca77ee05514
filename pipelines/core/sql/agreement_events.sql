-- agreement_events: each event as each source reports it (not merged: the source is
-- part of the key, so differing dates for one event stay visible side by side). An event
-- of one state (joined, funds_committed) names it in country; null sorts last.
SELECT * EXCLUDE (published_date)
FROM stg_agreement_events
ORDER BY agreement_id, event_type, country, source_id
