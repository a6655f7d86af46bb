-- Call plans (coaching-model R28–R33): a seller's plan for an important call
-- on a deal (objective, desired outcome, agenda with timings, questions,
-- solutions, the buyer's interests and objections, the opening and the next
-- step to ask for), what happened against it, and a manager's feedback when
-- they attended (the call is then observed). A plan may come from an
-- opportunity session (R32).
CREATE TABLE call_plans (
    org_id           TEXT NOT NULL REFERENCES organizations (id),
    id               TEXT NOT NULL,
    seller_id        TEXT NOT NULL,
    opportunity_id   TEXT,
    session_id       TEXT,
    stage            TEXT,
    planned_for      TEXT NOT NULL,
    objective        TEXT NOT NULL,
    desired_outcome  TEXT NOT NULL,
    agenda           TEXT NOT NULL,
    questions        TEXT NOT NULL,
    solutions        TEXT NOT NULL,
    interests        TEXT NOT NULL,
    objections       TEXT NOT NULL,
    opening          TEXT NOT NULL,
    next_step        TEXT NOT NULL,
    outcome          TEXT,
    next_step_won    BIGINT,
    outcome_at       TEXT,
    attended_by      TEXT,
    feedback         TEXT NOT NULL DEFAULT '',
    feedback_at      TEXT,
    version          BIGINT NOT NULL DEFAULT 1,
    created_by       TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, seller_id) REFERENCES users (org_id, id),
    FOREIGN KEY (org_id, opportunity_id) REFERENCES opportunities (org_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (org_id, session_id) REFERENCES coaching_sessions (org_id, id),
    FOREIGN KEY (org_id, attended_by) REFERENCES users (org_id, id)
);
CREATE INDEX call_plans_by_seller ON call_plans (org_id, seller_id, planned_for);
CREATE INDEX call_plans_by_opportunity ON call_plans (org_id, opportunity_id);
