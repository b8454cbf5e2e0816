-- libctai store, schema version 4 (docs/storage.md).
-- nationalities: a person's dated nationalities (domain R1, exchange file nationalities.csv).
-- A nationality counts from acquired_on (included; always when NULL) until lost_on (the
-- first day it no longer counts; never when NULL). A person with rows here takes their
-- nationality class at each date from them; persons.nationalities then holds the same
-- codes, each once (checked by the library on write). A person without rows keeps the
-- undated persons.nationalities, as in version 3. Rows are ordered by position, as the
-- other lists of a person (permits, protections, situations); re-keyed by ON UPDATE
-- CASCADE when anonymisation gives the person an opaque id.
-- Nothing to move: the table starts empty.
-- The runner (migrate() in migrations.cpp) owns the transaction and sets user_version and
-- application_id.
-- Append-only: never edit this file once released; add 0005_*.sql instead.

CREATE TABLE nationalities (
    person_id TEXT NOT NULL REFERENCES persons (person_id) ON UPDATE CASCADE ON DELETE CASCADE,
    position INTEGER NOT NULL,
    nationality TEXT NOT NULL CHECK (nationality = upper(nationality) AND (length(nationality) = 2 OR nationality = 'STATELESS' OR nationality = 'UNKNOWN')),
    acquired_on INTEGER,
    lost_on INTEGER,
    PRIMARY KEY (person_id, position),
    CHECK (lost_on IS NULL OR acquired_on IS NULL OR lost_on > acquired_on)
) STRICT, WITHOUT ROWID;

CREATE VIEW v_nationalities AS
SELECT person_id, position, nationality, date(acquired_on + 2440587.5) AS acquired_on,
       date(lost_on + 2440587.5) AS lost_on
FROM nationalities;
