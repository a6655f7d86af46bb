-- The coaching conversation (coaching-model R14, R26–R27, R34–R43): sessions
-- between a manager and a seller with their life cycle, the written agenda in
-- its three sections, each side's notes, the action items that come back until
-- closed, the manager's prepared questions from the organization's bank, the
-- seller's feedback and a director's observation.

-- How the organization runs its coaching: the fewest answers before a manager
-- sees feedback (R40), the seller's preparation deadline in working days
-- before the session and how fresh a picked deal's CRM data must be (R27),
-- the published criteria for picking deals, and whether the agenda templates
-- and question bank were given their defaults.
ALTER TABLE organizations ADD COLUMN feedback_min_answers BIGINT NOT NULL DEFAULT 5;
ALTER TABLE organizations ADD COLUMN prep_working_days BIGINT NOT NULL DEFAULT 2;
ALTER TABLE organizations ADD COLUMN crm_fresh_days BIGINT NOT NULL DEFAULT 7;
ALTER TABLE organizations ADD COLUMN deal_criteria TEXT NOT NULL DEFAULT '';
ALTER TABLE organizations ADD COLUMN coaching_seeded BIGINT NOT NULL DEFAULT 0;

-- A session. `original_starts_at` is the time first scheduled, kept when the
-- session is moved (R14: moved rather than dropped). `agenda_agreed_at` and
-- `agenda_reviewed_at` are the opening and the close (R34).
CREATE TABLE coaching_sessions (
    org_id               TEXT NOT NULL REFERENCES organizations (id),
    id                   TEXT NOT NULL,
    kind                 TEXT NOT NULL,
    manager_id           TEXT NOT NULL,
    seller_id            TEXT NOT NULL,
    observer_id          TEXT,
    series_id            TEXT,
    ad_hoc               BIGINT NOT NULL DEFAULT 0,
    status               TEXT NOT NULL,
    starts_at            TEXT NOT NULL,
    minutes              BIGINT NOT NULL,
    original_starts_at   TEXT,
    desired_outcome      TEXT NOT NULL,
    prep_due_on          TEXT NOT NULL,
    seller_prepared_at   TEXT,
    manager_prepared_at  TEXT,
    prep_minutes         BIGINT NOT NULL DEFAULT 0,
    agenda_agreed_at     TEXT,
    agenda_reviewed_at   TEXT,
    phase                TEXT NOT NULL DEFAULT 'opening',
    cancel_reason        TEXT NOT NULL DEFAULT '',
    version              BIGINT NOT NULL DEFAULT 1,
    created_by           TEXT NOT NULL,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, manager_id) REFERENCES users (org_id, id),
    FOREIGN KEY (org_id, seller_id) REFERENCES users (org_id, id),
    FOREIGN KEY (org_id, observer_id) REFERENCES users (org_id, id)
);
CREATE INDEX coaching_sessions_by_seller ON coaching_sessions (org_id, seller_id, starts_at);
CREATE INDEX coaching_sessions_by_manager ON coaching_sessions (org_id, manager_id, starts_at);
CREATE INDEX coaching_sessions_by_start ON coaching_sessions (org_id, starts_at, id);

-- The agenda: items in three sections (review, focus, next_steps, R35), each
-- with a time allotment, what it is about, the decision taken and the time
-- spent on it in the room.
CREATE TABLE agenda_items (
    org_id            TEXT NOT NULL,
    id                TEXT NOT NULL,
    session_id        TEXT NOT NULL,
    section           TEXT NOT NULL,
    position          BIGINT NOT NULL,
    title             TEXT NOT NULL,
    minutes           BIGINT NOT NULL,
    subject_kind      TEXT,
    subject_id        TEXT,
    decision          TEXT NOT NULL DEFAULT '',
    spent_seconds     BIGINT NOT NULL DEFAULT 0,
    timer_started_at  TEXT,
    added_by          TEXT NOT NULL,
    version           BIGINT NOT NULL DEFAULT 1,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, session_id) REFERENCES coaching_sessions (org_id, id)
);
CREATE INDEX agenda_items_by_session ON agenda_items (org_id, session_id, position);

