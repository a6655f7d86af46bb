//! `/api/v1/accounts`, `/contacts`, `/opportunities`, `/calls`: the CRM
//! records coaching is about (coaching-model R1, R6–R9, R20–R33). Read-only:
//! they come from the CRM by import. A seller sees their own, a manager their
//! team's, a director every team below them, an admin the organization's.

use super::ApiResult;
use super::pagination::{Cursor, limit};
use crate::auth::Actor;
use crate::error::{AppError, ErrorEnvelope};
use crate::policy::{self, Action};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::{DateTime, NaiveDate, Utc};
use coach_core::FieldError;
use coach_store::crm::{Account, Call, Contact, Opportunity, RecordFilter, StageChange};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A person or record referred to.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ref {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
}

/// A customer or prospect.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountOut {
    /// Coach's id.
    pub id: String,
    /// The id in the CRM.
    pub source_id: Option<String>,
    /// Name.
    pub name: String,
    /// The seller who owns it.
    pub owner: Ref,
    /// Segment (industry, customer type).
    pub segment: Option<String>,
    /// Tier from territory prioritization (R6), such as A, B or C.
    pub tier: Option<String>,
    /// What the account could buy: an exact decimal, as a string.
    pub potential: Option<String>,
    /// ISO 4217 currency of the potential.
    pub currency: Option<String>,
    /// A key account, which warrants an account plan (R7).
    pub key_account: bool,
    /// Last change in the CRM.
    pub crm_updated_at: Option<DateTime<Utc>>,
    /// Last change in Coach.
    pub updated_at: DateTime<Utc>,
}

/// A person at an account.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactOut {
    /// Coach's id.
    pub id: String,
    /// The id in the CRM.
    pub source_id: Option<String>,
    /// Full name.
    pub name: String,
    /// The seller who owns the contact.
    pub owner: Ref,
    /// The account.
    pub account: Option<Ref>,
    /// Job title.
    pub title: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Part in the buying decision: `decision_maker`, `influencer`, `user`, `gatekeeper`, `champion`.
    pub buying_role: Option<String>,
    /// How they lean: `supporter`, `neutral`, `opponent`.
    pub stance: Option<String>,
    /// Last change in the CRM.
    pub crm_updated_at: Option<DateTime<Utc>>,
    /// Last change in Coach.
    pub updated_at: DateTime<Utc>,
}

/// One entry of an opportunity's stage history.
#[derive(Debug, Serialize, ToSchema)]
pub struct StageChangeOut {
    /// When the deal got there.
    pub changed_at: DateTime<Utc>,
    /// The buying stage.
    pub stage: String,
    /// The stage as the CRM names it.
    pub crm_stage: String,
}

/// A deal.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpportunityOut {
    /// Coach's id.
    pub id: String,
    /// The id in the CRM.
    pub source_id: Option<String>,
    /// Name.
    pub name: String,
    /// The seller who owns it.
    pub owner: Ref,
    /// The account.
    pub account: Option<Ref>,
    /// Amount: an exact decimal, as a string.
    pub amount: Option<String>,
    /// ISO 4217 currency.
    pub currency: Option<String>,
    /// Buying stage (R21): `identify_needs`, `establish_criteria`,
    /// `assess_solutions`, `mitigate_risks`, `closed_won`, `closed_lost`.
    pub stage: String,
    /// The stage as the CRM names it.
    pub crm_stage: String,
    /// One of the two early stages, where coaching pays most (R25).
    pub early_stage: bool,
    /// Expected close.
    pub close_date: Option<NaiveDate>,
    /// Created in the CRM.
    pub created_on: Option<NaiveDate>,
    /// Next step.
    pub next_step: Option<String>,
    /// `low`, `medium` or `high`.
    pub importance: Option<String>,
    /// `low`, `medium` or `high`.
    pub complexity: Option<String>,
    /// Last change in the CRM.
    pub crm_updated_at: Option<DateTime<Utc>>,
    /// Last change in Coach.
    pub updated_at: DateTime<Utc>,
    /// Every stage the deal was seen in, oldest first (one opportunity only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage_history: Option<Vec<StageChangeOut>>,
}

