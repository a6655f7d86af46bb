-- The seller's CRM records that coaching is about (coaching-model R1, R6–R9,
-- R20–R33): accounts, their contacts, opportunities with their stage history,
-- and customer calls. Each is owned by one person and matched on re-import by
-- its id in the CRM (source_id). Amounts are decimal text, never floats.

CREATE TABLE accounts (
    org_id          TEXT NOT NULL,
    id              TEXT NOT NULL,
    source_id       TEXT,
    name            TEXT NOT NULL,
    owner_id        TEXT NOT NULL,
    segment         TEXT,
    tier            TEXT,
    potential       TEXT,
    currency        TEXT,
    key_account     BIGINT NOT NULL DEFAULT 0,
    crm_updated_at  TEXT,
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, owner_id) REFERENCES users (org_id, id) DEFERRABLE INITIALLY DEFERRED
);
CREATE UNIQUE INDEX accounts_by_source ON accounts (org_id, source_id);
CREATE INDEX accounts_by_owner ON accounts (org_id, owner_id, name);

CREATE TABLE contacts (
    org_id          TEXT NOT NULL,
    id              TEXT NOT NULL,
    source_id       TEXT,
    name            TEXT NOT NULL,
    owner_id        TEXT NOT NULL,
    account_id      TEXT,
    title           TEXT,
    email           TEXT,
    buying_role     TEXT,
    stance          TEXT,
    crm_updated_at  TEXT,
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, owner_id) REFERENCES users (org_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (org_id, account_id) REFERENCES accounts (org_id, id) DEFERRABLE INITIALLY DEFERRED
);
CREATE UNIQUE INDEX contacts_by_source ON contacts (org_id, source_id);
CREATE INDEX contacts_by_owner ON contacts (org_id, owner_id, name);
CREATE INDEX contacts_by_account ON contacts (org_id, account_id);

CREATE TABLE opportunities (
    org_id          TEXT NOT NULL,
    id              TEXT NOT NULL,
    source_id       TEXT,
    name            TEXT NOT NULL,
    owner_id        TEXT NOT NULL,
    account_id      TEXT,
    amount          TEXT,
    currency        TEXT,
    stage           TEXT NOT NULL,
    crm_stage       TEXT NOT NULL,
    close_date      TEXT,
    created_on      TEXT,
    crm_updated_at  TEXT,
    next_step       TEXT,
    importance      TEXT,
    complexity      TEXT,
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, owner_id) REFERENCES users (org_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (org_id, account_id) REFERENCES accounts (org_id, id) DEFERRABLE INITIALLY DEFERRED
);
CREATE UNIQUE INDEX opportunities_by_source ON opportunities (org_id, source_id);
CREATE INDEX opportunities_by_owner ON opportunities (org_id, owner_id, stage);
CREATE INDEX opportunities_by_account ON opportunities (org_id, account_id);

-- References are checked when the transaction commits (DEFERRABLE INITIALLY
-- DEFERRED): an import writes many rows per statement, and SQLite then needs
-- no statement journal copying every page each statement changes. A record's
-- organization is checked through its owner (users belong to organizations).

-- Every stage an opportunity was seen in, with the date it got there: the
-- first one when it arrived, then each change found by a later import.
CREATE TABLE opportunity_stages (
    org_id          TEXT NOT NULL,
    opportunity_id  TEXT NOT NULL,
    changed_at      TEXT NOT NULL,
    seq             BIGINT NOT NULL,
    stage           TEXT NOT NULL,
    crm_stage       TEXT NOT NULL,
    PRIMARY KEY (org_id, opportunity_id, seq),
    FOREIGN KEY (org_id, opportunity_id) REFERENCES opportunities (org_id, id) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE calls (
    org_id          TEXT NOT NULL,
    id              TEXT NOT NULL,
    source_id       TEXT,
    subject         TEXT NOT NULL,
    owner_id        TEXT NOT NULL,
    occurred_at     TEXT NOT NULL,
    account_id      TEXT,
    opportunity_id  TEXT,
    kind            TEXT NOT NULL,
    importance      TEXT,
    outcome         TEXT,
    crm_updated_at  TEXT,
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, owner_id) REFERENCES users (org_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (org_id, account_id) REFERENCES accounts (org_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (org_id, opportunity_id) REFERENCES opportunities (org_id, id) DEFERRABLE INITIALLY DEFERRED
);
CREATE UNIQUE INDEX calls_by_source ON calls (org_id, source_id);
CREATE INDEX calls_by_owner ON calls (org_id, owner_id, occurred_at);
CREATE INDEX calls_by_opportunity ON calls (org_id, opportunity_id);

CREATE TABLE call_contacts (
    org_id      TEXT NOT NULL,
    call_id     TEXT NOT NULL,
    contact_id  TEXT NOT NULL,
    PRIMARY KEY (org_id, call_id, contact_id),
    FOREIGN KEY (org_id, call_id) REFERENCES calls (org_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (org_id, contact_id) REFERENCES contacts (org_id, id) DEFERRABLE INITIALLY DEFERRED
);

-- Files uploaded on the import page, kept until imported or a day old, so a
-- preview, a dry run and the import read the same bytes on any server.
CREATE TABLE import_uploads (
    org_id      TEXT NOT NULL REFERENCES organizations (id),
    id          TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    content     BLOB NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (org_id, id)
);
