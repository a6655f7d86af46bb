-- The coaching rhythm (coaching-model R10–R19).

-- The cadence policy: for each kind of coaching, how often and how long.
-- `scope` is '' for the organization's policy and a manager's id for their
-- team's override (R10–R13).
CREATE TABLE cadence_policies (
    org_id       TEXT NOT NULL REFERENCES organizations (id),
    scope        TEXT NOT NULL,
    kind         TEXT NOT NULL,
    every_weeks  BIGINT NOT NULL,
    minutes      BIGINT NOT NULL,
    updated_by   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (org_id, scope, kind)
);

-- A manager's availability and rhythm preferences (R17–R19): the working
-- day in their time zone, the most minutes a week for coaching and its
-- preparation, coaching days, breaks, preparation as a share of the
-- session, days off, and where to read their busy times.
CREATE TABLE rhythm_settings (
    org_id            TEXT NOT NULL,
    user_id           TEXT NOT NULL,
    day_start         TEXT NOT NULL,
    day_end           TEXT NOT NULL,
    minutes_per_week  BIGINT NOT NULL,
    coaching_days     TEXT NOT NULL,
    break_minutes     BIGINT NOT NULL,
    prep_percent      BIGINT NOT NULL,
    weekly_calls      BIGINT NOT NULL DEFAULT 0,
    days_off          TEXT NOT NULL DEFAULT '',
    busy_url          TEXT NOT NULL DEFAULT '',
    busy_read_at      TEXT,
    updated_at        TEXT NOT NULL,
    PRIMARY KEY (org_id, user_id),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);

-- Busy times from a manager's own calendar: an uploaded export or their
-- free/busy URL. Replaced as a whole on each upload or read.
CREATE TABLE busy_times (
    org_id     TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    starts_at  TEXT NOT NULL,
    ends_at    TEXT NOT NULL,
    source     TEXT NOT NULL,
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);
CREATE INDEX busy_times_by_user ON busy_times (org_id, user_id, starts_at);

-- Recurring coaching: one series per seller and kind, applied from the
-- rhythm planner. Its slots are every `every_weeks` weeks from `first_at`
-- at the same local time in `time_zone`; `slot_count` of them. Re-planning
-- ends a series (`ended_at`) and keeps its past sessions.
CREATE TABLE coaching_series (
    org_id        TEXT NOT NULL REFERENCES organizations (id),
    id            TEXT NOT NULL,
    manager_id    TEXT NOT NULL,
    seller_id     TEXT NOT NULL,
    kind          TEXT NOT NULL,
    every_weeks   BIGINT NOT NULL,
    minutes       BIGINT NOT NULL,
    prep_minutes  BIGINT NOT NULL,
    time_zone     TEXT NOT NULL,
    first_at      TEXT NOT NULL,
    slot_count    BIGINT NOT NULL,
    ended_at      TEXT,
    sequence      BIGINT NOT NULL DEFAULT 0,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, manager_id) REFERENCES users (org_id, id),
    FOREIGN KEY (org_id, seller_id) REFERENCES users (org_id, id)
);
CREATE INDEX coaching_series_by_manager ON coaching_series (org_id, manager_id, ended_at);
CREATE INDEX coaching_series_by_seller ON coaching_series (org_id, seller_id);

-- The slot of its series a session fills, and the manager's preparation
-- block before it (R18).
ALTER TABLE coaching_sessions ADD COLUMN slot_at TEXT;
ALTER TABLE coaching_sessions ADD COLUMN prep_starts_at TEXT;
CREATE INDEX coaching_sessions_by_series ON coaching_sessions (org_id, series_id, slot_at);

-- Calendar feeds (T14): one secret per person, in the feed's URL only.
-- Rotating replaces it, which ends the old URL.
CREATE TABLE calendar_feeds (
    org_id      TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    secret      TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (org_id, user_id),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);
