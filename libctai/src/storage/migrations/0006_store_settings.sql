-- libctai store, schema version 6 (docs/storage.md).
-- store_settings: the settings of the store (domain R10), dated: each row is in force from
-- its effective day (included) until the next row's. territory: an INSEE département code
-- or NULL (checked by the library, is_departement_code); policy: the policy in force as
-- policy_to_json writes it (every option). One row per effective day: a second change
-- the same day replaces that day's row; the rows of other days are the history. Every
-- change is in the audit log (entity 'settings', entity_id the effective day).
-- Nothing to move: the table starts empty (a store without settings uses the default
-- policy, as in version 4).
-- The runner (migrate() in migrations.cpp) owns the transaction and sets user_version and
-- application_id.
-- Append-only: never edit this file once released; add 0006_*.sql instead.

CREATE TABLE store_settings (
    effective INTEGER PRIMARY KEY,
    territory TEXT CHECK (territory IS NULL OR length(territory) BETWEEN 2 AND 3),
    policy TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE VIEW v_store_settings AS
SELECT date(effective + 2440587.5) AS effective, territory, policy
FROM store_settings;
