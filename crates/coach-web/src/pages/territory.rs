//! Territory plans (coaching-model R6): a seller's customers ranked into
//! tiers by a specific, not complicated scheme, adjustable with a reason; the
//! call pattern per tier; messaging per segment; and, first on the page,
//! plan against execution month by month: whether the seller does what they
//! said they would. Reviewed in territory coaching sessions (tactical
//! monthly, strategic quarterly; R10), which link here.

use super::RouteBook;
use super::layout::{Shell, date, form_page, html, sentence};
use crate::api::territory::{CallPatternIo, SchemeIo, TierCriterionIo, pattern_of, scheme_of};
use crate::auth::Actor;
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::state::AppState;
use crate::territory::{Territory, territory};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use coach_core::territory::{CRITERIA_MAX, Measure, Message, TIERS, Tier};
use coach_core::{FieldError, Role};
use coach_store::{StoreError, UserFilter};
use serde::Deserialize;
use std::collections::BTreeSet;

pub(crate) fn routes(book: RouteBook) -> RouteBook {
    book.get("/territory", list)
        .get("/territory/{seller_id}", show)
        .post("/territory/{seller_id}", save)
        .post("/territory/{seller_id}/tiers/{account_id}", set_tier)
}

/// A seller in the list.
pub(crate) struct SellerRow {
    id: String,
    name: String,
    written: bool,
    month: Option<(u32, String, Option<u32>)>,
    tier_a: usize,
}

#[derive(Template)]
#[template(path = "territories.html")]
struct ListPage {
    shell: Shell,
    rows: Vec<SellerRow>,
}

/// The most sellers whose figures the list computes.
const LIST_FIGURES_MAX: usize = 60;

async fn list(State(state): State<AppState>, actor: Actor) -> Result<Response, AppError> {
    let store = state.store();
    let ids: Vec<String> = match policy::record_owners(&actor) {
        Some(ids) => ids,
        None => store
            .users(
                &actor.org.id,
                &UserFilter {
                    role: Some(Role::Seller),
                    active: Some(true),
                    ..UserFilter::default()
                },
            )
            .await?
            .into_iter()
            .map(|u| u.id)
            .collect(),
    };
    let sellers: Vec<_> = store
        .users(
            &actor.org.id,
            &UserFilter {
                only: Some(ids),
                role: Some(Role::Seller),
                active: Some(true),
                ..UserFilter::default()
            },
        )
        .await?;
    if sellers.len() == 1 && sellers[0].id == actor.user.id {
        return Ok(Redirect::to(&format!("/territory/{}", actor.user.id)).into_response());
    }
    let mut rows = Vec::new();
    for (i, u) in sellers.iter().enumerate() {
        let mut row = SellerRow {
            id: u.id.clone(),
            name: u.name.clone(),
            written: false,
            month: None,
            tier_a: 0,
        };
        if i < LIST_FIGURES_MAX {
            let t = crate::territory::summary(&state, &actor, &u.id).await?;
            row.written = t.plan.version > 0;
            row.tier_a = t.accounts.iter().filter(|a| a.tier == Tier::A).count();
            if let Some((_, tiers)) = t.execution.last() {
                let made: u32 = tiers.iter().map(|r| r.made).sum();
                let planned: rust_decimal::Decimal = tiers.iter().map(|r| r.planned).sum();
                let pct = tiers.first().and_then(|a| a.percent());
                row.month = Some((made, planned.round_dp(1).normalize().to_string(), pct));
            }
        }
        rows.push(row);
    }
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    let view = ListPage {
        shell: Shell::new(&actor, "/sessions", state.config().email_enabled),
        rows,
    };
    Ok(html(StatusCode::OK, &view))
}

/// An account row of the page.
pub(crate) struct AccountRow {
    id: String,
    name: String,
    segment: String,
    score: u32,
    tier: &'static str,
    tier_class: &'static str,
    computed: &'static str,
    adjusted: Option<(String, String, String)>,
    calls: u32,
}

