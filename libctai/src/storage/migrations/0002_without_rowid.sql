-- libctai store, schema version 2 (docs/storage.md).
-- 1. The data tables become WITHOUT ROWID tables keyed by their natural primary key: one
--    B-tree per table instead of a rowid table plus an automatic index on the TEXT or
--    composite key (one B-tree written per inserted row instead of two; a scan in key order,
--    as the fingerprint and for_each_case do, reads the table itself instead of one lookup
--    per row through the index). contracts stays a rowid table: few rows, each a JSON
--    document of several KB (WITHOUT ROWID suits rows under about 1/20 of a page).
-- 2. audit_log: INTEGER PRIMARY KEY without AUTOINCREMENT (no sqlite_sequence update per
--    row; deletes are refused by its trigger, so a committed seq is never reused); seq kept.
-- 3. fingerprint_cache: the data fingerprint persisted by Store::fingerprint(), keyed by the
--    change counter (the last audit seq). Written without an audit row.
-- Columns, types, CHECK constraints, foreign keys, defaults, indexes, the trigger and the
-- v_* views are exactly those of version 1.
-- SQLite's 12-step table rebuild (https://sqlite.org/lang_altertable.html#otheralter): the
-- runner (migrate() in store_admin.cpp) turns foreign keys off around this migration's
-- transaction, runs PRAGMA foreign_key_check before COMMIT and sets user_version and
-- application_id. Each table: CREATE new_X, copy in key order, DROP X, RENAME new_X TO X
-- (SQLite then stores the name quoted: CREATE TABLE "X"). The views and the trigger name
-- the tables (a RENAME re-checks every view): dropped first, recreated identically last.
-- Append-only: never edit this file once released; add 0003_*.sql instead.

DROP VIEW v_persons;
DROP VIEW v_permits;
DROP VIEW v_protections;
DROP VIEW v_situations;
DROP VIEW v_journeys;
DROP VIEW v_steps;
DROP VIEW v_agir_supports;
DROP VIEW v_referrals;
DROP VIEW v_activities;
DROP VIEW v_volunteering;
DROP VIEW v_housing_moves;
DROP VIEW v_partnerships;
DROP TRIGGER audit_log_no_delete;

-- ---- persons ------------------------------------------------------------------------------
CREATE TABLE new_persons (
    person_id TEXT PRIMARY KEY NOT NULL CHECK (person_id <> ''),
    sex TEXT NOT NULL CHECK (sex = 'female' OR sex = 'male' OR sex = 'unknown'),
    birth_date INTEGER,
    birth_precision TEXT CHECK (birth_precision = 'day' OR birth_precision = 'month' OR birth_precision = 'year'),
    nationalities TEXT NOT NULL DEFAULT '',
    household_id TEXT,
    department TEXT NOT NULL DEFAULT '',
    cir_status TEXT NOT NULL CHECK (cir_status = 'none' OR cir_status = 'proposed' OR cir_status = 'signed'),
    cir_date INTEGER,
    rejoining_family_of TEXT REFERENCES persons (person_id)
        ON UPDATE CASCADE ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
    last_contact INTEGER,
    anonymised_on INTEGER,
    CHECK ((birth_date IS NULL) = (birth_precision IS NULL))
) STRICT, WITHOUT ROWID;
INSERT INTO new_persons (person_id, sex, birth_date, birth_precision, nationalities,
                         household_id, department, cir_status, cir_date, rejoining_family_of,
                         last_contact, anonymised_on)
SELECT person_id, sex, birth_date, birth_precision, nationalities, household_id, department,
       cir_status, cir_date, rejoining_family_of, last_contact, anonymised_on
FROM persons ORDER BY person_id;
DROP TABLE persons;
ALTER TABLE new_persons RENAME TO persons;
CREATE INDEX persons_household ON persons (household_id);

-- ---- permits ------------------------------------------------------------------------------
CREATE TABLE new_permits (
    person_id TEXT NOT NULL REFERENCES persons (person_id) ON UPDATE CASCADE ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind = 'card' OR kind = 'vls_ts' OR kind = 'receipt' OR kind = 'aps' OR kind = 'asylum_certificate'),
    motive TEXT NOT NULL CHECK (motive = 'family' OR motive = 'work' OR motive = 'protection' OR motive = 'student' OR motive = 'student_mobility' OR motive = 'temporary_worker' OR motive = 'seasonal' OR motive = 'talent' OR motive = 'visitor' OR motive = 'trainee' OR motive = 'sick_foreigner' OR motive = 'temporary_protection' OR motive = 'other'),
    valid_from INTEGER NOT NULL,
    valid_to INTEGER,
    PRIMARY KEY (person_id, position),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
) STRICT, WITHOUT ROWID;
INSERT INTO new_permits (person_id, position, kind, motive, valid_from, valid_to)
SELECT person_id, position, kind, motive, valid_from, valid_to
FROM permits ORDER BY person_id, position;
DROP TABLE permits;
ALTER TABLE new_permits RENAME TO permits;

