//! What the coaching analytics read (R14–R45): the facts of a window for a
//! set of sellers or the whole organization, loaded with a few indexed
//! queries and computed in `coach_core::analytics`; and a synthetic history
//! written in bulk, for the demo and the benchmark (`history`).

mod history;

use crate::crm::records::{Sql, date, instant};
use crate::{Result, Store};
use chrono::{Duration, NaiveDate, NaiveTime};
use chrono_tz::Tz;
use coach_core::analytics::{
    ActionFact, CallFact, DealFact, Facts, FeedbackFact, ItemFact, PlanFact, SessionFact, Window,
    classify, stage_on,
};
use coach_core::coaching::{FeedbackAnswer, SessionStatus};
use coach_core::crm::BuyingStage;
use coach_core::time::to_db;
use sqlx::Row as _;
use sqlx::any::AnyRow;
use std::collections::BTreeMap;

/// Whose facts: some sellers (and the managers whose feedback counts), or
/// everyone in the organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Everyone.
    Organization,
    /// These sellers, and feedback about these managers.
    People {
        /// Sellers.
        sellers: Vec<String>,
        /// Managers.
        managers: Vec<String>,
    },
}

fn flag(row: &AnyRow, column: &str) -> Result<bool> {
    Ok(row.try_get::<Option<i64>, _>(column)?.unwrap_or(0) != 0)
}

fn number(row: &AnyRow, column: &str) -> Result<u32> {
    Ok(u32::try_from(row.try_get::<i64, _>(column)?.max(0)).unwrap_or(u32::MAX))
}

fn text(row: &AnyRow, column: &str) -> Result<String> {
    Ok(row
        .try_get::<Option<String>, _>(column)?
        .unwrap_or_default())
}

