//! Territory plans over the API (coaching-model R6):
//! `/api/v1/territory-plans/{seller_id}`, with tiers set by hand for single
//! accounts and plan against execution per month.

use super::ApiResult;
use super::users::if_match;
use crate::auth::Actor;
use crate::error::{AppError, ErrorEnvelope};
use crate::state::AppState;
use crate::territory::{Territory, territory};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use coach_core::territory::{CallPattern, Criterion, Message, Scheme, Tier};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A criterion of the prioritization scheme.
#[derive(Debug, Serialize, Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct TierCriterionIo {
    /// `potential`, `pipeline`, `won`, `key_account` or `engagement`.
    pub measure: String,
    /// 1–10.
    pub weight: u32,
}

/// The prioritization scheme (R6).
#[derive(Debug, Serialize, Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct SchemeIo {
    /// One to four criteria.
    pub criteria: Vec<TierCriterionIo>,
    /// Per cent of accounts in tier A.
    pub a_share: u32,
    /// Per cent in tier B (the rest are C).
    pub b_share: u32,
}

/// How often each tier is called on: calls per account per month, as
/// decimal strings (`"0.3"` is about once a quarter).
#[derive(Debug, Serialize, Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct CallPatternIo {
    /// Tier A.
    pub a: String,
    /// Tier B.
    pub b: String,
    /// Tier C.
    pub c: String,
}

/// Targeted messaging for a segment.
#[derive(Debug, Serialize, Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct MessageIo {
    /// The segment, as the CRM names it.
    pub segment: String,
    /// What to say to win customers in it.
    pub message: String,
}

/// A tier set by hand.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdjustmentOut {
    /// Why.
    pub reason: String,
    /// Who set it.
    pub set_by: String,
    /// When.
    pub set_at: DateTime<Utc>,
}

/// An account of the territory.
#[derive(Debug, Serialize, ToSchema)]
pub struct TerritoryAccountOut {
    /// The account's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its segment.
    pub segment: Option<String>,
    /// Its score under the scheme, 0–100.
    pub score: u32,
    /// The tier the scheme gives: `a`, `b` or `c`.
    pub computed_tier: String,
    /// The tier it is in.
    pub tier: String,
    /// The adjustment, when the tier was set by hand.
    pub adjusted: Option<AdjustmentOut>,
    /// Calls in the last 90 days.
    pub calls_90_days: u32,
}

/// One tier in one month.
#[derive(Debug, Serialize, ToSchema)]
pub struct TierMonthOut {
    /// The tier.
    pub tier: String,
    /// Accounts in it.
    pub accounts: u32,
    /// Calls the pattern asks for.
    pub planned: String,
    /// Calls made on its accounts.
    pub made: u32,
    /// Accounts called at least once.
    pub reached: u32,
    /// Made as a per cent of planned (none planned: null).
    pub percent: Option<u32>,
}

/// Plan against execution in one month.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonthOut {
    /// `YYYY-MM`.
    pub month: String,
    /// Tiers A, B, C.
    pub tiers: Vec<TierMonthOut>,
}

/// A seller's territory plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct TerritoryPlanOut {
    /// The seller.
    pub seller_id: String,
    /// The prioritization scheme.
    pub scheme: SchemeIo,
    /// The call pattern.
    pub call_pattern: CallPatternIo,
    /// Targeted messaging per segment.
    pub messaging: Vec<MessageIo>,
    /// The accounts, tier A first.
    pub accounts: Vec<TerritoryAccountOut>,
    /// Plan against execution for the last six months, oldest first.
    pub execution: Vec<MonthOut>,
    /// Bumped on every change (0: the defaults); the `ETag` carries it.
    pub version: i64,
}

impl From<Territory> for TerritoryPlanOut {
    fn from(t: Territory) -> Self {
        let p = &t.plan;
        TerritoryPlanOut {
            seller_id: p.seller_id.clone(),
            scheme: SchemeIo {
                criteria: p
                    .scheme
                    .criteria
                    .iter()
                    .map(|c| TierCriterionIo {
                        measure: c.measure.as_str().to_owned(),
                        weight: c.weight,
                    })
                    .collect(),
                a_share: p.scheme.a_share,
                b_share: p.scheme.b_share,
            },
            call_pattern: CallPatternIo {
                a: p.pattern.a.to_string(),
                b: p.pattern.b.to_string(),
                c: p.pattern.c.to_string(),
            },
            messaging: p
                .messaging
                .iter()
                .map(|m| MessageIo {
                    segment: m.segment.clone(),
                    message: m.message.clone(),
                })
                .collect(),
            accounts: t
                .accounts
                .iter()
                .map(|r| TerritoryAccountOut {
                    id: r.account.facts.id.clone(),
                    name: r.account.name.clone(),
                    segment: r.account.segment.clone(),
                    score: r.score,
                    computed_tier: r.computed.as_str().to_owned(),
                    tier: r.tier.as_str().to_owned(),
                    adjusted: r.change.as_ref().map(|c| AdjustmentOut {
                        reason: c.reason.clone(),
                        set_by: c.set_by_name.clone(),
                        set_at: c.set_at,
                    }),
                    calls_90_days: r.account.facts.calls,
                })
                .collect(),
            execution: t
                .execution
                .iter()
                .map(|(month, rows)| MonthOut {
                    month: month.format("%Y-%m").to_string(),
                    tiers: rows
                        .iter()
                        .map(|r| TierMonthOut {
                            tier: r.tier.as_str().to_owned(),
                            accounts: r.accounts,
                            planned: r.planned.to_string(),
                            made: r.made,
                            reached: r.reached,
                            percent: r.percent(),
                        })
                        .collect(),
                })
                .collect(),
            version: p.version,
        }
    }
}

