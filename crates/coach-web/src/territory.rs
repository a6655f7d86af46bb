//! A seller's territory as the pages and the API show it (coaching-model
//! R6): the accounts ranked by the plan's scheme into tiers, adjustments
//! with their reasons, plan against execution per month from the call
//! records, and the territory reviews (tactical monthly, strategic
//! quarterly; R10).

use crate::auth::Actor;
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::state::AppState;
use chrono::NaiveDate;
use coach_core::coaching::{SessionKind, SessionStatus};
use coach_core::territory::{TierMonth, execution, month_start};
use coach_store::coaching::{Session, SessionFilter};
use coach_store::territory::{Ranked, TerritoryPlan};

/// How many months of plan against execution are shown.
pub(crate) const MONTHS: u32 = 6;

/// A seller's territory.
pub(crate) struct Territory {
    /// The seller's name.
    pub seller_name: String,
    /// The plan.
    pub plan: TerritoryPlan,
    /// The accounts, tier A first, then by score.
    pub accounts: Vec<Ranked>,
    /// Plan against execution, oldest month first.
    pub execution: Vec<(NaiveDate, Vec<TierMonth>)>,
    /// The last held tactical and strategic reviews, and the next one.
    pub reviews: Reviews,
}

/// The territory reviews: coaching sessions of the territory kinds.
#[derive(Default)]
pub(crate) struct Reviews {
    /// The last held tactical review.
    pub tactical: Option<Session>,
    /// The last held strategic review.
    pub strategic: Option<Session>,
    /// The next one scheduled.
    pub next: Option<Session>,
}

/// Reads a seller's territory for someone who may see the seller's data;
/// with `write`, also checks they may change the plan.
pub(crate) async fn territory(
    state: &AppState,
    actor: &Actor,
    seller_id: &str,
    write: bool,
) -> Result<Territory, AppError> {
    read(state, actor, seller_id, write, MONTHS).await
}

/// A seller's territory with this month's execution only and no reviews,
/// for lists.
pub(crate) async fn summary(
    state: &AppState,
    actor: &Actor,
    seller_id: &str,
) -> Result<Territory, AppError> {
    read(state, actor, seller_id, false, 1).await
}

async fn read(
    state: &AppState,
    actor: &Actor,
    seller_id: &str,
    write: bool,
    months: u32,
) -> Result<Territory, AppError> {
    let store = state.store();
    let seller = store.user(&actor.org.id, seller_id).await?;
    policy::check(
        actor,
        Action::ViewSellerData {
            seller_id: &seller.id,
            id: &seller.id,
        },
    )?;
    if write {
        policy::check(
            actor,
            Action::WritePlan {
                seller_id: &seller.id,
            },
        )?;
    }
    let org = &actor.org.id;
    let tz: chrono_tz::Tz = actor.org.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let today = crate::scorecards::today(&actor.org.time_zone);
    let (plan, ranked) = store.ranked_territory(org, &seller.id, today).await?;
    let in_tier = ranked
        .iter()
        .map(|r| (r.account.facts.id.clone(), r.tier))
        .collect();
    let calls: Vec<(String, NaiveDate)> = store
        .territory_calls(org, &seller.id, month_start(today, months - 1))
        .await?
        .into_iter()
        .map(|(a, at)| (a, at.with_timezone(&tz).date_naive()))
        .collect();
    let execution = execution(today, months, &in_tier, &plan.pattern, &calls);
    if months < MONTHS {
        return Ok(Territory {
            seller_name: seller.name,
            plan,
            accounts: ranked,
            execution,
            reviews: Reviews::default(),
        });
    }
    let sessions = store
        .coaching_sessions(
            org,
            &SessionFilter {
                seller_id: Some(seller.id.clone()),
                newest_first: true,
                limit: Some(200),
                ..SessionFilter::default()
            },
        )
        .await?;
    let territory_kind = |s: &Session| {
        matches!(
            s.kind,
            SessionKind::TerritoryTactical | SessionKind::TerritoryStrategic
        )
    };
    let held = |kind: SessionKind| {
        sessions
            .iter()
            .find(|s| s.kind == kind && s.status == SessionStatus::Held)
            .cloned()
    };
    let now = chrono::Utc::now();
    let reviews = Reviews {
        tactical: held(SessionKind::TerritoryTactical),
        strategic: held(SessionKind::TerritoryStrategic),
        next: sessions
            .iter()
            .filter(|s| {
                territory_kind(s)
                    && s.starts_at > now
                    && matches!(s.status, SessionStatus::Scheduled | SessionStatus::Prepared)
            })
            .min_by_key(|s| s.starts_at)
            .cloned(),
    };
    Ok(Territory {
        seller_name: seller.name,
        plan,
        accounts: ranked,
        execution,
        reviews,
    })
}