/// The first ten characters of a date or instant as a date.
fn day_of(raw: &str) -> Option<NaiveDate> {
    raw.get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

/// Instants that may fall on the window's days in any time zone: a day of
/// margin on either side; the exact days are decided in the zone.
fn instant_bounds(window: &Window) -> (String, String) {
    let at = |d: NaiveDate| to_db(d.and_time(NaiveTime::MIN).and_utc());
    (
        at(window.from - Duration::days(1)),
        at(window.to + Duration::days(2)),
    )
}

/// Deal stage histories, oldest first, for these deals.
async fn stage_histories(
    store: &Store,
    org_id: &str,
    ids: &[String],
) -> Result<BTreeMap<String, Vec<(NaiveDate, BuyingStage)>>> {
    let mut out: BTreeMap<String, Vec<(NaiveDate, BuyingStage)>> = BTreeMap::new();
    for chunk in ids.chunks(2000) {
        let mut q = Sql::new("", org_id);
        q.push(
            "SELECT opportunity_id, changed_at, stage FROM opportunity_stages WHERE org_id = $1",
        )
        .and_within(store.backend(), "opportunity_id", chunk)
        .push(" ORDER BY opportunity_id, seq");
        for row in q.fetch(store).await? {
            let (Some(day), Ok(stage)) = (
                day_of(&text(&row, "changed_at")?),
                text(&row, "stage")?.parse::<BuyingStage>(),
            ) else {
                continue;
            };
            out.entry(row.try_get("opportunity_id")?)
                .or_default()
                .push((day, stage));
        }
    }
    Ok(out)
}

impl Store {
    /// The facts of `window` (days in `tz`) for `scope`: sessions with their
    /// focused items, commitments that came due in it or are still open,
    /// feedback, important calls and planned calls.
    pub async fn practice_facts(
        &self,
        org_id: &str,
        scope: &Scope,
        window: &Window,
        tz: Tz,
    ) -> Result<Facts> {
        let (lo, hi) = instant_bounds(window);
        let local_day =
            |raw: &str| coach_core::time::from_db(raw).map(|t| t.with_timezone(&tz).date_naive());
        let sellers = |q: &mut Sql, column: &str| {
            if let Scope::People { sellers, .. } = scope {
                q.and_within(self.backend(), column, sellers);
            }
        };

        // Sessions.
        let mut q = Sql::new("", org_id);
        q.push(
            "SELECT s.id, s.manager_id, s.seller_id, s.kind, s.status, s.ad_hoc, s.original_starts_at, s.starts_at, \
             s.minutes, s.prep_minutes, s.agenda_agreed_at, s.agenda_reviewed_at, o.session_id AS observed, \
             (SELECT COUNT(*) FROM action_items a WHERE a.org_id = s.org_id AND a.session_id = s.id) AS actions \
             FROM coaching_sessions s LEFT JOIN session_observations o ON o.org_id = s.org_id AND o.session_id = s.id \
             WHERE s.org_id = $1",
        )
        .and(" AND s.starts_at >= ?", lo.clone())
        .and(" AND s.starts_at < ?", hi.clone());
        sellers(&mut q, "s.seller_id");
        let mut sessions = Vec::new();
        let mut index: BTreeMap<String, usize> = BTreeMap::new();
        for row in q.fetch(self).await? {
            let Some(day) = local_day(&text(&row, "starts_at")?) else {
                continue;
            };
            let (Ok(kind), Ok(status)) = (
                text(&row, "kind")?.parse(),
                text(&row, "status")?.parse::<SessionStatus>(),
            ) else {
                continue;
            };
            if !window.contains(day) {
                continue;
            }
            let id: String = row.try_get("id")?;
            index.insert(id.clone(), sessions.len());
            sessions.push(SessionFact {
                id,
                manager_id: row.try_get("manager_id")?,
                seller_id: row.try_get("seller_id")?,
                kind,
                status,
                ad_hoc: flag(&row, "ad_hoc")?,
                moved: row
                    .try_get::<Option<String>, _>("original_starts_at")?
                    .is_some(),
                day,
                minutes: number(&row, "minutes")?,
                prep_minutes: number(&row, "prep_minutes")?,
                agenda_agreed: row
                    .try_get::<Option<String>, _>("agenda_agreed_at")?
                    .is_some(),
                agenda_reviewed: row
                    .try_get::<Option<String>, _>("agenda_reviewed_at")?
                    .is_some(),
                next_steps: row.try_get::<i64, _>("actions")? > 0,
                observed: row.try_get::<Option<String>, _>("observed")?.is_some(),
                items: Vec::new(),
            });
        }

        // Focused-discussion items of held sessions, with their deal.
        let mut q = Sql::new("", org_id);
        q.push(
            "SELECT ai.session_id, ai.minutes, ai.spent_seconds, ai.inspection, ai.subject_kind, ai.subject_id \
             FROM coaching_sessions s JOIN agenda_items ai ON ai.org_id = s.org_id AND ai.session_id = s.id \
             WHERE s.org_id = $1 AND s.status = 'held' AND ai.section = 'focus'",
        )
        .and(" AND s.starts_at >= ?", lo.clone())
        .and(" AND s.starts_at < ?", hi.clone());
        sellers(&mut q, "s.seller_id");
        let rows = q.fetch(self).await?;
        let deal_ids: Vec<String> = rows
            .iter()
            .filter(|r| text(r, "subject_kind").ok().as_deref() == Some("opportunity"))
            .filter_map(|r| text(r, "subject_id").ok())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let histories = stage_histories(self, org_id, &deal_ids).await?;
        for row in rows {
            let Some(&n) = index.get(&text(&row, "session_id")?) else {
                continue;
            };
            let spent = row.try_get::<i64, _>("spent_seconds")?;
            let minutes = if spent > 0 {
                u32::try_from((spent + 30) / 60).unwrap_or(u32::MAX)
            } else {
                number(&row, "minutes")?
            };
            let stage = if text(&row, "subject_kind")? == "opportunity" {
                histories
                    .get(&text(&row, "subject_id")?)
                    .and_then(|h| stage_on(h, sessions[n].day))
            } else {
                None
            };
            sessions[n].items.push(ItemFact {
                minutes,
                inspection: flag(&row, "inspection")?,
                stage,
            });
        }

        // Commitments due in the window, and every open one: two index
        // ranges (seller, status, due day) rather than one OR, which SQLite
        // answers by walking the organization's items.
        let mut q = Sql::new("", org_id);
        q.push(
            "SELECT seller_id, status, due_on, closed_on, created_at FROM action_items WHERE org_id = $1 AND status = 'open'",
        );
        sellers(&mut q, "seller_id");
        q.push(
            " UNION ALL SELECT seller_id, status, due_on, closed_on, created_at FROM action_items WHERE org_id = $1 \
             AND status IN ('done', 'dropped')",
        );
        sellers(&mut q, "seller_id");
        q.and(" AND due_on >= ?", window.from.to_string())
            .and(" AND due_on <= ?", window.to.to_string());
        let mut actions = Vec::new();
        for row in q.fetch(self).await? {
            let (Ok(status), Some(due_on), Some(created_on)) = (
                text(&row, "status")?.parse(),
                date(&row, "due_on")?,
                instant(&row, "created_at")?.map(|t| t.with_timezone(&tz).date_naive()),
            ) else {
                continue;
            };
            actions.push(ActionFact {
                seller_id: row.try_get("seller_id")?,
                status,
                due_on,
                closed_on: date(&row, "closed_on")?,
                created_on,
            });
        }

        // Feedback on the managers.
        let mut q = Sql::new("", org_id);
        q.push("SELECT manager_id, created_at, rating, would_pay FROM session_feedback WHERE org_id = $1")
            .and(" AND created_at >= ?", lo.clone())
            .and(" AND created_at < ?", hi.clone());
        if let Scope::People { managers, .. } = scope {
            q.and_within(self.backend(), "manager_id", managers);
        }
        let mut feedback = Vec::new();
        for row in q.fetch(self).await? {
            let Some(day) = local_day(&text(&row, "created_at")?) else {
                continue;
            };
            feedback.push(FeedbackFact {
                manager_id: row.try_get("manager_id")?,
                day,
                answer: FeedbackAnswer {
                    rating: u8::try_from(row.try_get::<i64, _>("rating")?).unwrap_or(0),
                    would_pay: flag(&row, "would_pay")?,
                },
            });
        }

        // Important calls, and whether a plan for the same deal and day
        // existed (R29).
        let mut q = Sql::new("", org_id);
        q.push(
            "SELECT c.owner_id, c.occurred_at, (SELECT COUNT(*) FROM call_plans p WHERE p.org_id = c.org_id \
             AND p.seller_id = c.owner_id AND p.opportunity_id = c.opportunity_id \
             AND p.planned_for = SUBSTR(c.occurred_at, 1, 10)) AS planned \
             FROM calls c WHERE c.org_id = $1 AND c.importance = 'high'",
        )
        .and(" AND c.occurred_at >= ?", lo.clone())
        .and(" AND c.occurred_at < ?", hi);
        sellers(&mut q, "c.owner_id");
        let mut calls = Vec::new();
        for row in q.fetch(self).await? {
            let raw = text(&row, "occurred_at")?;
            let Some(day) = local_day(&raw).or_else(|| day_of(&raw)) else {
                continue;
            };
            calls.push(CallFact {
                seller_id: row.try_get("owner_id")?,
                day,
                important: true,
                planned: row.try_get::<i64, _>("planned")? > 0,
            });
        }

        // Planned calls and who attended (R31).
        let mut q = Sql::new("", org_id);
        q.push(
            "SELECT seller_id, planned_for, stage, attended_by FROM call_plans WHERE org_id = $1",
        )
        .and(" AND planned_for >= ?", window.from.to_string())
        .and(" AND planned_for <= ?", window.to.to_string());
        sellers(&mut q, "seller_id");
        let mut plans = Vec::new();
        for row in q.fetch(self).await? {
            let Some(day) = date(&row, "planned_for")? else {
                continue;
            };
            plans.push(PlanFact {
                seller_id: row.try_get("seller_id")?,
                day,
                stage: text(&row, "stage")?.parse().ok(),
                observed: row.try_get::<Option<String>, _>("attended_by")?.is_some(),
            });
        }

        Ok(Facts {
            sessions,
            actions,
            feedback,
            calls,
            plans,
        })
    }

    /// The deals of `scope` closed in `window`, each with how it was coached
    /// (R25): the stage it was at in each held session that discussed it
    /// before it closed.
    pub async fn deal_facts(
        &self,
        org_id: &str,
        scope: &Scope,
        window: &Window,
        tz: Tz,
    ) -> Result<Vec<DealFact>> {
        let mut q = Sql::new("", org_id);
        q.push(
            "SELECT o.id, o.owner_id, u.manager_id, o.stage, o.amount, o.currency, o.created_on, o.close_date, \
             o.updated_at FROM opportunities o JOIN users u ON u.org_id = o.org_id AND u.id = o.owner_id \
             WHERE o.org_id = $1 AND o.stage IN ('closed_won', 'closed_lost')",
        );
        if let Scope::People { sellers, .. } = scope {
            q.and_within(self.backend(), "o.owner_id", sellers);
        }
        let rows = q.fetch(self).await?;
        let ids: Vec<String> = rows.iter().filter_map(|r| text(r, "id").ok()).collect();
        let histories = stage_histories(self, org_id, &ids).await?;
        let mut deals = Vec::new();
        let mut wanted = Vec::new();
        for row in rows {
            let id: String = row.try_get("id")?;
            let history = histories.get(&id);
            let closed_on = date(&row, "close_date")?
                .or_else(|| history.and_then(|h| h.last().map(|(d, _)| *d)))
                .or_else(|| day_of(&text(&row, "updated_at").unwrap_or_default()));
            let Some(closed_on) = closed_on.filter(|d| window.contains(*d)) else {
                continue;
            };
            wanted.push(id.clone());
            deals.push(DealFact {
                id,
                seller_id: row.try_get("owner_id")?,
                manager_id: row.try_get("manager_id")?,
                won: text(&row, "stage")? == "closed_won",
                created_on: date(&row, "created_on")?
                    .or_else(|| history.and_then(|h| h.first().map(|(d, _)| *d))),
                closed_on,
                amount: text(&row, "amount")?.trim().parse::<f64>().ok(),
                currency: row.try_get("currency")?,
                coached: coach_core::analytics::Coached::Not,
            });
        }
        // The held sessions that discussed each deal.
        let mut seen: BTreeMap<String, Vec<NaiveDate>> = BTreeMap::new();
        for chunk in wanted.chunks(2000) {
            let mut q = Sql::new("", org_id);
            q.push(
                "SELECT ai.subject_id, s.starts_at FROM agenda_items ai JOIN coaching_sessions s \
                 ON s.org_id = ai.org_id AND s.id = ai.session_id \
                 WHERE ai.org_id = $1 AND ai.subject_kind = 'opportunity' AND s.status = 'held'",
            )
            .and_within(self.backend(), "ai.subject_id", chunk);
            for row in q.fetch(self).await? {
                if let Some(day) = coach_core::time::from_db(&text(&row, "starts_at")?)
                    .map(|t| t.with_timezone(&tz).date_naive())
                {
                    seen.entry(row.try_get("subject_id")?)
                        .or_default()
                        .push(day);
                }
            }
        }
        for deal in &mut deals {
            let history = histories.get(&deal.id).map(Vec::as_slice).unwrap_or(&[]);
            deal.coached = classify(
                seen.get(&deal.id)
                    .into_iter()
                    .flatten()
                    .filter(|day| **day < deal.closed_on)
                    .map(|day| stage_on(history, *day)),
            );
        }
        Ok(deals)
    }
}