/// A customer interaction.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallOut {
    /// Coach's id.
    pub id: String,
    /// The id in the CRM.
    pub source_id: Option<String>,
    /// Subject.
    pub subject: String,
    /// The seller who held it.
    pub owner: Ref,
    /// When it took place.
    pub occurred_at: DateTime<Utc>,
    /// The account.
    pub account: Option<Ref>,
    /// The opportunity.
    pub opportunity: Option<Ref>,
    /// `meeting`, `phone`, `video`, `demo` or `presentation`.
    pub kind: String,
    /// `low`, `medium` or `high`.
    pub importance: Option<String>,
    /// What it achieved.
    pub outcome: Option<String>,
    /// The contacts met (one call only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contacts: Option<Vec<Ref>>,
    /// Last change in the CRM.
    pub crm_updated_at: Option<DateTime<Utc>>,
    /// Last change in Coach.
    pub updated_at: DateTime<Utc>,
}

fn reference(id: &Option<String>, name: &Option<String>) -> Option<Ref> {
    Some(Ref {
        id: id.clone()?,
        name: name.clone().unwrap_or_default(),
    })
}

impl From<Account> for AccountOut {
    fn from(a: Account) -> Self {
        AccountOut {
            owner: Ref {
                id: a.owner_id,
                name: a.owner_name,
            },
            id: a.id,
            source_id: a.source_id,
            name: a.name,
            segment: a.segment,
            tier: a.tier,
            potential: a.potential,
            currency: a.currency,
            key_account: a.key_account,
            crm_updated_at: a.crm_updated_at,
            updated_at: a.updated_at,
        }
    }
}

impl From<Contact> for ContactOut {
    fn from(c: Contact) -> Self {
        ContactOut {
            owner: Ref {
                id: c.owner_id,
                name: c.owner_name,
            },
            account: reference(&c.account_id, &c.account_name),
            id: c.id,
            source_id: c.source_id,
            name: c.name,
            title: c.title,
            email: c.email,
            buying_role: c.buying_role.map(|r| r.as_str().to_owned()),
            stance: c.stance.map(|s| s.as_str().to_owned()),
            crm_updated_at: c.crm_updated_at,
            updated_at: c.updated_at,
        }
    }
}

impl From<Opportunity> for OpportunityOut {
    fn from(o: Opportunity) -> Self {
        OpportunityOut {
            owner: Ref {
                id: o.owner_id,
                name: o.owner_name,
            },
            account: reference(&o.account_id, &o.account_name),
            id: o.id,
            source_id: o.source_id,
            name: o.name,
            amount: o.amount,
            currency: o.currency,
            stage: o.stage.as_str().to_owned(),
            crm_stage: o.crm_stage,
            early_stage: o.stage.is_early(),
            close_date: o.close_date,
            created_on: o.created_on,
            next_step: o.next_step,
            importance: o.importance.map(|l| l.as_str().to_owned()),
            complexity: o.complexity.map(|l| l.as_str().to_owned()),
            crm_updated_at: o.crm_updated_at,
            updated_at: o.updated_at,
            stage_history: None,
        }
    }
}

impl From<Call> for CallOut {
    fn from(c: Call) -> Self {
        CallOut {
            owner: Ref {
                id: c.owner_id,
                name: c.owner_name,
            },
            account: reference(&c.account_id, &c.account_name),
            opportunity: reference(&c.opportunity_id, &c.opportunity_name),
            id: c.id,
            source_id: c.source_id,
            subject: c.subject,
            occurred_at: c.occurred_at,
            kind: c.kind.as_str().to_owned(),
            importance: c.importance.map(|l| l.as_str().to_owned()),
            outcome: c.outcome,
            contacts: None,
            crm_updated_at: c.crm_updated_at,
            updated_at: c.updated_at,
        }
    }
}

impl From<StageChange> for StageChangeOut {
    fn from(s: StageChange) -> Self {
        StageChangeOut {
            changed_at: s.changed_at,
            stage: s.stage.as_str().to_owned(),
            crm_stage: s.crm_stage,
        }
    }
}

