-- Account plans (coaching-model R7), one per account (its id is the
-- account's): the assessment, the client's goals, objectives and
-- initiatives, the mutual-value plan (strategic), the people map (JSON list
-- of {name, title, role, stance, relationship}) and the action plan (JSON
-- list of {activity, time_frame, resources, owner, status}: tactical).
CREATE TABLE account_plans (
    org_id        TEXT NOT NULL REFERENCES organizations (id),
    id            TEXT NOT NULL,
    assessment    TEXT NOT NULL DEFAULT '',
    goals         TEXT NOT NULL DEFAULT '',
    mutual_value  TEXT NOT NULL DEFAULT '',
    people        TEXT NOT NULL DEFAULT '[]',
    actions       TEXT NOT NULL DEFAULT '[]',
    version       BIGINT NOT NULL DEFAULT 1,
    updated_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, id) REFERENCES accounts (org_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (org_id, updated_by) REFERENCES users (org_id, id)
);

-- What an account session dwelt on (R7): 'strategic' or 'tactical'.
ALTER TABLE coaching_sessions ADD COLUMN focus TEXT;

-- Whether every key account must have a plan (R7).
ALTER TABLE organizations ADD COLUMN key_accounts_need_plan BIGINT NOT NULL DEFAULT 0;
