//! Organization settings for admins. First: how the CRM's stage names map
//! onto the buying stages (R21), which the CRM import uses and refuses
//! unmapped stages by.

use super::RouteBook;
use super::layout::{NoticeQuery, Shell, html, sentence};
use crate::auth::Actor;
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use coach_core::crm::BuyingStage;
use coach_store::StoreError;
use serde::Deserialize;

pub(crate) fn routes(book: RouteBook) -> RouteBook {
    book.get("/settings/stages", show)
        .post("/settings/stages", save)
        .post("/settings/stages/remove", remove)
}

/// One buying stage and the CRM names mapped to it.
pub(crate) struct StageGroup {
    label: &'static str,
    hint: &'static str,
    names: Vec<String>,
}

#[derive(Template)]
#[template(path = "settings_stages.html")]
struct StagesPage {
    shell: Shell,
    groups: Vec<StageGroup>,
    choices: Vec<(&'static str, &'static str)>,
    name: String,
    stage: String,
    error: Option<String>,
}

fn hint(stage: BuyingStage) -> &'static str {
    match stage {
        BuyingStage::IdentifyNeeds => {
            "The buyer's process, decision-makers and influencers, needs and budget are being learned."
        }
        BuyingStage::EstablishCriteria => {
            "The buyer's criteria are being shaped; the competitors are known (R22)."
        }
        BuyingStage::AssessSolutions => {
            "The buyer weighs our solution and the others against the criteria (R24: a proposal sent is not evidence)."
        }
        BuyingStage::MitigateRisks => {
            "The buyer's concerns are addressed, terms negotiated, the implementation planned (R23)."
        }
        BuyingStage::ClosedWon => "The buyer chose us.",
        BuyingStage::ClosedLost => "The buyer did not.",
    }
}

async fn render(
    state: &AppState,
    actor: &Actor,
    name: String,
    stage: String,
    error: Option<String>,
    status: StatusCode,
    notice: Option<&'static str>,
) -> Result<Response, AppError> {
    let map = state.store().crm_stage_map(&actor.org.id).await?;
    let groups = BuyingStage::ALL
        .into_iter()
        .map(|s| StageGroup {
            label: s.label(),
            hint: hint(s),
            names: map
                .entries()
                .filter(|(_, st)| *st == s)
                .map(|(n, _)| n.to_owned())
                .collect(),
        })
        .collect();
    let view = StagesPage {
        shell: Shell::new(actor, "/settings", state.config().email_enabled).with_notice(notice),
        groups,
        choices: BuyingStage::ALL
            .into_iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        name,
        stage,
        error,
    };
    Ok(html(status, &view))
}

async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    let notice = match q.notice.as_str() {
        "saved" => Some("Stage map saved. The next import uses it."),
        "removed" => {
            Some("Stage removed from the map. An import that meets it will name it and stop.")
        }
        _ => None,
    };
    render(
        &state,
        &actor,
        String::new(),
        BuyingStage::IdentifyNeeds.as_str().to_owned(),
        None,
        StatusCode::OK,
        notice,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub(crate) struct StageForm {
    #[serde(default)]
    crm_stage: String,
    #[serde(default)]
    stage: String,
}

async fn save(
    State(state): State<AppState>,
    actor: Actor,
    Form(form): Form<StageForm>,
) -> Result<Response, AppError> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    let stage = match form.stage.parse::<BuyingStage>() {
        Ok(s) => s,
        Err(e) => {
            return render(
                &state,
                &actor,
                form.crm_stage,
                form.stage,
                Some(sentence(&e)),
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
            )
            .await;
        }
    };
    match state
        .store()
        .set_crm_stage(&actor.org.id, &form.crm_stage, stage)
        .await
    {
        Ok(()) => Ok(Redirect::to("/settings/stages?notice=saved").into_response()),
        Err(StoreError::Invalid(e)) => {
            render(
                &state,
                &actor,
                form.crm_stage,
                form.stage,
                Some(sentence(&e.message)),
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn remove(
    State(state): State<AppState>,
    actor: Actor,
    Form(form): Form<StageForm>,
) -> Result<Response, AppError> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    state
        .store()
        .remove_crm_stage(&actor.org.id, &form.crm_stage)
        .await?;
    Ok(Redirect::to("/settings/stages?notice=removed").into_response())
}