fn tagged(t: Territory) -> Response {
    super::tagged(StatusCode::OK, t.plan.version, TerritoryPlanOut::from(t))
}

/// A seller's territory plan: the scheme, the tiers it gives (with any set
/// by hand), the call pattern, messaging, and plan against execution (R6).
#[utoipa::path(get, path = "/api/v1/territory-plans/{seller_id}", tag = "coaching",
    params(("seller_id" = String, Path, description = "The seller's id")),
    responses((status = 200, body = TerritoryPlanOut, headers(("ETag" = String, description = "The version"))), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Path(seller_id): Path<String>,
) -> ApiResult<Response> {
    Ok(tagged(territory(&state, &actor, &seller_id, false).await?))
}

/// What a territory plan says.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TerritoryPlanIn {
    /// The prioritization scheme.
    pub scheme: SchemeIo,
    /// The call pattern.
    pub call_pattern: CallPatternIo,
    /// Targeted messaging per segment (at most 12).
    #[serde(default)]
    pub messaging: Vec<MessageIo>,
}

/// Reads a scheme, naming the field that is wrong.
pub(crate) fn scheme_of(s: &SchemeIo) -> Result<Scheme, AppError> {
    Ok(Scheme {
        criteria: s
            .criteria
            .iter()
            .map(|c| {
                Ok(Criterion {
                    measure: super::parse("criteria", &c.measure)?,
                    weight: c.weight,
                })
            })
            .collect::<Result<_, AppError>>()?,
        a_share: s.a_share,
        b_share: s.b_share,
    })
}

/// Reads a call pattern, naming the field that is wrong.
pub(crate) fn pattern_of(p: &CallPatternIo) -> Result<CallPattern, AppError> {
    let calls = |field: &'static str, raw: &str| {
        raw.trim().parse::<Decimal>().map_err(|_| {
            AppError::Invalid(coach_core::FieldError::new(
                field,
                "expected calls per account a month, such as 2 or 0.5",
            ))
        })
    };
    Ok(CallPattern {
        a: calls("calls_a", &p.a)?,
        b: calls("calls_b", &p.b)?,
        c: calls("calls_c", &p.c)?,
    })
}

/// Write a seller's territory plan (the seller and those above them). Send
/// `If-Match` with the `ETag` you read.
#[utoipa::path(put, path = "/api/v1/territory-plans/{seller_id}", tag = "coaching", request_body = TerritoryPlanIn,
    params(("seller_id" = String, Path, description = "The seller's id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses((status = 200, body = TerritoryPlanOut), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 412, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn update(
    State(state): State<AppState>,
    actor: Actor,
    Path(seller_id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<TerritoryPlanIn>,
) -> ApiResult<Response> {
    let expected = if_match(&headers)?;
    territory(&state, &actor, &seller_id, true).await?;
    let scheme = scheme_of(&body.scheme)?;
    let pattern = pattern_of(&body.call_pattern)?;
    let messaging = body
        .messaging
        .into_iter()
        .map(|m| Message {
            segment: m.segment,
            message: m.message,
        })
        .collect();
    state
        .store()
        .save_territory_plan(
            &actor.org.id,
            &seller_id,
            expected,
            coach_store::territory::TerritoryDraft {
                scheme,
                pattern,
                messaging,
            },
            &actor.user.id,
        )
        .await?;
    Ok(tagged(territory(&state, &actor, &seller_id, false).await?))
}

/// An account's tier set by hand.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TierIn {
    /// `a`, `b` or `c`; null to let the scheme decide again.
    pub tier: Option<String>,
    /// Why (required with a tier).
    #[serde(default)]
    pub reason: String,
}

/// Set one account's tier by hand, with a reason, or let the scheme decide
/// again (the seller and those above them).
#[utoipa::path(put, path = "/api/v1/territory-plans/{seller_id}/tiers/{account_id}", tag = "coaching", request_body = TierIn,
    params(("seller_id" = String, Path, description = "The seller's id"), ("account_id" = String, Path, description = "The account's id (the seller's)")),
    responses((status = 200, body = TerritoryPlanOut), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn set_tier(
    State(state): State<AppState>,
    actor: Actor,
    Path((seller_id, account_id)): Path<(String, String)>,
    Json(body): Json<TierIn>,
) -> ApiResult<Response> {
    territory(&state, &actor, &seller_id, true).await?;
    let tier: Option<Tier> = body
        .tier
        .as_deref()
        .map(|t| super::parse("tier", t))
        .transpose()?;
    state
        .store()
        .set_tier(
            &actor.org.id,
            &seller_id,
            &account_id,
            tier.map(|t| (t, body.reason.as_str())),
            &actor.user.id,
        )
        .await?;
    Ok(tagged(territory(&state, &actor, &seller_id, false).await?))
}