/// One month of plan against execution.
pub(crate) struct MonthRow {
    label: String,
    cells: Vec<(String, String, &'static str, String)>,
}

#[derive(Template)]
#[template(path = "territory.html")]
struct PlanPage {
    shell: Shell,
    seller_id: String,
    seller: String,
    version: i64,
    can_write: bool,
    months: Vec<MonthRow>,
    accounts: Vec<AccountRow>,
    tier_counts: Vec<(&'static str, usize, String)>,
    criteria: Vec<(String, String)>,
    measures: Vec<(&'static str, &'static str)>,
    a_share: String,
    b_share: String,
    calls: (String, String, String),
    messages: Vec<(String, String, usize)>,
    reviews: Vec<(&'static str, Option<(String, String)>)>,
    error: Option<String>,
}

fn tier_class(t: Tier) -> &'static str {
    match t {
        Tier::A => "good",
        Tier::B => "early",
        Tier::C => "none",
    }
}

/// What the form sent, to show again after a refusal.
#[derive(Default)]
struct Typed {
    criteria: Vec<(String, String)>,
    a_share: String,
    b_share: String,
    calls: (String, String, String),
    messages: Vec<(String, String)>,
}

fn typed_of(t: &Territory) -> Typed {
    let p = &t.plan;
    Typed {
        criteria: p
            .scheme
            .criteria
            .iter()
            .map(|c| (c.measure.as_str().to_owned(), c.weight.to_string()))
            .collect(),
        a_share: p.scheme.a_share.to_string(),
        b_share: p.scheme.b_share.to_string(),
        calls: (
            p.pattern.a.to_string(),
            p.pattern.b.to_string(),
            p.pattern.c.to_string(),
        ),
        messages: p
            .messaging
            .iter()
            .map(|m| (m.segment.clone(), m.message.clone()))
            .collect(),
    }
}

fn render(
    state: &AppState,
    actor: &Actor,
    t: Territory,
    typed: Option<Typed>,
    error: Option<String>,
    notice: Option<&'static str>,
) -> Response {
    let can_write = policy::allows(
        actor,
        Action::WritePlan {
            seller_id: &t.plan.seller_id,
        },
    );
    let typed = typed.unwrap_or_else(|| typed_of(&t));
    let mut criteria = typed.criteria.clone();
    criteria.resize(CRITERIA_MAX, (String::new(), String::new()));
    // A message row for every segment of the territory, and those written.
    let mut segments: BTreeSet<String> = t
        .accounts
        .iter()
        .filter_map(|a| a.account.segment.clone())
        .filter(|s| !s.is_empty())
        .collect();
    segments.extend(typed.messages.iter().map(|(s, _)| s.clone()));
    let messages = segments
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let text = typed
                .messages
                .iter()
                .find(|(seg, _)| *seg == s)
                .map(|(_, m)| m.clone())
                .unwrap_or_default();
            (s, text, i)
        })
        .collect();
    let months = t
        .execution
        .iter()
        .rev()
        .enumerate()
        .map(|(i, (month, tiers))| MonthRow {
            label: if i == 0 {
                format!("{} (so far)", month.format("%B %Y"))
            } else {
                month.format("%B %Y").to_string()
            },
            cells: tiers
                .iter()
                .map(|r| {
                    let (class, pct) = match r.percent() {
                        None => ("none", "no calls planned".to_owned()),
                        Some(p) if p >= 90 => ("good", format!("{p}%")),
                        Some(p) => ("below", format!("{p}%")),
                    };
                    (
                        format!("{} of {}", r.made, r.planned),
                        pct,
                        class,
                        format!("{} of {} accounts reached", r.reached, r.accounts),
                    )
                })
                .collect(),
        })
        .collect();
    let tier_counts = TIERS
        .iter()
        .map(|tier| {
            (
                tier.label(),
                t.accounts.iter().filter(|a| a.tier == *tier).count(),
                t.plan.pattern.of(*tier).to_string(),
            )
        })
        .collect();
    let tz: chrono_tz::Tz = actor.user.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let session = |s: &Option<coach_store::coaching::Session>| {
        s.as_ref().map(|s| {
            (
                format!("/sessions/{}", s.id),
                date(s.starts_at.with_timezone(&tz).date_naive()),
            )
        })
    };
    let view = PlanPage {
        shell: Shell::new(actor, "/sessions", state.config().email_enabled).with_notice(notice),
        seller_id: t.plan.seller_id.clone(),
        seller: t.seller_name.clone(),
        version: t.plan.version,
        can_write,
        months,
        accounts: t
            .accounts
            .iter()
            .map(|a| AccountRow {
                id: a.account.facts.id.clone(),
                name: a.account.name.clone(),
                segment: a.account.segment.clone().unwrap_or_default(),
                score: a.score,
                tier: a.tier.label(),
                tier_class: tier_class(a.tier),
                computed: a.computed.label(),
                adjusted: a.change.as_ref().map(|c| {
                    (
                        c.reason.clone(),
                        c.set_by_name.clone(),
                        date(c.set_at.date_naive()),
                    )
                }),
                calls: a.account.facts.calls,
            })
            .collect(),
        tier_counts,
        criteria,
        measures: Measure::ALL
            .iter()
            .map(|m| (m.as_str(), m.label()))
            .collect(),
        a_share: typed.a_share,
        b_share: typed.b_share,
        calls: typed.calls,
        messages,
        reviews: vec![
            ("Last tactical review", session(&t.reviews.tactical)),
            ("Last strategic review", session(&t.reviews.strategic)),
            ("Next review", session(&t.reviews.next)),
        ],
        error,
    };
    form_page(&view, view.error.is_some())
}