/// A page of records.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    /// The records on this page.
    pub data: Vec<T>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

fn page<T, R>(mut records: Vec<R>, limit: usize, id: impl Fn(&R) -> &str) -> Page<T>
where
    T: From<R>,
{
    let next_cursor = if records.len() > limit {
        records.truncate(limit);
        records.last().map(|r| Cursor::encode(id(r)))
    } else {
        None
    };
    Page {
        data: records.into_iter().map(T::from).collect(),
        next_cursor,
    }
}

fn parse<T: std::str::FromStr<Err = String>>(
    field: &'static str,
    raw: Option<&str>,
) -> Result<Option<T>, AppError> {
    raw.map(|r| r.parse::<T>())
        .transpose()
        .map_err(|e| AppError::Invalid(FieldError::new(field, e)))
}

/// The filter every list starts from: the actor's records, a page.
fn filter(
    actor: &Actor,
    owner_id: Option<String>,
    q: Option<String>,
    cursor: Option<&str>,
    limit: usize,
) -> Result<RecordFilter, AppError> {
    Ok(RecordFilter {
        owners: policy::record_owners(actor),
        owner_id,
        search: q,
        after: Cursor::decode(cursor)?,
        limit: Some(limit + 1),
        ..RecordFilter::default()
    })
}

/// Filters and paging for accounts.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AccountParams {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Only this seller's accounts.
    pub owner_id: Option<String>,
    /// Only names containing this text.
    pub q: Option<String>,
    /// Only key accounts (`true`) or only the others (`false`).
    pub key_account: Option<bool>,
}

