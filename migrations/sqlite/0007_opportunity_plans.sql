-- Opportunity plans (coaching-model R16, R20–R24): per deal, the buyer
-- evidence of each buying stage (a note per item; empty while it is not in),
-- the concerns the buyer raised (JSON list of {text, response, addressed},
-- with the count still open kept beside it for lists), the stage the deal
-- stands in by that evidence, the verdict on whether it is worth pursuing
-- with its reasons, and when negotiation started, by whom, and the reason
-- given if concerns were still open (R23). The plan's id is its deal's id.
CREATE TABLE opportunity_plans (
    org_id                  TEXT NOT NULL REFERENCES organizations (id),
    id                      TEXT NOT NULL,
    stage                   TEXT NOT NULL,
    buying_process          TEXT NOT NULL DEFAULT '',
    decision_makers         TEXT NOT NULL DEFAULT '',
    needs                   TEXT NOT NULL DEFAULT '',
    budget                  TEXT NOT NULL DEFAULT '',
    criteria                TEXT NOT NULL DEFAULT '',
    competitors             TEXT NOT NULL DEFAULT '',
    view_of_ours            TEXT NOT NULL DEFAULT '',
    view_of_competitors     TEXT NOT NULL DEFAULT '',
    terms                   TEXT NOT NULL DEFAULT '',
    implementation          TEXT NOT NULL DEFAULT '',
    concerns                TEXT NOT NULL DEFAULT '[]',
    open_concerns           BIGINT NOT NULL DEFAULT 0,
    verdict                 TEXT NOT NULL DEFAULT 'undecided',
    verdict_reasons         TEXT NOT NULL DEFAULT '',
    negotiation_started_at  TEXT,
    negotiation_started_by  TEXT,
    negotiation_override    TEXT,
    version                 BIGINT NOT NULL DEFAULT 1,
    updated_by              TEXT NOT NULL,
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, id) REFERENCES opportunities (org_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (org_id, updated_by) REFERENCES users (org_id, id),
    FOREIGN KEY (org_id, negotiation_started_by) REFERENCES users (org_id, id)
);

-- Every move of a deal's evidence stage: who moved it, from where, when.
CREATE TABLE opportunity_stage_moves (
    org_id          TEXT NOT NULL,
    opportunity_id  TEXT NOT NULL,
    seq             BIGINT NOT NULL,
    from_stage      TEXT NOT NULL,
    to_stage        TEXT NOT NULL,
    moved_by        TEXT NOT NULL,
    moved_at        TEXT NOT NULL,
    PRIMARY KEY (org_id, opportunity_id, seq),
    FOREIGN KEY (org_id, opportunity_id) REFERENCES opportunity_plans (org_id, id),
    FOREIGN KEY (org_id, moved_by) REFERENCES users (org_id, id)
);

-- Which deals need a formal plan (R16): open deals at or past a stage that
-- meet any one threshold. An empty threshold is no rule.
ALTER TABLE organizations ADD COLUMN formal_plan_min_amount TEXT;
ALTER TABLE organizations ADD COLUMN formal_plan_currency TEXT;
ALTER TABLE organizations ADD COLUMN formal_plan_min_importance TEXT DEFAULT 'high';
ALTER TABLE organizations ADD COLUMN formal_plan_min_complexity TEXT DEFAULT 'high';
ALTER TABLE organizations ADD COLUMN formal_plan_from_stage TEXT NOT NULL DEFAULT 'identify_needs';