-- ---- protections --------------------------------------------------------------------------
CREATE TABLE new_protections (
    person_id TEXT NOT NULL REFERENCES persons (person_id) ON UPDATE CASCADE ON DELETE CASCADE,
    position INTEGER NOT NULL,
    type TEXT NOT NULL CHECK (type = 'refugee' OR type = 'subsidiary' OR type = 'stateless' OR type = 'temporary'),
    authority TEXT NOT NULL CHECK (authority = 'ofpra' OR authority = 'cnda' OR authority = 'prefecture'),
    decision_date INTEGER NOT NULL,
    notification_date INTEGER,
    displaced_on INTEGER,
    end_date INTEGER,
    PRIMARY KEY (person_id, position),
    CHECK (notification_date IS NULL OR notification_date >= decision_date),
    CHECK (end_date IS NULL OR end_date >= decision_date)
) STRICT, WITHOUT ROWID;
INSERT INTO new_protections (person_id, position, type, authority, decision_date,
                             notification_date, displaced_on, end_date)
SELECT person_id, position, type, authority, decision_date, notification_date, displaced_on,
       end_date
FROM protections ORDER BY person_id, position;
DROP TABLE protections;
ALTER TABLE new_protections RENAME TO protections;

-- ---- situations ---------------------------------------------------------------------------
CREATE TABLE new_situations (
    person_id TEXT NOT NULL REFERENCES persons (person_id) ON UPDATE CASCADE ON DELETE CASCADE,
    position INTEGER NOT NULL,
    situation TEXT NOT NULL CHECK (situation = 'asylum_seeker' OR situation = 'unaccompanied_minor' OR situation = 'irregular'),
    start INTEGER NOT NULL,
    "end" INTEGER,
    PRIMARY KEY (person_id, position),
    CHECK ("end" IS NULL OR "end" >= start)
) STRICT, WITHOUT ROWID;
INSERT INTO new_situations (person_id, position, situation, start, "end")
SELECT person_id, position, situation, start, "end"
FROM situations ORDER BY person_id, position;
DROP TABLE situations;
ALTER TABLE new_situations RENAME TO situations;

-- contracts: unchanged (rowid table, see above).

-- ---- journeys -----------------------------------------------------------------------------
CREATE TABLE new_journeys (
    journey_id TEXT PRIMARY KEY NOT NULL CHECK (journey_id <> ''),
    person_id TEXT NOT NULL REFERENCES persons (person_id) ON UPDATE CASCADE,
    contract_id TEXT NOT NULL,
    action INTEGER NOT NULL CHECK (action >= 1),
    entry_date INTEGER NOT NULL,
    referral_source TEXT NOT NULL CHECK (referral_source = 'agir' OR referral_source = 'siao' OR referral_source = 'ccas' OR referral_source = 'social_worker' OR referral_source = 'association' OR referral_source = 'self' OR referral_source = 'other'),
    exit_date INTEGER,
    exit_reason TEXT,
    override_reason TEXT CHECK (override_reason IS NULL OR trim(override_reason) <> ''),
    CHECK (exit_date IS NULL OR exit_date >= entry_date),
    CHECK ((exit_date IS NULL) = (exit_reason IS NULL))
) STRICT, WITHOUT ROWID;
INSERT INTO new_journeys (journey_id, person_id, contract_id, action, entry_date,
                          referral_source, exit_date, exit_reason, override_reason)
SELECT journey_id, person_id, contract_id, action, entry_date, referral_source, exit_date,
       exit_reason, override_reason
FROM journeys ORDER BY journey_id;
DROP TABLE journeys;
ALTER TABLE new_journeys RENAME TO journeys;
CREATE INDEX journeys_person ON journeys (person_id, contract_id, action);
CREATE INDEX journeys_action ON journeys (contract_id, action);
-- R7: at most one open journey per person and action.
CREATE UNIQUE INDEX journeys_one_open ON journeys (person_id, contract_id, action)
    WHERE exit_date IS NULL;

