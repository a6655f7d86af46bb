//! The ROA reads pages and the API share: one seller's scorecard for a
//! period, a set of sellers' side by side, adoption week by week (R2–R5),
//! and an activity looked up for what the caller wants to do with it.

use crate::auth::Actor;
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::state::AppState;
use chrono::{Days, NaiveDate, Utc};
use coach_core::roa::{Adoption, Period, Scorecard, SellerFacts, Week, adoption, scorecard};
use coach_store::User;
use coach_store::roa::{Activity, Model};

/// The organization's "today" in its time zone.
pub(crate) fn today(time_zone: &str) -> NaiveDate {
    let tz: chrono_tz::Tz = time_zone.parse().unwrap_or(chrono_tz::UTC);
    Utc::now().with_timezone(&tz).date_naive()
}

/// The period asked for, or the current month.
pub(crate) fn period_or_current(raw: Option<&str>, today: NaiveDate) -> Result<Period, AppError> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => r.parse().map_err(AppError::Invalid),
        None => Ok(Period::month_of(today)),
    }
}

fn pair(u: &User) -> (String, Option<String>) {
    (u.id.clone(), u.manager_id.clone())
}

/// Scorecards of `sellers` for `period`, in their order.
pub(crate) async fn scorecards(
    state: &AppState,
    org_id: &str,
    model: &Model,
    sellers: &[User],
    period: Period,
    today: NaiveDate,
) -> Result<Vec<Scorecard>, AppError> {
    let pairs: Vec<_> = sellers.iter().map(pair).collect();
    let facts = state
        .store()
        .seller_facts(
            org_id,
            model,
            &pairs,
            period.start(),
            period.end(),
            Some(period),
        )
        .await?;
    let view = model.view();
    Ok(sellers
        .iter()
        .map(|s| {
            let f = facts
                .iter()
                .find(|f| f.id == s.id)
                .cloned()
                .unwrap_or_else(|| SellerFacts {
                    id: s.id.clone(),
                    ..SellerFacts::default()
                });
            scorecard(&view, &f, period, today)
        })
        .collect())
}

/// How many weeks adoption looks back.
pub(crate) const ADOPTION_WEEKS: usize = 12;

/// Adoption of each active activity type among `sellers` over the last
/// weeks up to `today` (R5).
pub(crate) async fn adoption_of(
    state: &AppState,
    org_id: &str,
    model: &Model,
    sellers: &[User],
    today: NaiveDate,
) -> Result<Vec<Adoption>, AppError> {
    let weeks = Week::ending(today, ADOPTION_WEEKS);
    let Some(first) = weeks.first() else {
        return Ok(Vec::new());
    };
    // From the start of the quarter holding the first week, so monthly and
    // quarterly standards count from their period's start.
    let from = Period::quarter_of(first.monday).start();
    let until = today.checked_add_days(Days::new(1)).unwrap_or(today);
    let pairs: Vec<_> = sellers.iter().map(pair).collect();
    let facts = state
        .store()
        .seller_facts(org_id, model, &pairs, from, until, None)
        .await?;
    Ok(adoption(&model.view(), &facts, &weeks))
}

/// A seller's scorecard for the period asked for (default: this month), with
/// the model it was read against. The caller checked the seller's access.
pub(crate) async fn seller_scorecard(
    state: &AppState,
    actor: &Actor,
    seller: &User,
    period: Option<&str>,
) -> Result<(Model, Scorecard), AppError> {
    let today = today(&actor.org.time_zone);
    let period = period_or_current(period, today)?;
    let model = state.store().roa_model(&actor.org.id).await?;
    let card = scorecards(
        state,
        &actor.org.id,
        &model,
        std::slice::from_ref(seller),
        period,
        today,
    )
    .await?
    .into_iter()
    .next()
    .ok_or(AppError::NotFound)?;
    Ok((model, card))
}

/// What the caller wants to do with an activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Intent {
    /// See it.
    View,
    /// Score it.
    Score,
    /// Remove it (those who may log it).
    Remove,
}

/// The activity, if the caller may do what they intend with it.
pub(crate) async fn activity_for(
    state: &AppState,
    actor: &Actor,
    id: &str,
    intent: Intent,
) -> Result<Activity, AppError> {
    let a = state.store().activity(&actor.org.id, id).await?;
    let (seller_id, id) = (a.seller_id.as_str(), a.id.as_str());
    policy::check(
        actor,
        match intent {
            Intent::View => Action::ViewSellerData { seller_id, id },
            Intent::Score => Action::ScoreActivity { seller_id, id },
            Intent::Remove => Action::LogActivity { seller_id },
        },
    )?;
    Ok(a)
}
