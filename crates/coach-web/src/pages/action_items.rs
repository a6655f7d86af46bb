//! Action items (R39): a seller's commitments, and for a manager those of
//! their team, with filters; overdue ones stand out, and the owner, the
//! seller or those above the seller close them (done or dropped, dated).

use super::RouteBook;
use super::layout::{Shell, html};
use super::session::{ActionView, action_view};
use super::sessions::zone;
use crate::auth::Actor;
use crate::coaching::action_item_for;
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use coach_core::coaching::{ActionStatus, done_on_time};
use coach_store::coaching::{ActionFilter, ActionPatch};
use serde::Deserialize;

pub(crate) fn routes(book: RouteBook) -> RouteBook {
    book.get("/action-items", list)
        .post("/action-items/{id}", change)
}

/// A line of the list.
pub(crate) struct Line {
    item: ActionView,
    seller: String,
    session: Option<String>,
    can_change: bool,
}

#[derive(Template)]
#[template(path = "action_items.html")]
struct ListPage {
    shell: Shell,
    lines: Vec<Line>,
    status: String,
    whose: String,
    seller: String,
    sellers: Vec<(String, String)>,
    leads: bool,
    on_time: Option<(usize, usize)>,
}

/// Filters.
#[derive(Debug, Deserialize)]
pub(crate) struct ListQuery {
    #[serde(default = "open")]
    status: String,
    #[serde(default)]
    whose: String,
    #[serde(default)]
    seller: String,
    #[serde(default)]
    notice: String,
}

fn open() -> String {
    "open".to_owned()
}

async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let store = state.store();
    let org = &actor.org.id;
    let today = Utc::now().with_timezone(&zone(&actor)).date_naive();
    let me = actor.user.id.clone();
    let leads = !actor.below.is_empty() || actor.user.roles.has(coach_core::Role::Admin);
    let whose = if leads && q.whose != "mine" {
        "team"
    } else {
        "mine"
    };
    let statuses = match q.status.as_str() {
        "done" => Some(vec![ActionStatus::Done]),
        "dropped" => Some(vec![ActionStatus::Dropped]),
        "all" => None,
        _ => Some(vec![ActionStatus::Open]),
    };
    let filter = ActionFilter {
        people: policy::record_owners(&actor),
        owner_id: (whose == "mine").then(|| me.clone()),
        seller_id: Some(q.seller.clone()).filter(|s| !s.is_empty() && whose == "team"),
        due_before: (q.status == "overdue").then_some(today),
        statuses,
        limit: Some(300),
        ..ActionFilter::default()
    };
    let items = store.action_items(org, &filter).await?;
    let closed: Vec<bool> = items
        .iter()
        .filter_map(|i| done_on_time(i.status, i.due_on, i.closed_on))
        .collect();
    let on_time =
        (!closed.is_empty()).then(|| (closed.iter().filter(|x| **x).count(), closed.len()));
    let mut sellers: Vec<(String, String)> = items
        .iter()
        .map(|i| (i.seller_id.clone(), i.seller_name.clone()))
        .collect();
    sellers.sort_by(|a, b| a.1.cmp(&b.1));
    sellers.dedup();
    let notice = match q.notice.as_str() {
        "done" => Some("Marked done."),
        "dropped" => Some("Dropped."),
        "reopened" => Some("Open again."),
        _ => None,
    };
    let view = ListPage {
        shell: Shell::new(&actor, "/sessions", state.config().email_enabled).with_notice(notice),
        lines: items
            .iter()
            .map(|i| Line {
                item: action_view(i, today),
                seller: i.seller_name.clone(),
                session: i.session_id.clone(),
                can_change: policy::allows(&actor, Action::UpdateActionItem(i)),
            })
            .collect(),
        status: q.status,
        whose: whose.to_owned(),
        seller: q.seller,
        sellers,
        leads,
        on_time,
    };
    Ok(html(StatusCode::OK, &view))
}

/// A status change.
#[derive(Debug, Deserialize)]
pub(crate) struct ChangeForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    back: String,
}

async fn change(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Form(f): Form<ChangeForm>,
) -> Result<Response, AppError> {
    action_item_for(&state, &actor, &id, true).await?;
    let status: ActionStatus = f
        .status
        .parse()
        .map_err(|e: String| AppError::Invalid(coach_core::FieldError::new("status", e)))?;
    state
        .store()
        .update_action_item(
            &actor.org.id,
            &id,
            None,
            ActionPatch {
                status: Some(status),
                ..ActionPatch::default()
            },
        )
        .await?;
    let notice = match status {
        ActionStatus::Done => "done",
        ActionStatus::Dropped => "dropped",
        ActionStatus::Open => "reopened",
    };
    // Back to the session the change was made from, or the list.
    let back = if f.back.starts_with("/sessions/") && !f.back.contains("//") && f.back.len() < 80 {
        f.back
    } else {
        "/action-items".to_owned()
    };
    let sep = if back.contains('?') { '&' } else { '?' };
    Ok(Redirect::to(&format!("{back}{sep}notice={notice}")).into_response())
}