-- ---- steps --------------------------------------------------------------------------------
CREATE TABLE new_steps (
    journey_id TEXT NOT NULL REFERENCES journeys (journey_id) ON UPDATE CASCADE ON DELETE CASCADE,
    position INTEGER NOT NULL,
    step TEXT NOT NULL CHECK (step = 'intake' OR step = 'diagnosis' OR step = 'support' OR step = 'follow_on' OR step = 'end_of_support'),
    date INTEGER NOT NULL,
    PRIMARY KEY (journey_id, position)
) STRICT, WITHOUT ROWID;
INSERT INTO new_steps (journey_id, position, step, date)
SELECT journey_id, position, step, date FROM steps ORDER BY journey_id, position;
DROP TABLE steps;
ALTER TABLE new_steps RENAME TO steps;

-- ---- agir_supports ------------------------------------------------------------------------
CREATE TABLE new_agir_supports (
    person_id TEXT NOT NULL REFERENCES persons (person_id) ON UPDATE CASCADE ON DELETE CASCADE,
    orientation_date INTEGER NOT NULL,
    entry_date INTEGER,
    exit_date INTEGER,
    exit_housing TEXT CHECK (exit_housing = 'social_rental' OR exit_housing = 'private_rental' OR exit_housing = 'residence_sociale' OR exit_housing = 'fjt' OR exit_housing = 'intermediated_rental' OR exit_housing = 'pension_de_famille' OR exit_housing = 'emergency' OR exit_housing = 'hotel' OR exit_housing = 'asylum_accommodation' OR exit_housing = 'chrs' OR exit_housing = 'family_or_friends' OR exit_housing = 'street' OR exit_housing = 'other'),
    exit_activity TEXT CHECK (exit_activity = 'cdi' OR exit_activity = 'cdd' OR exit_activity = 'training' OR exit_activity = 'none'),
    cdd_months INTEGER CHECK (cdd_months IS NULL OR cdd_months >= 0),
    PRIMARY KEY (person_id, orientation_date),
    CHECK (entry_date IS NULL OR entry_date >= orientation_date),
    CHECK (exit_date IS NULL OR (entry_date IS NOT NULL AND exit_date >= entry_date))
) STRICT, WITHOUT ROWID;
INSERT INTO new_agir_supports (person_id, orientation_date, entry_date, exit_date,
                               exit_housing, exit_activity, cdd_months)
SELECT person_id, orientation_date, entry_date, exit_date, exit_housing, exit_activity,
       cdd_months
FROM agir_supports ORDER BY person_id, orientation_date;
DROP TABLE agir_supports;
ALTER TABLE new_agir_supports RENAME TO agir_supports;

-- ---- referrals ----------------------------------------------------------------------------
CREATE TABLE new_referrals (
    referral_id TEXT PRIMARY KEY NOT NULL CHECK (referral_id <> ''),
    person_id TEXT NOT NULL REFERENCES persons (person_id) ON UPDATE CASCADE ON DELETE CASCADE,
    "from" TEXT NOT NULL CHECK ("from" <> ''),
    "to" TEXT NOT NULL CHECK ("to" <> ''),
    need TEXT NOT NULL CHECK (need = 'housing' OR need = 'health' OR need = 'childcare' OR need = 'language' OR need = 'mobility' OR need = 'employment' OR need = 'rights'),
    status TEXT NOT NULL CHECK (status = 'proposed' OR status = 'accepted' OR status = 'declined' OR status = 'completed' OR status = 'cancelled'),
    proposed_on INTEGER NOT NULL,
    decided_on INTEGER,
    completed_on INTEGER,
    reason TEXT,
    CHECK (decided_on IS NULL OR decided_on >= proposed_on),
    CHECK (completed_on IS NULL OR (decided_on IS NOT NULL AND completed_on >= decided_on))
) STRICT, WITHOUT ROWID;
INSERT INTO new_referrals (referral_id, person_id, "from", "to", need, status, proposed_on,
                           decided_on, completed_on, reason)
SELECT referral_id, person_id, "from", "to", need, status, proposed_on, decided_on,
       completed_on, reason
FROM referrals ORDER BY referral_id;
DROP TABLE referrals;
ALTER TABLE new_referrals RENAME TO referrals;
CREATE INDEX referrals_person ON referrals (person_id);

-- ---- activities ---------------------------------------------------------------------------
CREATE TABLE new_activities (
    activity_id TEXT PRIMARY KEY NOT NULL CHECK (activity_id <> ''),
    contract_id TEXT NOT NULL,
    action INTEGER NOT NULL CHECK (action >= 1),
    kind TEXT NOT NULL CHECK (kind = 'workshop' OR kind = 'individual_practice' OR kind = 'event' OR kind = 'actor_training'),
    type TEXT NOT NULL DEFAULT '',
    date INTEGER NOT NULL,
    hours REAL NOT NULL CHECK (hours >= 0),
    co_animated INTEGER NOT NULL CHECK (co_animated = 0 OR co_animated = 1),
    structure TEXT NOT NULL DEFAULT ''
) STRICT, WITHOUT ROWID;
INSERT INTO new_activities (activity_id, contract_id, action, kind, type, date, hours,
                            co_animated, structure)
