-- Organizations, people, roles, reporting lines, sign-in sessions, API tokens
-- and login throttling. Every tenant table carries org_id and leads its keys
-- with it (docs/scaling.md).

CREATE TABLE organizations (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    time_zone   TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE users (
    org_id         TEXT NOT NULL REFERENCES organizations (id),
    id             TEXT NOT NULL,
    email          TEXT NOT NULL,
    name           TEXT NOT NULL,
    password_hash  TEXT,
    manager_id     TEXT,
    time_zone      TEXT NOT NULL,
    crm_id         TEXT,
    active         BIGINT NOT NULL DEFAULT 1,
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    deactivated_at TEXT,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, email),
    FOREIGN KEY (org_id, manager_id) REFERENCES users (org_id, id)
);
CREATE INDEX users_by_manager ON users (org_id, manager_id);

-- The one lookup made before the organization is known: sign-in by email.
CREATE TABLE login_emails (
    email    TEXT PRIMARY KEY,
    org_id   TEXT NOT NULL,
    user_id  TEXT NOT NULL,
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);

CREATE TABLE user_roles (
    org_id   TEXT NOT NULL,
    user_id  TEXT NOT NULL,
    role     TEXT NOT NULL,
    PRIMARY KEY (org_id, user_id, role),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);

CREATE TABLE web_sessions (
    id_hash       TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    csrf_token    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);
CREATE INDEX web_sessions_by_user ON web_sessions (org_id, user_id);
CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_at);

CREATE TABLE api_tokens (
    org_id        TEXT NOT NULL,
    id            TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    prefix        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    last_used_at  TEXT,
    revoked_at    TEXT,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);
CREATE INDEX api_tokens_by_user ON api_tokens (org_id, user_id);

CREATE TABLE login_attempts (
    throttle_key  TEXT NOT NULL,
    at            TEXT NOT NULL
);
CREATE INDEX login_attempts_by_key ON login_attempts (throttle_key, at);
CREATE INDEX login_attempts_by_time ON login_attempts (at);
