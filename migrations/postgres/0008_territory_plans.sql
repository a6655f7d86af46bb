-- Territory plans (coaching-model R6), one per seller: the prioritization
-- scheme (JSON list of {measure, weight} and the shares of tiers A and B),
-- the call pattern (calls per account per month per tier, decimals as
-- text), and targeted messaging per segment (JSON list of {segment,
-- message}). Tiers are computed from the scheme; an adjustment of one
-- account's tier is kept with its reason, who made it and when.
CREATE TABLE territory_plans (
    org_id      TEXT NOT NULL REFERENCES organizations (id),
    seller_id   TEXT NOT NULL,
    criteria    TEXT NOT NULL,
    a_share     BIGINT NOT NULL,
    b_share     BIGINT NOT NULL,
    calls_a     TEXT NOT NULL,
    calls_b     TEXT NOT NULL,
    calls_c     TEXT NOT NULL,
    messaging   TEXT NOT NULL DEFAULT '[]',
    version     BIGINT NOT NULL DEFAULT 1,
    updated_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (org_id, seller_id),
    FOREIGN KEY (org_id, seller_id) REFERENCES users (org_id, id),
    FOREIGN KEY (org_id, updated_by) REFERENCES users (org_id, id)
);

CREATE TABLE territory_tiers (
    org_id      TEXT NOT NULL,
    seller_id   TEXT NOT NULL,
    account_id  TEXT NOT NULL,
    tier        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    set_by      TEXT NOT NULL,
    set_at      TEXT NOT NULL,
    PRIMARY KEY (org_id, seller_id, account_id),
    FOREIGN KEY (org_id, seller_id) REFERENCES users (org_id, id),
    FOREIGN KEY (org_id, account_id) REFERENCES accounts (org_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (org_id, set_by) REFERENCES users (org_id, id)
);