SELECT activity_id, contract_id, action, kind, type, date, hours, co_animated, structure
FROM activities ORDER BY activity_id;
DROP TABLE activities;
ALTER TABLE new_activities RENAME TO activities;

-- ---- participations -----------------------------------------------------------------------
CREATE TABLE new_participations (
    activity_id TEXT NOT NULL REFERENCES activities (activity_id) ON UPDATE CASCADE ON DELETE CASCADE,
    person_id TEXT NOT NULL REFERENCES persons (person_id) ON UPDATE CASCADE ON DELETE CASCADE,
    satisfaction INTEGER CHECK (satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5),
    PRIMARY KEY (activity_id, person_id)
) STRICT, WITHOUT ROWID;
INSERT INTO new_participations (activity_id, person_id, satisfaction)
SELECT activity_id, person_id, satisfaction FROM participations ORDER BY activity_id, person_id;
DROP TABLE participations;
ALTER TABLE new_participations RENAME TO participations;
CREATE INDEX participations_person ON participations (person_id);

-- ---- volunteering -------------------------------------------------------------------------
CREATE TABLE new_volunteering (
    person_id TEXT NOT NULL REFERENCES persons (person_id) ON UPDATE CASCADE ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind = 'engagement' OR kind = 'membership' OR kind = 'one_off'),
    start INTEGER NOT NULL,
    "end" INTEGER,
    association_type TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (person_id, kind, start),
    CHECK ("end" IS NULL OR "end" >= start)
) STRICT, WITHOUT ROWID;
INSERT INTO new_volunteering (person_id, kind, start, "end", association_type)
SELECT person_id, kind, start, "end", association_type
FROM volunteering ORDER BY person_id, kind, start;
DROP TABLE volunteering;
ALTER TABLE new_volunteering RENAME TO volunteering;

-- ---- housing_moves ------------------------------------------------------------------------
CREATE TABLE new_housing_moves (
    household_id TEXT NOT NULL CHECK (household_id <> ''),
    date INTEGER NOT NULL,
    housing_type TEXT NOT NULL CHECK (housing_type = 'social_rental' OR housing_type = 'private_rental' OR housing_type = 'residence_sociale' OR housing_type = 'fjt' OR housing_type = 'intermediated_rental' OR housing_type = 'pension_de_famille' OR housing_type = 'emergency' OR housing_type = 'hotel' OR housing_type = 'asylum_accommodation' OR housing_type = 'chrs' OR housing_type = 'family_or_friends' OR housing_type = 'street' OR housing_type = 'other'),
    PRIMARY KEY (household_id, date)
) STRICT, WITHOUT ROWID;
INSERT INTO new_housing_moves (household_id, date, housing_type)
SELECT household_id, date, housing_type FROM housing_moves ORDER BY household_id, date;
DROP TABLE housing_moves;
ALTER TABLE new_housing_moves RENAME TO housing_moves;

-- ---- partnerships -------------------------------------------------------------------------
CREATE TABLE new_partnerships (
    contract_id TEXT NOT NULL,
    action INTEGER NOT NULL CHECK (action >= 1),
    partner TEXT NOT NULL,
    theme TEXT NOT NULL,
    date INTEGER NOT NULL,
    PRIMARY KEY (contract_id, action, partner, theme, date)
) STRICT, WITHOUT ROWID;
INSERT INTO new_partnerships (contract_id, action, partner, theme, date)
SELECT contract_id, action, partner, theme, date
FROM partnerships ORDER BY contract_id, action, partner, theme, date;
DROP TABLE partnerships;
ALTER TABLE new_partnerships RENAME TO partnerships;

-- ---- costs --------------------------------------------------------------------------------
CREATE TABLE new_costs (
    contract_id TEXT NOT NULL,
    action INTEGER NOT NULL CHECK (action >= 1),
    total_cost REAL NOT NULL CHECK (total_cost >= 0),
    subsidy_p104 REAL NOT NULL CHECK (subsidy_p104 >= 0 AND subsidy_p104 <= total_cost),
    PRIMARY KEY (contract_id, action)
) STRICT, WITHOUT ROWID;
INSERT INTO new_costs (contract_id, action, total_cost, subsidy_p104)
SELECT contract_id, action, total_cost, subsidy_p104 FROM costs ORDER BY contract_id, action;
DROP TABLE costs;
ALTER TABLE new_costs RENAME TO costs;

