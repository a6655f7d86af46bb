//! Account plans (coaching-model R7): the assessment, the client's goals,
//! the people who decide and influence drawn as a map by stance, the
//! mutual-value plan (strategic) and the action plan (tactical), with
//! whether recent coaching on the account was strategic or tactical. Opened
//! from the account's page and from account sessions, which the manager
//! marks strategic or tactical.

use super::RouteBook;
use super::layout::{Shell, date, form_page, html, sentence};
use crate::account_plans::{Reviewed, reviewed};
use crate::auth::Actor;
use crate::coaching::{Want, session_for};
use crate::error::AppError;
use crate::policy;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use coach_core::FieldError;
use coach_core::account_plans::{
    Focus, MAP_COLUMNS, MAP_ROWS, Person, Relationship, Step, StepStatus, cell,
};
use coach_core::records::{BuyingRole, Stance};
use coach_store::StoreError;
use coach_store::account_plans::AccountPlanDraft;
use serde::Deserialize;

pub(crate) fn routes(book: RouteBook) -> RouteBook {
    book.get("/account-plans", list)
        .get("/accounts/{id}/plan", show)
        .post("/accounts/{id}/plan", save)
        .post("/sessions/{id}/focus", set_focus)
}

/// A key account in the list.
pub(crate) struct ListRow {
    id: String,
    name: String,
    owner: String,
    state: (&'static str, &'static str),
    updated: String,
}

#[derive(Template)]
#[template(path = "account_plans.html")]
struct ListPage {
    shell: Shell,
    rows: Vec<ListRow>,
    required: bool,
}

async fn list(State(state): State<AppState>, actor: Actor) -> Result<Response, AppError> {
    let store = state.store();
    let owners = policy::record_owners(&actor);
    let plans = store
        .key_account_plans(&actor.org.id, owners.as_deref())
        .await?;
    let required = store.key_accounts_need_plan(&actor.org.id).await?;
    let view = ListPage {
        shell: Shell::new(&actor, "/sessions", state.config().email_enabled),
        required,
        rows: plans
            .into_iter()
            .map(|p| ListRow {
                state: match (p.version > 0, required) {
                    (true, _) => ("good", "Written"),
                    (false, true) => ("below", "Required, none yet"),
                    (false, false) => ("none", "None yet"),
                },
                updated: p
                    .updated_at
                    .map(|t| date(t.date_naive()))
                    .unwrap_or_default(),
                id: p.account_id,
                name: p.account_name,
                owner: p.owner_name,
            })
            .collect(),
    };
    Ok(html(StatusCode::OK, &view))
}

/// A person on the map.
pub(crate) struct Chip {
    name: String,
    title: String,
    relationship: &'static str,
    class: &'static str,
}

/// A row of the form's people or steps.
pub(crate) struct PersonRow {
    name: String,
    title: String,
    role: &'static str,
    stance: &'static str,
    relationship: &'static str,
}

/// A step row of the form.
pub(crate) struct StepRow {
    activity: String,
    time_frame: String,
    resources: String,
    owner: String,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "account_plan.html")]
struct PlanPage {
    shell: Shell,
    id: String,
    name: String,
    owner: String,
    key_account: bool,
    written: bool,
    version: i64,
    can_write: bool,
    flags: Vec<String>,
    focus: String,
    coaching: Vec<(String, String, &'static str, &'static str)>,
    map: Vec<(&'static str, Vec<Vec<Chip>>)>,
    columns: Vec<&'static str>,
    assessment: String,
    goals: String,
    mutual_value: String,
    people: Vec<PersonRow>,
    steps: Vec<StepRow>,
    roles: Vec<(&'static str, &'static str)>,
    stances: Vec<(&'static str, &'static str)>,
    relationships: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
    error: Option<String>,
}

fn relationship_class(r: Relationship) -> &'static str {
    match r {
        Relationship::Strong => "good",
        Relationship::Good => "early",
        Relationship::Weak => "below",
        Relationship::None => "none",
    }
}

