-- libctai store, schema version 4 (docs/storage.md): contracts over time (domain R10).
-- The avenants and local AGIR conventions loaded by users, one row each, beside the
-- contracts table: the document as JSON in the contract file format (docs/contracts.md,
-- `kind` "avenant" or "convention"), and the columns the library selects on (its
-- contract, its effective date as a day number). A document names a built-in contract or
-- one of `contracts`: no foreign key (built-in contracts are not rows); the library
-- refuses a document whose contract it does not know. The history is the rows themselves
-- (the contract as amended on a date is computed from them) and the audit log of their
-- changes.
-- The runner (migrate() in migrations.cpp) owns the transaction and sets user_version and
-- application_id. Append-only: never edit this file once released.

CREATE TABLE contract_documents (
    document_id TEXT PRIMARY KEY NOT NULL CHECK (document_id <> ''),
    kind TEXT NOT NULL CHECK (kind = 'avenant' OR kind = 'convention'),
    contract_id TEXT NOT NULL CHECK (contract_id <> ''),
    effective INTEGER NOT NULL,
    json TEXT NOT NULL
) STRICT;

CREATE INDEX contract_documents_by_contract ON contract_documents (contract_id, effective);

CREATE VIEW v_contract_documents AS
SELECT document_id, kind, contract_id, date(effective + 2440587.5) AS effective, json
FROM contract_documents;
