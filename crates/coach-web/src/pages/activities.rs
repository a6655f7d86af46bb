//! Sales activities (R1, R4): sellers log what they did in a few clicks,
//! CRM calls of mapped kinds count by themselves, and managers score an
//! activity's quality against the rubric in force on its day.

use super::RouteBook;
use super::layout::{NoticeQuery, Shell, date, day, html, sentence};
use crate::auth::Actor;
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::scorecards::{self, Intent};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use coach_core::{FieldError, Role};
use coach_store::roa::{Activity, ActivityFilter, Model, NewActivity};
use coach_store::{StoreError, User, UserFilter};
use serde::Deserialize;

pub(crate) fn routes(book: RouteBook) -> RouteBook {
    book.get("/activities", list)
        .get("/activities/export", export)
        .post("/activities", log)
        .get("/activities/{id}", show)
        .post("/activities/{id}/score", score)
        .post("/activities/{id}/delete", remove)
}

const PAGE: i64 = 50;

/// An activity as a row of the list.
pub(crate) struct Row {
    id: String,
    day: String,
    seller: String,
    type_name: String,
    group: &'static str,
    what: String,
    from_crm: bool,
    score: (&'static str, &'static str),
}

/// The sellers the actor may log for: `(id, name)`, themselves first.
async fn loggable_sellers(
    state: &AppState,
    actor: &Actor,
) -> Result<Vec<(String, String)>, AppError> {
    let people = state
        .store()
        .users(
            &actor.org.id,
            &UserFilter {
                only: policy::people_scope(actor).ids(),
                role: Some(Role::Seller),
                active: Some(true),
                ..UserFilter::default()
            },
        )
        .await?;
    let mut out: Vec<(String, String)> = people
        .into_iter()
        .filter(|u| policy::allows(actor, Action::LogActivity { seller_id: &u.id }))
        .map(|u| (u.id, u.name))
        .collect();
    out.sort_by_key(|(id, name)| (*id != actor.user.id, name.clone()));
    Ok(out)
}

/// "26 Nov" this year, "26 Nov 2025" before.
fn short_date(d: NaiveDate, today: NaiveDate) -> String {
    use chrono::Datelike as _;
    if d.year() == today.year() {
        d.format("%-d %b").to_string()
    } else {
        date(d)
    }
}

fn score_pill(a: &Activity, model: &Model) -> (&'static str, &'static str) {
    match &a.score {
        None => ("none", "Not scored"),
        Some(s) => {
            let meets = model
                .activity_type(&a.type_id)
                .and_then(|t| t.standards.iter().find(|x| x.seq == s.standard_seq))
                .is_some_and(|st| st.rubric.meets(&s.levels));
            if meets {
                ("good", "Meets standard")
            } else {
                ("below", "Below standard")
            }
        }
    }
}

#[derive(Template)]
#[template(path = "activities.html")]
struct ListPage {
    shell: Shell,
    rows: Vec<Row>,
    types: Vec<(String, String, &'static str)>,
    sellers: Vec<(String, String)>,
    seller: String,
    type_id: String,
    scored: String,
    today: String,
    log_type: String,
    log_seller: String,
    log_day: String,
    log_note: String,
    error: Option<String>,
    more: Option<String>,
    download: String,
    leads: bool,
}

/// Filters of the list.
#[derive(Debug, Deserialize, Default)]
pub(crate) struct ListQuery {
    #[serde(default)]
    seller: String,
    #[serde(default, rename = "type")]
    type_id: String,
    #[serde(default)]
    scored: String,
    #[serde(default)]
    page: Option<i64>,
    #[serde(default)]
    notice: String,
}

impl ListQuery {
    /// The activities the list shows: the viewer's scope and the filters.
    fn filter(&self, actor: &Actor) -> ActivityFilter {
        ActivityFilter {
            sellers: policy::record_owners(actor),
            seller_id: Some(self.seller.clone()).filter(|s| !s.is_empty()),
            type_id: Some(self.type_id.clone()).filter(|s| !s.is_empty()),
            scored: match self.scored.as_str() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            },
            ..ActivityFilter::default()
        }
    }
}

/// The log form.
#[derive(Debug, Deserialize, Default)]
pub(crate) struct LogForm {
    #[serde(default)]
    type_id: String,
    #[serde(default)]
    seller_id: String,
    #[serde(default)]
    occurred_on: String,
    #[serde(default)]
    note: String,
}