fn render(
    state: &AppState,
    actor: &Actor,
    r: Reviewed,
    typed: Option<AccountPlanDraft>,
    error: Option<String>,
    notice: Option<&'static str>,
) -> Response {
    let p = &r.plan;
    let can_write = policy::allows(
        actor,
        policy::Action::WritePlan {
            seller_id: &p.owner_id,
        },
    );
    let shown = typed.unwrap_or_else(|| AccountPlanDraft {
        assessment: p.assessment.clone(),
        goals: p.goals.clone(),
        mutual_value: p.mutual_value.clone(),
        people: p.people.clone(),
        actions: p.actions.clone(),
    });
    let map = MAP_ROWS
        .iter()
        .enumerate()
        .map(|(row, (label, _))| {
            (
                *label,
                MAP_COLUMNS
                    .iter()
                    .map(|stance| {
                        cell(&p.people, row, *stance)
                            .into_iter()
                            .map(|x| Chip {
                                name: x.name.clone(),
                                title: x.title.clone(),
                                relationship: x.relationship.label(),
                                class: relationship_class(x.relationship),
                            })
                            .collect()
                    })
                    .collect(),
            )
        })
        .collect();
    let mut people: Vec<PersonRow> = shown
        .people
        .iter()
        .map(|x| PersonRow {
            name: x.name.clone(),
            title: x.title.clone(),
            role: x.role.as_str(),
            stance: x.stance.as_str(),
            relationship: x.relationship.as_str(),
        })
        .collect();
    for _ in 0..2 {
        people.push(PersonRow {
            name: String::new(),
            title: String::new(),
            role: BuyingRole::Influencer.as_str(),
            stance: Stance::Neutral.as_str(),
            relationship: Relationship::None.as_str(),
        });
    }
    let mut steps: Vec<StepRow> = shown
        .actions
        .iter()
        .map(|s| StepRow {
            activity: s.activity.clone(),
            time_frame: s.time_frame.clone(),
            resources: s.resources.clone(),
            owner: s.owner.clone(),
            status: s.status.as_str(),
        })
        .collect();
    for _ in 0..2 {
        steps.push(StepRow {
            activity: String::new(),
            time_frame: String::new(),
            resources: String::new(),
            owner: String::new(),
            status: StepStatus::Planned.as_str(),
        });
    }
    let tz: chrono_tz::Tz = actor.user.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let view = PlanPage {
        shell: Shell::new(actor, "/accounts", state.config().email_enabled).with_notice(notice),
        id: p.account_id.clone(),
        name: p.account_name.clone(),
        owner: p.owner_name.clone(),
        key_account: p.key_account,
        written: p.version > 0,
        version: p.version,
        can_write,
        flags: r.flags.clone(),
        focus: r.focus.clone(),
        coaching: r
            .coaching
            .iter()
            .map(|c| {
                let (label, class) = match c.focus {
                    Some(Focus::Strategic) => ("Strategic", "good"),
                    Some(Focus::Tactical) => ("Tactical", "below"),
                    None => ("Not marked", "none"),
                };
                (
                    format!("/sessions/{}", c.session_id),
                    date(c.starts_at.with_timezone(&tz).date_naive()),
                    label,
                    class,
                )
            })
            .collect(),
        map,
        columns: MAP_COLUMNS.iter().map(|s| s.label()).collect(),
        assessment: shown.assessment,
        goals: shown.goals,
        mutual_value: shown.mutual_value,
        people,
        steps,
        roles: BuyingRole::ALL
            .iter()
            .map(|r| (r.as_str(), r.label()))
            .collect(),
        stances: Stance::ALL
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        relationships: Relationship::ALL
            .iter()
            .map(|r| (r.as_str(), r.label()))
            .collect(),
        statuses: StepStatus::ALL
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        error,
    };
    form_page(&view, view.error.is_some())
}

