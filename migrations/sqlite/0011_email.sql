-- Email: reminders, digests and invitations (coaching-model R14, R27, R35,
-- R39, R43; reliability T15).

-- What the organization asks of email: the kinds a person cannot turn off,
-- and how many hours before a seller's preparation deadline the reminder
-- goes (R27).
ALTER TABLE organizations ADD COLUMN email_required TEXT NOT NULL DEFAULT '';
ALTER TABLE organizations ADD COLUMN prep_reminder_hours BIGINT NOT NULL DEFAULT 24;

-- The outbox: a message is written here in the same transaction as the
-- change that causes it, and the background sender delivers it. A message
-- names what it is about; its text is written when it is sent, from the
-- records as they are then. `dedupe` makes each reminder once per
-- occurrence, whichever process schedules it. A sender claims a message
-- until `claimed_until`; one that died holding it gives it up when that
-- passes, so a crash sends a message at most once more.
CREATE TABLE outbox (
    org_id         TEXT NOT NULL REFERENCES organizations (id),
    id             TEXT NOT NULL,
    kind           TEXT NOT NULL,
    recipient_id   TEXT NOT NULL,
    about          TEXT NOT NULL DEFAULT '',
    detail         TEXT NOT NULL DEFAULT '',
    dedupe         TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    send_after     TEXT NOT NULL,
    expires_at     TEXT NOT NULL,
    attempts       BIGINT NOT NULL DEFAULT 0,
    claimed_by     TEXT,
    claimed_until  TEXT,
    sent_at        TEXT,
    dropped_at     TEXT,
    last_error     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, dedupe),
    FOREIGN KEY (org_id, recipient_id) REFERENCES users (org_id, id)
);
CREATE INDEX outbox_waiting ON outbox (send_after) WHERE sent_at IS NULL AND dropped_at IS NULL;
CREATE INDEX outbox_recent ON outbox (org_id, created_at);

-- What each person chose to get; a kind without a row is on.
CREATE TABLE email_preferences (
    org_id      TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    enabled     BIGINT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (org_id, user_id, kind),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);

-- Unsubscribe links: one secret per person and kind, good for that person
-- and that kind only, used without signing in.
CREATE TABLE unsubscribe_links (
    org_id      TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    secret      TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (org_id, user_id, kind),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);

-- Scheduled jobs: one process at a time runs a job for an organization,
-- holding it until `leased_until`.
CREATE TABLE jobs (
    org_id        TEXT NOT NULL REFERENCES organizations (id),
    name          TEXT NOT NULL,
    leased_by     TEXT,
    leased_until  TEXT,
    last_run_at   TEXT,
    PRIMARY KEY (org_id, name)
);