async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Path(seller_id): Path<String>,
    Query(q): Query<super::layout::NoticeQuery>,
) -> Result<Response, AppError> {
    let t = territory(&state, &actor, &seller_id, false).await?;
    let notice = match q.notice.as_str() {
        "saved" => Some("Saved. The tiers follow the scheme."),
        "tier" => Some("Tier saved."),
        _ => None,
    };
    Ok(render(&state, &actor, t, None, None, notice))
}

/// Reads the plan form: `measure_N`/`weight_N` rows, `a_share`, `b_share`,
/// `calls_a`/`calls_b`/`calls_c`, `segment_N`/`message_N` rows, `version`.
fn typed_from(fields: &[(String, String)]) -> (Typed, Option<i64>) {
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut criteria = Vec::new();
    for i in 0..CRITERIA_MAX {
        let m = get(&format!("measure_{i}"));
        if !m.trim().is_empty() {
            criteria.push((m, get(&format!("weight_{i}"))));
        }
    }
    let mut messages = Vec::new();
    for (k, v) in fields {
        if let Some(i) = k.strip_prefix("segment_") {
            let text = get(&format!("message_{i}"));
            if !text.trim().is_empty() {
                messages.push((v.clone(), text));
            }
        }
    }
    (
        Typed {
            criteria,
            a_share: get("a_share"),
            b_share: get("b_share"),
            calls: (get("calls_a"), get("calls_b"), get("calls_c")),
            messages,
        },
        get("version").parse().ok(),
    )
}

fn number(field: &'static str, raw: &str) -> Result<u32, AppError> {
    raw.trim()
        .parse()
        .map_err(|_| AppError::Invalid(FieldError::new(field, "expected a whole number")))
}

async fn save(
    State(state): State<AppState>,
    actor: Actor,
    Path(seller_id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    territory(&state, &actor, &seller_id, true).await?;
    let (typed, version) = typed_from(&fields);
    let parsed = (|| {
        let scheme = scheme_of(&SchemeIo {
            criteria: typed
                .criteria
                .iter()
                .map(|(m, w)| {
                    Ok(TierCriterionIo {
                        measure: m.clone(),
                        weight: number("criteria", w)?,
                    })
                })
                .collect::<Result<_, AppError>>()?,
            a_share: number("a_share", &typed.a_share)?,
            b_share: number("b_share", &typed.b_share)?,
        })?;
        let pattern = pattern_of(&CallPatternIo {
            a: typed.calls.0.clone(),
            b: typed.calls.1.clone(),
            c: typed.calls.2.clone(),
        })?;
        Ok::<_, AppError>((scheme, pattern))
    })();
    let result = match parsed {
        Ok((scheme, pattern)) => {
            let messaging = typed
                .messages
                .iter()
                .map(|(segment, message)| Message {
                    segment: segment.clone(),
                    message: message.clone(),
                })
                .collect();
            state
                .store()
                .save_territory_plan(
                    &actor.org.id,
                    &seller_id,
                    version,
                    coach_store::territory::TerritoryDraft {
                        scheme,
                        pattern,
                        messaging,
                    },
                    &actor.user.id,
                )
                .await
                .map_err(AppError::from)
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/territory/{seller_id}?notice=saved")).into_response()),
        Err(AppError::Invalid(e)) => {
            let t = territory(&state, &actor, &seller_id, false).await?;
            Ok(render(
                &state,
                &actor,
                t,
                Some(typed),
                Some(sentence(&e.message)),
                None,
            ))
        }
        Err(AppError::Stale) => {
            let t = territory(&state, &actor, &seller_id, false).await?;
            let e = super::layout::PLAN_CHANGED;
            Ok(render(&state, &actor, t, None, Some(e.to_owned()), None))
        }
        Err(e) => Err(e),
    }
}

/// A tier set by hand from the page.
#[derive(Debug, Deserialize)]
pub(crate) struct TierForm {
    #[serde(default)]
    tier: String,
    #[serde(default)]
    reason: String,
}

async fn set_tier(
    State(state): State<AppState>,
    actor: Actor,
    Path((seller_id, account_id)): Path<(String, String)>,
    Form(f): Form<TierForm>,
) -> Result<Response, AppError> {
    territory(&state, &actor, &seller_id, true).await?;
    let result = match f.tier.as_str() {
        "" | "scheme" => Ok(None),
        t => t
            .parse::<Tier>()
            .map(|t| Some((t, f.reason.as_str())))
            .map_err(|m| StoreError::Invalid(FieldError::new("tier", m))),
    };
    let result = match result {
        Ok(tier) => {
            state
                .store()
                .set_tier(&actor.org.id, &seller_id, &account_id, tier, &actor.user.id)
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/territory/{seller_id}?notice=tier")).into_response()),
        Err(StoreError::Invalid(e)) => {
            let t = territory(&state, &actor, &seller_id, false).await?;
            Ok(render(
                &state,
                &actor,
                t,
                None,
                Some(sentence(&e.message)),
                None,
            ))
        }
        Err(e) => Err(e.into()),
    }
}