async fn render_list(
    state: &AppState,
    actor: &Actor,
    q: ListQuery,
    form: Option<(LogForm, String)>,
) -> Result<Response, AppError> {
    let store = state.store();
    let model = store.roa_model(&actor.org.id).await?;
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let filter = ActivityFilter {
        newest_first: true,
        limit: Some(PAGE + 1),
        offset: Some((page - 1) * PAGE),
        ..q.filter(actor)
    };
    let download = serde_urlencoded::to_string([
        ("seller", q.seller.as_str()),
        ("type", q.type_id.as_str()),
        ("scored", q.scored.as_str()),
    ])
    .unwrap_or_default();
    let mut rows = store.activities(&actor.org.id, &filter).await?;
    let today = scorecards::today(&actor.org.time_zone);
    let more = (rows.len() as i64 > PAGE).then(|| {
        rows.truncate(usize::try_from(PAGE).unwrap_or(50));
        serde_urlencoded::to_string([
            ("seller", q.seller.as_str()),
            ("type", q.type_id.as_str()),
            ("scored", q.scored.as_str()),
            ("page", &(page + 1).to_string()),
        ])
        .unwrap_or_default()
    });
    let sellers = loggable_sellers(state, actor).await?;
    let notice = match q.notice.as_str() {
        "logged" => Some("Activity logged. It counts on the scorecard now."),
        "removed" => Some("Activity removed."),
        _ => None,
    };
    let status = if form.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let (log, error) = match form {
        Some((f, e)) => (f, Some(e)),
        None => (LogForm::default(), None),
    };
    let view = ListPage {
        shell: Shell::new(actor, "/scorecard", state.config().email_enabled).with_notice(notice),
        rows: rows
            .iter()
            .map(|a| Row {
                id: a.id.clone(),
                day: short_date(a.occurred_on, today),
                seller: a.seller_name.clone(),
                type_name: a.type_name.clone(),
                group: a.group.label(),
                what: a
                    .call_subject
                    .clone()
                    .or_else(|| a.opportunity_name.clone())
                    .unwrap_or_else(|| a.note.clone()),
                from_crm: a.logged_by == "crm",
                score: score_pill(a, &model),
            })
            .collect(),
        types: model
            .activity_types
            .iter()
            .filter(|t| t.active)
            .map(|t| (t.id.clone(), t.name.clone(), t.group.label()))
            .collect(),
        leads: sellers.len() > 1 || sellers.first().is_some_and(|(id, _)| *id != actor.user.id),
        sellers,
        seller: q.seller,
        type_id: q.type_id,
        scored: q.scored,
        today: today.to_string(),
        log_type: log.type_id,
        log_seller: if log.seller_id.is_empty() {
            actor.user.id.clone()
        } else {
            log.seller_id
        },
        log_day: if log.occurred_on.is_empty() {
            today.to_string()
        } else {
            log.occurred_on
        },
        log_note: log.note,
        error,
        more,
        download,
    };
    Ok(html(status, &view))
}

async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    render_list(&state, &actor, q, None).await
}

async fn log(
    State(state): State<AppState>,
    actor: Actor,
    Form(form): Form<LogForm>,
) -> Result<Response, AppError> {
    let store = state.store();
    let seller_id = if form.seller_id.is_empty() {
        actor.user.id.clone()
    } else {
        form.seller_id.clone()
    };
    let seller: User = store.user(&actor.org.id, &seller_id).await?;
    policy::check(
        &actor,
        Action::LogActivity {
            seller_id: &seller.id,
        },
    )?;
    let parsed = NaiveDate::parse_from_str(form.occurred_on.trim(), "%Y-%m-%d").map_err(|_| {
        FieldError::new(
            "occurred_on",
            "expected the day it happened, such as 2026-11-26",
        )
    });
    let result = match parsed {
        Ok(on) => store
            .log_activity(
                &actor.org.id,
                NewActivity {
                    type_id: form.type_id.clone(),
                    seller_id: seller.id.clone(),
                    occurred_on: on,
                    note: form.note.clone(),
                },
                &actor.user.id,
            )
            .await
            .map(|_| ()),
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/activities?notice=logged").into_response()),
        Err(StoreError::Invalid(e)) => {
            let message = sentence(&e.message);
            render_list(&state, &actor, ListQuery::default(), Some((form, message))).await
        }
        Err(e) => Err(e.into()),
    }
}

/// One criterion of the rubric, with its levels, for scoring.
pub(crate) struct CriterionView {
    index: usize,
    name: String,
    levels: Vec<(u8, String, bool)>,
}