-- Each side's notes (R38): private to the author unless shared.
CREATE TABLE session_notes (
    org_id      TEXT NOT NULL,
    id          TEXT NOT NULL,
    session_id  TEXT NOT NULL,
    author_id   TEXT NOT NULL,
    shared      BIGINT NOT NULL DEFAULT 0,
    body        TEXT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, session_id) REFERENCES coaching_sessions (org_id, id),
    FOREIGN KEY (org_id, author_id) REFERENCES users (org_id, id)
);
CREATE INDEX session_notes_by_session ON session_notes (org_id, session_id, author_id);

-- Commitments (R39, R41): an owner, a due date and a status, back in every
-- session's review until closed.
CREATE TABLE action_items (
    org_id        TEXT NOT NULL,
    id            TEXT NOT NULL,
    session_id    TEXT,
    seller_id     TEXT NOT NULL,
    owner_id      TEXT NOT NULL,
    title         TEXT NOT NULL,
    subject_kind  TEXT,
    subject_id    TEXT,
    due_on        TEXT NOT NULL,
    status        TEXT NOT NULL,
    closed_on     TEXT,
    created_by    TEXT NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, session_id) REFERENCES coaching_sessions (org_id, id),
    FOREIGN KEY (org_id, seller_id) REFERENCES users (org_id, id),
    FOREIGN KEY (org_id, owner_id) REFERENCES users (org_id, id)
);
CREATE INDEX action_items_by_seller ON action_items (org_id, seller_id, status, due_on);
CREATE INDEX action_items_by_owner ON action_items (org_id, owner_id, status, due_on);
CREATE INDEX action_items_by_session ON action_items (org_id, session_id);
CREATE INDEX action_items_by_due ON action_items (org_id, due_on, id);

-- The organization's question bank (R37), by kind of coaching and buying stage.
CREATE TABLE question_bank (
    org_id      TEXT NOT NULL REFERENCES organizations (id),
    id          TEXT NOT NULL,
    kind        TEXT NOT NULL,
    stage       TEXT,
    open_ended  BIGINT NOT NULL,
    text        TEXT NOT NULL,
    position    BIGINT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (org_id, id)
);
CREATE INDEX question_bank_by_kind ON question_bank (org_id, kind, position);

-- The questions a manager prepared for a session (R37).
CREATE TABLE session_questions (
    org_id      TEXT NOT NULL,
    id          TEXT NOT NULL,
    session_id  TEXT NOT NULL,
    position    BIGINT NOT NULL,
    text        TEXT NOT NULL,
    open_ended  BIGINT NOT NULL,
    asked       BIGINT NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, session_id) REFERENCES coaching_sessions (org_id, id)
);
CREATE INDEX session_questions_by_session ON session_questions (org_id, session_id, position);

-- Agenda templates per kind of coaching (items as JSON).
CREATE TABLE agenda_templates (
    org_id           TEXT NOT NULL REFERENCES organizations (id),
    kind             TEXT NOT NULL,
    desired_outcome  TEXT NOT NULL,
    items            TEXT NOT NULL,
    updated_by       TEXT,
    updated_at       TEXT NOT NULL,
    PRIMARY KEY (org_id, kind)
);

-- A seller's feedback on a session (R40); managers see it only in aggregate.
CREATE TABLE session_feedback (
    org_id           TEXT NOT NULL,
    session_id       TEXT NOT NULL,
    seller_id        TEXT NOT NULL,
    manager_id       TEXT NOT NULL,
    most_valuable    TEXT NOT NULL,
    could_be_better  TEXT NOT NULL,
    rating           BIGINT NOT NULL,
    would_pay        BIGINT NOT NULL,
    created_at       TEXT NOT NULL,
    PRIMARY KEY (org_id, session_id),
    FOREIGN KEY (org_id, session_id) REFERENCES coaching_sessions (org_id, id)
);
CREATE INDEX session_feedback_by_manager ON session_feedback (org_id, manager_id, created_at);

-- A director's observation of a manager's session (R43): the checks as JSON.
CREATE TABLE session_observations (
    org_id       TEXT NOT NULL,
    session_id   TEXT NOT NULL,
    observer_id  TEXT NOT NULL,
    manager_id   TEXT NOT NULL,
    checks       TEXT NOT NULL,
    comment      TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (org_id, session_id),
    FOREIGN KEY (org_id, session_id) REFERENCES coaching_sessions (org_id, id),
    FOREIGN KEY (org_id, observer_id) REFERENCES users (org_id, id)
);
CREATE INDEX session_observations_by_manager ON session_observations (org_id, manager_id, created_at);
