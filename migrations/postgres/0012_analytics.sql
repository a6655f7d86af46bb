-- Coaching analytics (coaching-model R14, R15, R25, R45).

-- The organization's moderate band of coaching per seller per month (R15):
-- the most successful managers coach a moderate amount; the least
-- successful gravitate to either extreme.
ALTER TABLE organizations ADD COLUMN band_low_minutes BIGINT NOT NULL DEFAULT 120;
ALTER TABLE organizations ADD COLUMN band_high_minutes BIGINT NOT NULL DEFAULT 360;

-- An agenda item that checks numbers rather than coaches (R15: inspection
-- correlates negatively with performance).
ALTER TABLE agenda_items ADD COLUMN inspection BIGINT NOT NULL DEFAULT 0;

-- Whether a deal was coached, and at which stage (R25): agenda items by
-- what they are about.
CREATE INDEX agenda_items_by_subject ON agenda_items (org_id, subject_kind, subject_id);
