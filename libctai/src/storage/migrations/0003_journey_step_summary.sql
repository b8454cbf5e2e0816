-- libctai store, schema version 3 (docs/storage.md).
-- journeys gets two derived columns, the summary of its steps, so that Store::journeys
-- (bench W6: every journey with its step columns) reads them with the journey row instead
-- of scanning the steps table (3 rows per journey, about half of the read):
--   step_count     the number of steps of the journey;
--   end_step_date  the earliest date (day number) of its follow_on and end_of_support steps,
--                  NULL when it has none.
-- They are derived: steps stays the record. They are maintained by the library's only
-- writer of steps, StoreImpl::write_journey (store_write.cpp), in the statement that writes
-- the journey row; a write bypassing the library (the sqlite3 shell) must keep them true.
-- They are excluded from the data fingerprint (Store::fingerprint hashes the journey
-- columns of version 2: the same data gives the same hash before and after this migration)
-- and from the exchange export. Backfilled here from steps (one scan in key order).
-- v_journeys shows them (end_step_date as ISO text): dropped first, recreated last.
-- The runner (migrate() in store_admin.cpp) owns the transaction and sets user_version and
-- application_id.
-- Append-only: never edit this file once released; add 0004_*.sql instead.

DROP VIEW v_journeys;

ALTER TABLE journeys ADD COLUMN step_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE journeys ADD COLUMN end_step_date INTEGER;

UPDATE journeys SET step_count = s.n, end_step_date = s.end_date
FROM (SELECT journey_id, count(*) AS n,
             min(CASE WHEN step = 'follow_on' OR step = 'end_of_support' THEN date END) AS end_date
      FROM steps GROUP BY journey_id) AS s
WHERE journeys.journey_id = s.journey_id;

CREATE VIEW v_journeys AS
SELECT journey_id, person_id, contract_id, action, date(entry_date + 2440587.5) AS entry_date,
       referral_source, date(exit_date + 2440587.5) AS exit_date, exit_reason, override_reason,
       exit_date - entry_date AS length_days, step_count,
       date(end_step_date + 2440587.5) AS end_step_date
FROM journeys;