/// List the accounts you may see.
#[utoipa::path(get, path = "/api/v1/accounts", tag = "crm", params(AccountParams),
    responses((status = 200, body = Page<AccountOut>), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn accounts(
    State(state): State<AppState>,
    actor: Actor,
    Query(p): Query<AccountParams>,
) -> ApiResult<Json<Page<AccountOut>>> {
    let limit = limit(p.limit)?;
    let mut f = filter(&actor, p.owner_id, p.q, p.cursor.as_deref(), limit)?;
    f.key_account = p.key_account;
    let records = state.store().accounts(&actor.org.id, &f).await?;
    Ok(Json(page(records, limit, |r: &Account| &r.id)))
}

/// One account.
#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "crm", params(("id" = String, Path, description = "The account's id")),
    responses((status = 200, body = AccountOut), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn account(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<AccountOut>> {
    let a = state.store().account(&actor.org.id, &id).await?;
    policy::check(
        &actor,
        Action::ViewRecord {
            owner_id: &a.owner_id,
            id: &a.id,
        },
    )?;
    Ok(Json(a.into()))
}

/// Filters and paging for contacts.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ContactParams {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Only this seller's contacts.
    pub owner_id: Option<String>,
    /// Only names containing this text.
    pub q: Option<String>,
    /// Only contacts at this account.
    pub account_id: Option<String>,
    /// Only this buying role: `decision_maker`, `influencer`, `user`, `gatekeeper`, `champion`.
    pub buying_role: Option<String>,
}

/// List the contacts you may see.
#[utoipa::path(get, path = "/api/v1/contacts", tag = "crm", params(ContactParams),
    responses((status = 200, body = Page<ContactOut>), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn contacts(
    State(state): State<AppState>,
    actor: Actor,
    Query(p): Query<ContactParams>,
) -> ApiResult<Json<Page<ContactOut>>> {
    let limit = limit(p.limit)?;
    let mut f = filter(&actor, p.owner_id, p.q, p.cursor.as_deref(), limit)?;
    f.account_id = p.account_id;
    f.buying_role = parse("buying_role", p.buying_role.as_deref())?;
    let records = state.store().contacts(&actor.org.id, &f).await?;
    Ok(Json(page(records, limit, |r: &Contact| &r.id)))
}

/// One contact.
#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "crm", params(("id" = String, Path, description = "The contact's id")),
    responses((status = 200, body = ContactOut), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn contact(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<ContactOut>> {
    let c = state.store().contact(&actor.org.id, &id).await?;
    policy::check(
        &actor,
        Action::ViewRecord {
            owner_id: &c.owner_id,
            id: &c.id,
        },
    )?;
    Ok(Json(c.into()))
}

/// Filters and paging for opportunities.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OpportunityParams {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Only this seller's opportunities.
    pub owner_id: Option<String>,
    /// Only names containing this text.
    pub q: Option<String>,
    /// Only opportunities at this account.
    pub account_id: Option<String>,
    /// Only this buying stage.
    pub stage: Option<String>,
    /// Only open opportunities (`true`).
    pub open: Option<bool>,
}

/// List the opportunities you may see.
#[utoipa::path(get, path = "/api/v1/opportunities", tag = "crm", params(OpportunityParams),
    responses((status = 200, body = Page<OpportunityOut>), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn opportunities(
    State(state): State<AppState>,
    actor: Actor,
    Query(p): Query<OpportunityParams>,
) -> ApiResult<Json<Page<OpportunityOut>>> {
    let limit = limit(p.limit)?;
    let mut f = filter(&actor, p.owner_id, p.q, p.cursor.as_deref(), limit)?;
    f.account_id = p.account_id;
    f.stage = parse("stage", p.stage.as_deref())?;
    f.open_only = p.open.unwrap_or(false);
    let records = state.store().opportunities(&actor.org.id, &f).await?;
    Ok(Json(page(records, limit, |r: &Opportunity| &r.id)))
}

/// One opportunity, with its stage history.
#[utoipa::path(get, path = "/api/v1/opportunities/{id}", tag = "crm", params(("id" = String, Path, description = "The opportunity's id")),
    responses((status = 200, body = OpportunityOut), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn opportunity(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<OpportunityOut>> {
    let store = state.store();
    let o = store.opportunity(&actor.org.id, &id).await?;
    policy::check(
        &actor,
        Action::ViewRecord {
            owner_id: &o.owner_id,
            id: &o.id,
        },
    )?;
    let history = store.stage_history(&actor.org.id, &o.id).await?;
    let mut out = OpportunityOut::from(o);
    out.stage_history = Some(history.into_iter().map(Into::into).collect());
    Ok(Json(out))
}

/// Filters and paging for calls.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CallParams {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Only this seller's calls.
    pub owner_id: Option<String>,
    /// Only subjects containing this text.
    pub q: Option<String>,
    /// Only calls at this account.
    pub account_id: Option<String>,
    /// Only calls about this opportunity.
    pub opportunity_id: Option<String>,
    /// Only this kind: `meeting`, `phone`, `video`, `demo`, `presentation`.
    pub kind: Option<String>,
}

/// List the calls you may see.
#[utoipa::path(get, path = "/api/v1/calls", tag = "crm", params(CallParams),
    responses((status = 200, body = Page<CallOut>), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn calls(
    State(state): State<AppState>,
    actor: Actor,
    Query(p): Query<CallParams>,
) -> ApiResult<Json<Page<CallOut>>> {
    let limit = limit(p.limit)?;
    let mut f = filter(&actor, p.owner_id, p.q, p.cursor.as_deref(), limit)?;
    f.account_id = p.account_id;
    f.opportunity_id = p.opportunity_id;
    f.call_kind = parse("kind", p.kind.as_deref())?;
    let records = state.store().calls(&actor.org.id, &f).await?;
    Ok(Json(page(records, limit, |r: &Call| &r.id)))
}

/// One call, with the contacts met.
#[utoipa::path(get, path = "/api/v1/calls/{id}", tag = "crm", params(("id" = String, Path, description = "The call's id")),
    responses((status = 200, body = CallOut), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn call(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<CallOut>> {
    let c = state.store().call(&actor.org.id, &id).await?;
    policy::check(
        &actor,
        Action::ViewRecord {
            owner_id: &c.owner_id,
            id: &c.id,
        },
    )?;
    let contacts = c
        .contacts
        .iter()
        .map(|(id, name, _)| Ref {
            id: id.clone(),
            name: name.clone(),
        })
        .collect();
    let mut out = CallOut::from(c);
    out.contacts = Some(contacts);
    Ok(Json(out))
}