-- ---- audit_log: seq without AUTOINCREMENT ---------------------------------------------------
-- R9: who changed what, when and why. Append-only: the trigger refuses DELETE; rows are
-- updated only by anonymisation (R9), which re-keys and redacts the rows of a person.
-- Dropping the old table also removes its sqlite_sequence row.
CREATE TABLE new_audit_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    person_id TEXT,
    operation TEXT NOT NULL CHECK (operation = 'insert' OR operation = 'update' OR operation = 'delete' OR operation = 'anonymise'),
    change TEXT NOT NULL,
    reason TEXT
) STRICT;
INSERT INTO new_audit_log (seq, at, actor, entity, entity_id, person_id, operation, change,
                           reason)
SELECT seq, at, actor, entity, entity_id, person_id, operation, change, reason
FROM audit_log ORDER BY seq;
DROP TABLE audit_log;
ALTER TABLE new_audit_log RENAME TO audit_log;
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_log_person ON audit_log (person_id);
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- ---- the persisted data fingerprint (Store::fingerprint) -----------------------------------
-- At most one row: the SHA-256 of the data at change_counter (max(audit_log.seq) when it
-- was computed, outside any transaction). Every data change through the library writes an
-- audit row, so a row whose change_counter is not the current one is stale. Written
-- without an audit row (it would move the counter); a write that bypasses the library must
-- DELETE FROM fingerprint_cache.
CREATE TABLE fingerprint_cache (
    change_counter INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64)
) STRICT;

-- ---- the ISO-date views, as in version 1 ---------------------------------------------------
CREATE VIEW v_persons AS
SELECT person_id, sex,
       CASE birth_precision
           WHEN 'day' THEN date(birth_date + 2440587.5)
           WHEN 'month' THEN strftime('%Y-%m', birth_date + 2440587.5)
           WHEN 'year' THEN strftime('%Y', birth_date + 2440587.5)
       END AS birth_date,
       nationalities, household_id, department, cir_status,
       date(cir_date + 2440587.5) AS cir_date, rejoining_family_of,
       date(last_contact + 2440587.5) AS last_contact,
       date(anonymised_on + 2440587.5) AS anonymised_on
FROM persons;
CREATE VIEW v_permits AS
SELECT person_id, position, kind, motive, date(valid_from + 2440587.5) AS valid_from,
       date(valid_to + 2440587.5) AS valid_to
FROM permits;
CREATE VIEW v_protections AS
SELECT person_id, position, type, authority,
       date(decision_date + 2440587.5) AS decision_date,
       date(notification_date + 2440587.5) AS notification_date,
       date(displaced_on + 2440587.5) AS displaced_on, date(end_date + 2440587.5) AS end_date
FROM protections;
CREATE VIEW v_situations AS
SELECT person_id, position, situation, date(start + 2440587.5) AS start,
       date("end" + 2440587.5) AS "end"
FROM situations;
CREATE VIEW v_journeys AS
SELECT journey_id, person_id, contract_id, action, date(entry_date + 2440587.5) AS entry_date,
       referral_source, date(exit_date + 2440587.5) AS exit_date, exit_reason, override_reason,
       exit_date - entry_date AS length_days
FROM journeys;
CREATE VIEW v_steps AS
SELECT journey_id, position, step, date(date + 2440587.5) AS date FROM steps;
CREATE VIEW v_agir_supports AS
SELECT person_id, date(orientation_date + 2440587.5) AS orientation_date,
       date(entry_date + 2440587.5) AS entry_date, date(exit_date + 2440587.5) AS exit_date,
       exit_housing, exit_activity, cdd_months
FROM agir_supports;
CREATE VIEW v_referrals AS
SELECT referral_id, person_id, "from", "to", need, status,
       date(proposed_on + 2440587.5) AS proposed_on, date(decided_on + 2440587.5) AS decided_on,
       date(completed_on + 2440587.5) AS completed_on, reason
FROM referrals;
CREATE VIEW v_activities AS
SELECT activity_id, contract_id, action, kind, type, date(date + 2440587.5) AS date, hours,
       co_animated, structure
FROM activities;
CREATE VIEW v_volunteering AS
SELECT person_id, kind, date(start + 2440587.5) AS start, date("end" + 2440587.5) AS "end",
       association_type
FROM volunteering;
CREATE VIEW v_housing_moves AS
SELECT household_id, date(date + 2440587.5) AS date, housing_type FROM housing_moves;
CREATE VIEW v_partnerships AS
SELECT contract_id, action, partner, theme, date(date + 2440587.5) AS date FROM partnerships;
