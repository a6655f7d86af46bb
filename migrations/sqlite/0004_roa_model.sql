-- The ROA model (coaching-model R1–R5, R44): business results driven by sales
-- objectives driven by sales activities; each activity type with its
-- standards, kept as versions so that scores are judged against the standard
-- in force when the activity happened; the activities sellers perform, their
-- quality scores, and the targets and entered values of results and
-- objectives.

-- Organizations get the default model once (when created, or by the first
-- `migrate` after this one for organizations that exist already).
ALTER TABLE organizations ADD COLUMN roa_seeded BIGINT NOT NULL DEFAULT 0;

-- Results and objectives (level), computed from CRM data or entered (metric).
CREATE TABLE roa_measures (
    org_id       TEXT NOT NULL REFERENCES organizations (id),
    id           TEXT NOT NULL,
    level        TEXT NOT NULL,
    name         TEXT NOT NULL,
    name_key     TEXT NOT NULL,
    description  TEXT NOT NULL,
    unit         TEXT NOT NULL,
    metric       TEXT NOT NULL,
    position     BIGINT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX roa_measures_by_name ON roa_measures (org_id, level, name_key);

-- An objective drives results (R2).
CREATE TABLE roa_objective_results (
    org_id        TEXT NOT NULL,
    objective_id  TEXT NOT NULL,
    result_id     TEXT NOT NULL,
    PRIMARY KEY (org_id, objective_id, result_id),
    FOREIGN KEY (org_id, objective_id) REFERENCES roa_measures (org_id, id),
    FOREIGN KEY (org_id, result_id) REFERENCES roa_measures (org_id, id)
);

CREATE TABLE activity_types (
    org_id       TEXT NOT NULL REFERENCES organizations (id),
    id           TEXT NOT NULL,
    name         TEXT NOT NULL,
    name_key     TEXT NOT NULL,
    grp          TEXT NOT NULL,
    description  TEXT NOT NULL,
    active       BIGINT NOT NULL DEFAULT 0,
    crm_source   TEXT,
    position     BIGINT NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX activity_types_by_name ON activity_types (org_id, name_key);

-- An activity drives objectives (R2).
CREATE TABLE activity_type_objectives (
    org_id            TEXT NOT NULL,
    activity_type_id  TEXT NOT NULL,
    objective_id      TEXT NOT NULL,
    PRIMARY KEY (org_id, activity_type_id, objective_id),
    FOREIGN KEY (org_id, activity_type_id) REFERENCES activity_types (org_id, id),
    FOREIGN KEY (org_id, objective_id) REFERENCES roa_measures (org_id, id)
);

-- Every version of an activity type's standards (R4): how many per period,
-- for which sellers (a team by its leader, or every seller), and the rubric
-- (JSON). A new version takes effect on its day; the old ones stay.
CREATE TABLE activity_standards (
    org_id            TEXT NOT NULL,
    activity_type_id  TEXT NOT NULL,
    seq               BIGINT NOT NULL,
    quantity          BIGINT NOT NULL,
    per               TEXT NOT NULL,
    team_id           TEXT,
    rubric            TEXT NOT NULL,
    effective_on      TEXT NOT NULL,
    created_by        TEXT,
    created_at        TEXT NOT NULL,
    PRIMARY KEY (org_id, activity_type_id, seq),
    FOREIGN KEY (org_id, activity_type_id) REFERENCES activity_types (org_id, id)
);

-- What sellers did: logged by hand or through the API, or counted from a CRM
-- record the organization maps to the activity type (a call of a kind, an
-- opportunity opened).
CREATE TABLE activities (
    org_id            TEXT NOT NULL,
    id                TEXT NOT NULL,
    activity_type_id  TEXT NOT NULL,
    seller_id         TEXT NOT NULL,
    occurred_on       TEXT NOT NULL,
    note              TEXT NOT NULL,
    call_id           TEXT,
    opportunity_id    TEXT,
    logged_by         TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, activity_type_id) REFERENCES activity_types (org_id, id),
    FOREIGN KEY (org_id, seller_id) REFERENCES users (org_id, id),
    FOREIGN KEY (org_id, call_id) REFERENCES calls (org_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (org_id, opportunity_id) REFERENCES opportunities (org_id, id) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX activities_by_seller ON activities (org_id, seller_id, occurred_on, activity_type_id);
CREATE INDEX activities_by_day ON activities (org_id, occurred_on, id);
CREATE INDEX activities_by_type ON activities (org_id, activity_type_id, occurred_on);
CREATE UNIQUE INDEX activities_by_call ON activities (org_id, call_id, activity_type_id);
CREATE UNIQUE INDEX activities_by_opportunity ON activities (org_id, opportunity_id, activity_type_id);

-- A manager's judgement of one activity against the rubric in force on its
-- day: one level per criterion (JSON). The activity's seller, type and day
-- are copied here (an activity never changes them), so a scorecard reads a
-- period's scores without visiting every activity.
CREATE TABLE activity_scores (
    org_id            TEXT NOT NULL,
    activity_id       TEXT NOT NULL,
    seller_id         TEXT NOT NULL,
    activity_type_id  TEXT NOT NULL,
    occurred_on       TEXT NOT NULL,
    standard_seq      BIGINT NOT NULL,
    levels        TEXT NOT NULL,
    comment       TEXT NOT NULL,
    scored_by     TEXT NOT NULL,
    scored_at     TEXT NOT NULL,
    PRIMARY KEY (org_id, activity_id),
    FOREIGN KEY (org_id, activity_id) REFERENCES activities (org_id, id),
    FOREIGN KEY (org_id, scored_by) REFERENCES users (org_id, id)
);
CREATE INDEX activity_scores_by_seller ON activity_scores (org_id, seller_id, occurred_on);

-- Targets for a period ("2026-11", "2026-Q4") for the organization (no team,
-- no seller), a team (its leader) or one seller; the nearest one applies.
CREATE TABLE roa_targets (
    org_id      TEXT NOT NULL,
    measure_id  TEXT NOT NULL,
    period      TEXT NOT NULL,
    scope       TEXT NOT NULL,
    value       TEXT NOT NULL,
    set_by      TEXT NOT NULL,
    set_at      TEXT NOT NULL,
    PRIMARY KEY (org_id, measure_id, period, scope),
    FOREIGN KEY (org_id, measure_id) REFERENCES roa_measures (org_id, id)
);

-- Values of entered measures, per seller and period.
CREATE TABLE roa_values (
    org_id      TEXT NOT NULL,
    measure_id  TEXT NOT NULL,
    seller_id   TEXT NOT NULL,
    period      TEXT NOT NULL,
    value       TEXT NOT NULL,
    entered_by  TEXT NOT NULL,
    entered_at  TEXT NOT NULL,
    PRIMARY KEY (org_id, measure_id, seller_id, period),
    FOREIGN KEY (org_id, measure_id) REFERENCES roa_measures (org_id, id),
    FOREIGN KEY (org_id, seller_id) REFERENCES users (org_id, id)
);