async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Query(q): Query<super::layout::NoticeQuery>,
) -> Result<Response, AppError> {
    let r = reviewed(&state, &actor, &id, false).await?;
    let notice = (q.notice == "saved").then_some("Saved.");
    Ok(render(&state, &actor, r, None, None, notice))
}

/// Reads the plan form: the three texts, `person_*_N` and `step_*_N` rows
/// (blank rows are left out), and the version.
fn draft_from(fields: &[(String, String)]) -> Result<(AccountPlanDraft, Option<i64>), FieldError> {
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut draft = AccountPlanDraft {
        assessment: get("assessment"),
        goals: get("goals"),
        mutual_value: get("mutual_value"),
        ..AccountPlanDraft::default()
    };
    for i in 0..coach_core::account_plans::LIST_MAX + 2 {
        let name = get(&format!("person_name_{i}"));
        let title = get(&format!("person_title_{i}"));
        if !name.trim().is_empty() || !title.trim().is_empty() {
            let role = get(&format!("person_role_{i}"));
            let stance = get(&format!("person_stance_{i}"));
            let rel = get(&format!("person_relationship_{i}"));
            draft.people.push(Person {
                name,
                title,
                role: role
                    .parse()
                    .map_err(|m: String| FieldError::new("people", m))?,
                stance: stance
                    .parse()
                    .map_err(|m: String| FieldError::new("people", m))?,
                relationship: rel
                    .parse()
                    .map_err(|m: String| FieldError::new("people", m))?,
            });
        }
        let activity = get(&format!("step_activity_{i}"));
        let step_owner = get(&format!("step_owner_{i}"));
        if !activity.trim().is_empty() || !step_owner.trim().is_empty() {
            draft.actions.push(Step {
                activity,
                time_frame: get(&format!("step_time_frame_{i}")),
                resources: get(&format!("step_resources_{i}")),
                owner: step_owner,
                status: get(&format!("step_status_{i}"))
                    .parse()
                    .map_err(|m: String| FieldError::new("actions", m))?,
            });
        }
    }
    Ok((draft, get("version").parse().ok()))
}

async fn save(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    reviewed(&state, &actor, &id, true).await?;
    let (draft, version) = match draft_from(&fields) {
        Ok(d) => d,
        Err(e) => {
            let r = reviewed(&state, &actor, &id, false).await?;
            return Ok(render(
                &state,
                &actor,
                r,
                None,
                Some(sentence(&e.message)),
                None,
            ));
        }
    };
    match state
        .store()
        .save_account_plan(&actor.org.id, &id, version, draft.clone(), &actor.user.id)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/accounts/{id}/plan?notice=saved")).into_response()),
        Err(StoreError::Invalid(e)) => {
            let r = reviewed(&state, &actor, &id, false).await?;
            Ok(render(
                &state,
                &actor,
                r,
                Some(draft),
                Some(sentence(&e.message)),
                None,
            ))
        }
        Err(StoreError::Stale) => {
            let r = reviewed(&state, &actor, &id, false).await?;
            let e = super::layout::PLAN_CHANGED;
            Ok(render(&state, &actor, r, None, Some(e.to_owned()), None))
        }
        Err(e) => Err(e.into()),
    }
}

/// What an account session dwelt on, from the session room.
#[derive(Debug, Deserialize)]
pub(crate) struct FocusForm {
    #[serde(default)]
    focus: String,
}

async fn set_focus(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Form(f): Form<FocusForm>,
) -> Result<Response, AppError> {
    let s = session_for(&state, &actor, &id, Want::Lead).await?;
    let focus = match f.focus.as_str() {
        "" => None,
        raw => Some(
            raw.parse::<Focus>()
                .map_err(|m| AppError::Invalid(FieldError::new("focus", m)))?,
        ),
    };
    match state
        .store()
        .set_session_focus(&actor.org.id, &s.id, focus)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/sessions/{id}?notice=saved")).into_response()),
        Err(e) => Err(e.into()),
    }
}
