CREATE TABLE "activities" (
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
CREATE TABLE "agir_supports" (
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
CREATE TABLE "audit_log" (
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
CREATE TABLE contract_documents (
    document_id TEXT PRIMARY KEY NOT NULL CHECK (document_id <> ''),
    kind TEXT NOT NULL CHECK (kind = 'avenant' OR kind = 'convention'),
    contract_id TEXT NOT NULL CHECK (contract_id <> ''),
    effective INTEGER NOT NULL,
    json TEXT NOT NULL
) STRICT;
CREATE TABLE contracts (
    contract_id TEXT PRIMARY KEY NOT NULL CHECK (contract_id <> ''),
    json TEXT NOT NULL
) STRICT;
CREATE TABLE "costs" (
    contract_id TEXT NOT NULL,
    action INTEGER NOT NULL CHECK (action >= 1),
    total_cost REAL NOT NULL CHECK (total_cost >= 0),
    subsidy_p104 REAL NOT NULL CHECK (subsidy_p104 >= 0 AND subsidy_p104 <= total_cost),
    PRIMARY KEY (contract_id, action)
) STRICT, WITHOUT ROWID;
CREATE TABLE fingerprint_cache (
    change_counter INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64)
) STRICT;
CREATE TABLE "housing_moves" (
    household_id TEXT NOT NULL CHECK (household_id <> ''),
    date INTEGER NOT NULL,
    housing_type TEXT NOT NULL CHECK (housing_type = 'social_rental' OR housing_type = 'private_rental' OR housing_type = 'residence_sociale' OR housing_type = 'fjt' OR housing_type = 'intermediated_rental' OR housing_type = 'pension_de_famille' OR housing_type = 'emergency' OR housing_type = 'hotel' OR housing_type = 'asylum_accommodation' OR housing_type = 'chrs' OR housing_type = 'family_or_friends' OR housing_type = 'street' OR housing_type = 'other'),
    PRIMARY KEY (household_id, date)
) STRICT, WITHOUT ROWID;
CREATE TABLE "journeys" (
    journey_id TEXT PRIMARY KEY NOT NULL CHECK (journey_id <> ''),
    person_id TEXT NOT NULL REFERENCES persons (person_id) ON UPDATE CASCADE,
    contract_id TEXT NOT NULL,
    action INTEGER NOT NULL CHECK (action >= 1),
    entry_date INTEGER NOT NULL,
    referral_source TEXT NOT NULL CHECK (referral_source = 'agir' OR referral_source = 'siao' OR referral_source = 'ccas' OR referral_source = 'social_worker' OR referral_source = 'association' OR referral_source = 'self' OR referral_source = 'other'),
    exit_date INTEGER,
    exit_reason TEXT,
    override_reason TEXT CHECK (override_reason IS NULL OR trim(override_reason) <> ''), step_count INTEGER NOT NULL DEFAULT 0, end_step_date INTEGER,
    CHECK (exit_date IS NULL OR exit_date >= entry_date),
    CHECK ((exit_date IS NULL) = (exit_reason IS NULL))
) STRICT, WITHOUT ROWID;
CREATE TABLE nationalities (
    person_id TEXT NOT NULL REFERENCES persons (person_id) ON UPDATE CASCADE ON DELETE CASCADE,
    position INTEGER NOT NULL,
    nationality TEXT NOT NULL CHECK (nationality = upper(nationality) AND (length(nationality) = 2 OR nationality = 'STATELESS' OR nationality = 'UNKNOWN')),
    acquired_on INTEGER,
    lost_on INTEGER,
    PRIMARY KEY (person_id, position),
    CHECK (lost_on IS NULL OR acquired_on IS NULL OR lost_on > acquired_on)
) STRICT, WITHOUT ROWID;
CREATE TABLE "participations" (
    activity_id TEXT NOT NULL REFERENCES activities (activity_id) ON UPDATE CASCADE ON DELETE CASCADE,
    person_id TEXT NOT NULL REFERENCES persons (person_id) ON UPDATE CASCADE ON DELETE CASCADE,
    satisfaction INTEGER CHECK (satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5),
    PRIMARY KEY (activity_id, person_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE "partnerships" (
    contract_id TEXT NOT NULL,
    action INTEGER NOT NULL CHECK (action >= 1),
    partner TEXT NOT NULL,
    theme TEXT NOT NULL,
    date INTEGER NOT NULL,
    PRIMARY KEY (contract_id, action, partner, theme, date)
) STRICT, WITHOUT ROWID;
CREATE TABLE "permits" (
    person_id TEXT NOT NULL REFERENCES persons (person_id) ON UPDATE CASCADE ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind = 'card' OR kind = 'vls_ts' OR kind = 'receipt' OR kind = 'aps' OR kind = 'asylum_certificate'),
    motive TEXT NOT NULL CHECK (motive = 'family' OR motive = 'work' OR motive = 'protection' OR motive = 'student' OR motive = 'student_mobility' OR motive = 'temporary_worker' OR motive = 'seasonal' OR motive = 'talent' OR motive = 'visitor' OR motive = 'trainee' OR motive = 'sick_foreigner' OR motive = 'temporary_protection' OR motive = 'other'),
    valid_from INTEGER NOT NULL,
    valid_to INTEGER,
    PRIMARY KEY (person_id, position),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
) STRICT, WITHOUT ROWID;
CREATE TABLE "persons" (
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
CREATE TABLE "protections" (
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
CREATE TABLE "referrals" (
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
CREATE TABLE "situations" (
    person_id TEXT NOT NULL REFERENCES persons (person_id) ON UPDATE CASCADE ON DELETE CASCADE,
    position INTEGER NOT NULL,
    situation TEXT NOT NULL CHECK (situation = 'asylum_seeker' OR situation = 'unaccompanied_minor' OR situation = 'irregular'),
    start INTEGER NOT NULL,
    "end" INTEGER,
    PRIMARY KEY (person_id, position),
    CHECK ("end" IS NULL OR "end" >= start)
) STRICT, WITHOUT ROWID;
CREATE TABLE "steps" (
    journey_id TEXT NOT NULL REFERENCES journeys (journey_id) ON UPDATE CASCADE ON DELETE CASCADE,
    position INTEGER NOT NULL,
    step TEXT NOT NULL CHECK (step = 'intake' OR step = 'diagnosis' OR step = 'support' OR step = 'follow_on' OR step = 'end_of_support'),
    date INTEGER NOT NULL,
    PRIMARY KEY (journey_id, position)
) STRICT, WITHOUT ROWID;
CREATE TABLE store_settings (
    effective INTEGER PRIMARY KEY,
    territory TEXT CHECK (territory IS NULL OR length(territory) BETWEEN 2 AND 3),
    policy TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE "volunteering" (
    person_id TEXT NOT NULL REFERENCES persons (person_id) ON UPDATE CASCADE ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind = 'engagement' OR kind = 'membership' OR kind = 'one_off'),
    start INTEGER NOT NULL,
    "end" INTEGER,
    association_type TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (person_id, kind, start),
    CHECK ("end" IS NULL OR "end" >= start)
) STRICT, WITHOUT ROWID;
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_log_person ON audit_log (person_id);
CREATE INDEX contract_documents_by_contract ON contract_documents (contract_id, effective);
CREATE INDEX journeys_action ON journeys (contract_id, action);
CREATE UNIQUE INDEX journeys_one_open ON journeys (person_id, contract_id, action)
    WHERE exit_date IS NULL;
CREATE INDEX journeys_person ON journeys (person_id, contract_id, action);
CREATE INDEX participations_person ON participations (person_id);
CREATE INDEX persons_household ON persons (household_id);
CREATE INDEX referrals_person ON referrals (person_id);
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE VIEW v_activities AS
SELECT activity_id, contract_id, action, kind, type, date(date + 2440587.5) AS date, hours,
       co_animated, structure
FROM activities;
CREATE VIEW v_agir_supports AS
SELECT person_id, date(orientation_date + 2440587.5) AS orientation_date,
       date(entry_date + 2440587.5) AS entry_date, date(exit_date + 2440587.5) AS exit_date,
       exit_housing, exit_activity, cdd_months
FROM agir_supports;
CREATE VIEW v_contract_documents AS
SELECT document_id, kind, contract_id, date(effective + 2440587.5) AS effective, json
FROM contract_documents;
CREATE VIEW v_housing_moves AS
SELECT household_id, date(date + 2440587.5) AS date, housing_type FROM housing_moves;
CREATE VIEW v_journeys AS
SELECT journey_id, person_id, contract_id, action, date(entry_date + 2440587.5) AS entry_date,
       referral_source, date(exit_date + 2440587.5) AS exit_date, exit_reason, override_reason,
       exit_date - entry_date AS length_days, step_count,
       date(end_step_date + 2440587.5) AS end_step_date
FROM journeys;
CREATE VIEW v_nationalities AS
SELECT person_id, position, nationality, date(acquired_on + 2440587.5) AS acquired_on,
       date(lost_on + 2440587.5) AS lost_on
FROM nationalities;
CREATE VIEW v_partnerships AS
SELECT contract_id, action, partner, theme, date(date + 2440587.5) AS date FROM partnerships;
CREATE VIEW v_permits AS
SELECT person_id, position, kind, motive, date(valid_from + 2440587.5) AS valid_from,
       date(valid_to + 2440587.5) AS valid_to
FROM permits;
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
CREATE VIEW v_protections AS
SELECT person_id, position, type, authority,
       date(decision_date + 2440587.5) AS decision_date,
       date(notification_date + 2440587.5) AS notification_date,
       date(displaced_on + 2440587.5) AS displaced_on, date(end_date + 2440587.5) AS end_date
FROM protections;
CREATE VIEW v_referrals AS
SELECT referral_id, person_id, "from", "to", need, status,
       date(proposed_on + 2440587.5) AS proposed_on, date(decided_on + 2440587.5) AS decided_on,
       date(completed_on + 2440587.5) AS completed_on, reason
FROM referrals;
CREATE VIEW v_situations AS
SELECT person_id, position, situation, date(start + 2440587.5) AS start,
       date("end" + 2440587.5) AS "end"
FROM situations;
CREATE VIEW v_steps AS
SELECT journey_id, position, step, date(date + 2440587.5) AS date FROM steps;
CREATE VIEW v_store_settings AS
SELECT date(effective + 2440587.5) AS effective, territory, policy
FROM store_settings;
CREATE VIEW v_volunteering AS
SELECT person_id, kind, date(start + 2440587.5) AS start, date("end" + 2440587.5) AS "end",
       association_type
FROM volunteering;