#[derive(Template)]
#[template(path = "activity.html")]
struct DetailPage {
    shell: Shell,
    id: String,
    type_name: String,
    group: &'static str,
    seller: String,
    seller_id: String,
    day: String,
    note: String,
    call: Option<(&'static str, String, String)>,
    logged: String,
    score: (&'static str, &'static str),
    scored_by: Option<String>,
    comment: String,
    version: Option<String>,
    criteria: Vec<CriterionView>,
    can_score: bool,
    can_remove: bool,
    error: Option<String>,
}

async fn render_detail(
    state: &AppState,
    actor: &Actor,
    id: &str,
    notice: Option<&'static str>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let store = state.store();
    let a = scorecards::activity_for(state, actor, id, Intent::View).await?;
    let model = store.roa_model(&actor.org.id).await?;
    let t = model.activity_type(&a.type_id);
    // The rubric of the version the score used, else the one in force on the day.
    let standard = t.and_then(|t| match &a.score {
        Some(s) => t.standards.iter().find(|x| x.seq == s.standard_seq),
        None => t.standard_on(a.occurred_on),
    });
    let picked = a
        .score
        .as_ref()
        .map(|s| s.levels.clone())
        .unwrap_or_default();
    let criteria = standard
        .map(|s| {
            s.rubric
                .criteria
                .iter()
                .enumerate()
                .map(|(i, c)| CriterionView {
                    index: i + 1,
                    name: c.name.clone(),
                    levels: c
                        .levels
                        .iter()
                        .enumerate()
                        .map(|(j, l)| {
                            let level = u8::try_from(j + 1).unwrap_or(0);
                            (level, l.clone(), picked.get(i) == Some(&level))
                        })
                        .collect(),
                })
                .collect()
        })
        .unwrap_or_default();
    let logged_by = if a.logged_by == "crm" {
        "Counted from the CRM".to_owned()
    } else if a.logged_by == a.seller_id {
        format!("Logged by {} on {}", a.seller_name, day(a.created_at))
    } else {
        let who = store
            .user(&actor.org.id, &a.logged_by)
            .await
            .map(|u| u.name)
            .unwrap_or_else(|_| "someone".to_owned());
        format!("Logged by {who} on {}", day(a.created_at))
    };
    let can_score = policy::allows(
        actor,
        Action::ScoreActivity {
            seller_id: &a.seller_id,
            id: &a.id,
        },
    ) && standard.is_some();
    let can_remove = a.score.is_none()
        && a.logged_by != "crm"
        && policy::allows(
            actor,
            Action::LogActivity {
                seller_id: &a.seller_id,
            },
        );
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let view = DetailPage {
        shell: Shell::new(actor, "/scorecard", state.config().email_enabled).with_notice(notice),
        score: score_pill(&a, &model),
        scored_by: a
            .score
            .as_ref()
            .map(|s| format!("Scored by {} on {}", s.scored_by_name, day(s.scored_at))),
        comment: a
            .score
            .as_ref()
            .map(|s| s.comment.clone())
            .unwrap_or_default(),
        version: standard.map(|s| {
            if s.effective_on.to_string() == "2000-01-01" {
                format!("Standard version {}", s.seq)
            } else {
                format!(
                    "Standard version {}, in force from {}",
                    s.seq,
                    date(s.effective_on)
                )
            }
        }),
        id: a.id,
        type_name: a.type_name,
        group: a.group.label(),
        seller: a.seller_name,
        seller_id: a.seller_id,
        day: date(a.occurred_on),
        note: a.note,
        call: match (a.call_id, a.opportunity_id) {
            (Some(c), _) => Some((
                "CRM call",
                format!("/calls/{c}"),
                a.call_subject.unwrap_or_default(),
            )),
            (None, Some(o)) => Some((
                "Opportunity opened",
                format!("/opportunities/{o}"),
                a.opportunity_name.unwrap_or_default(),
            )),
            _ => None,
        },
        logged: logged_by,
        criteria,
        can_score,
        can_remove,
        error,
    };
    Ok(html(status, &view))
}

async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let notice =
        (q.notice == "scored").then_some("Score saved. The seller sees it on their scorecard.");
    render_detail(&state, &actor, &id, notice, None).await
}

async fn score(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let store = state.store();
    scorecards::activity_for(&state, &actor, &id, Intent::Score).await?;
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    // One radio group per criterion; a criterion left unpicked ends the list
    // and the store names the gap.
    let levels: Vec<u8> = (1..=coach_core::roa::LEVELS_MAX)
        .map_while(|i| value(&format!("level_{i}")))
        .map(|v| v.parse::<u8>().unwrap_or(0))
        .collect();
    let comment = value("comment").unwrap_or_default();
    match store
        .score_activity(&actor.org.id, &id, &levels, &comment, &actor.user.id)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/activities/{id}?notice=scored")).into_response()),
        Err(StoreError::Invalid(e)) => {
            let message = if e.message.contains("one level for each") {
                "Pick a level for every criterion.".to_owned()
            } else {
                sentence(&e.message)
            };
            render_detail(&state, &actor, &id, None, Some(message)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn remove(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    scorecards::activity_for(&state, &actor, &id, Intent::Remove).await?;
    match state.store().delete_activity(&actor.org.id, &id).await {
        Ok(()) => Ok(Redirect::to("/activities?notice=removed").into_response()),
        Err(StoreError::Invalid(e)) => {
            render_detail(&state, &actor, &id, None, Some(sentence(&e.message))).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The list's activities, with their scores, as CSV or JSON (the columns of
/// `coach export --kind activities`).
async fn export(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ListQuery>,
    Query(format): Query<super::records::Format>,
) -> Result<Response, AppError> {
    let (format, extension, content_type) = format.parse()?;
    let mut body = Vec::new();
    state
        .store()
        .export_activities(&actor.org.id, q.filter(&actor), format, &mut body)
        .await?;
    Ok(super::records::attachment(
        body,
        "activities",
        extension,
        content_type,
    ))
}
