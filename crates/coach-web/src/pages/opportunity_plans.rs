//! A deal's plan (coaching-model R16, R20–R24): the buyer evidence each
//! buying stage asks for, the stage moved only once that evidence is in, the
//! concerns and the negotiation guard (R23), the verdict on whether the deal
//! is worth pursuing (R20), and whether the deal needs a formal plan (R16).
//! Opened from the deal's page and from an opportunity session's agenda.

use super::RouteBook;
use super::layout::{Shell, form_page, moment, sentence};
use super::records::stage_class;
use crate::auth::Actor;
use crate::error::AppError;
use crate::opportunity_plans::{Reviewed, concern_count, reviewed};
use crate::policy::{self, Action};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use coach_core::FieldError;
use coach_core::crm::BuyingStage;
use coach_core::opportunity_plans::{Concern, Evidence, Known as _, OPEN_STAGES, Verdict};
use coach_store::StoreError;
use coach_store::opportunity_plans::PlanDraft;
use serde::Deserialize;

pub(crate) fn routes(book: RouteBook) -> RouteBook {
    book.get("/opportunities/{id}/plan", show)
        .post("/opportunities/{id}/plan", save)
        .post("/opportunities/{id}/plan/stage", set_stage)
        .post("/opportunities/{id}/plan/negotiation", negotiate)
}

/// One piece of evidence on the page.
pub(crate) struct Item {
    key: &'static str,
    label: &'static str,
    prompt: &'static str,
    note: String,
    done: bool,
}

/// One buying stage with its evidence.
pub(crate) struct StageBox {
    key: &'static str,
    label: &'static str,
    class: &'static str,
    /// Where the deal stands: "done", "current" or "ahead".
    at: &'static str,
    items: Vec<Item>,
    done: usize,
}

/// A concern row of the form.
pub(crate) struct ConcernRow {
    text: String,
    response: String,
    addressed: bool,
}

#[derive(Template)]
#[template(path = "opportunity_plan.html")]
struct PlanPage {
    shell: Shell,
    id: String,
    name: String,
    owner: String,
    stage: &'static str,
    stage_class: &'static str,
    crm_stage: &'static str,
    crm_name: String,
    verdict: Verdict,
    verdict_reasons: String,
    verdicts: Vec<(&'static str, &'static str)>,
    formal: String,
    flags: Vec<String>,
    stages: Vec<StageBox>,
    concerns: Vec<ConcernRow>,
    open_concerns: usize,
    concern_summary: String,
    next: Option<(&'static str, &'static str, Vec<&'static str>)>,
    back: Option<(&'static str, &'static str)>,
    at_risks: bool,
    negotiation: Option<(String, String, Option<String>)>,
    moves: Vec<(String, String, &'static str, &'static str)>,
    version: i64,
    can_write: bool,
    error: Option<String>,
    error_field: &'static str,
}

async fn render(
    state: &AppState,
    actor: &Actor,
    r: Reviewed,
    draft: Option<PlanDraft>,
    error: Option<FieldError>,
    notice: Option<&'static str>,
) -> Result<Response, AppError> {
    let store = state.store();
    let p = &r.plan;
    let can_write = policy::allows(
        actor,
        Action::WritePlan {
            seller_id: &r.deal.owner_id,
        },
    );
    // A refused save shows what was typed, not what is stored.
    let shown = draft.unwrap_or_else(|| PlanDraft {
        notes: p.notes.clone(),
        concerns: p.concerns.clone(),
        verdict: Some(p.verdict),
        verdict_reasons: p.verdict_reasons.clone(),
    });
    let stages = OPEN_STAGES
        .into_iter()
        .map(|s| {
            let items: Vec<Item> = Evidence::of(s)
                .map(|e| Item {
                    key: e.as_str(),
                    label: e.label(),
                    prompt: e.prompt(),
                    note: shown.notes.get(&e).cloned().unwrap_or_default(),
                    done: p.has(e),
                })
                .collect();
            StageBox {
                key: s.as_str(),
                label: s.label(),
                class: stage_class(s),
                at: match s.cmp(&p.stage) {
                    std::cmp::Ordering::Less => "done",
                    std::cmp::Ordering::Equal => "current",
                    std::cmp::Ordering::Greater => "ahead",
                },
                done: items.iter().filter(|i| i.done).count(),
                items,
            }
        })
        .collect();
    let mut concerns: Vec<ConcernRow> = shown
        .concerns
        .iter()
        .map(|c| ConcernRow {
            text: c.text.clone(),
            response: c.response.clone(),
            addressed: c.addressed,
        })
        .collect();
    // Room to add two more.
    for _ in 0..2 {
        concerns.push(ConcernRow {
            text: String::new(),
            response: String::new(),
            addressed: false,
        });
    }
    let moves = store
        .stage_moves(&actor.org.id, &r.deal.id)
        .await?
        .into_iter()
        .rev()
        .map(|m| {
            (
                moment(m.at, &actor.user.time_zone),
                m.by_name,
                m.from.label(),
                m.to.label(),
            )
        })
        .collect();
    let negotiation = match &p.negotiation {
        Some(n) => Some((
            moment(n.at, &actor.user.time_zone),
            store.user(&actor.org.id, &n.by).await?.name,
            n.override_reason.clone(),
        )),
        None => None,
    };
    let back = OPEN_STAGES
        .into_iter()
        .rev()
        .find(|s| *s < p.stage)
        .map(|s| (s.as_str(), s.label()));
    let view = PlanPage {
        shell: Shell::new(actor, "/opportunities", state.config().email_enabled)
            .with_notice(notice),
        id: r.deal.id.clone(),
        name: r.deal.name.clone(),
        owner: r.deal.owner_name.clone(),
        stage: p.stage.label(),
        stage_class: stage_class(p.stage),
        crm_stage: p.crm_stage.label(),
        crm_name: r.deal.crm_stage.clone(),
        verdict: shown.verdict.unwrap_or(Verdict::Undecided),
        verdict_reasons: shown.verdict_reasons.clone(),
        verdicts: Verdict::ALL
            .iter()
            .map(|v| (v.as_str(), v.label()))
            .collect(),
        formal: if r.formal.is_empty() {
            "No formal plan is required for this deal (R16); use what helps.".to_owned()
        } else {
            format!(
                "A formal plan is required for this deal: {} (R16).",
                r.formal.join(", ")
            )
        },
        flags: r.flags.clone(),
        stages,
        concerns,
        open_concerns: p.open_concerns(),
        concern_summary: concern_count(p.concerns.len(), p.open_concerns()),
        next: r.next.as_ref().map(|(s, missing)| {
            (
                s.as_str(),
                s.label(),
                missing.iter().map(|e| e.label()).collect(),
            )
        }),
        back,
        at_risks: p.stage == BuyingStage::MitigateRisks,
        negotiation,
        moves,
        version: p.version,
        can_write,
        error_field: error.as_ref().map_or("", |e| e.field),
        error: error.map(|e| sentence(&e.message)),
    };
    Ok(form_page(&view, view.error.is_some()))
}

async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Query(q): Query<super::layout::NoticeQuery>,
) -> Result<Response, AppError> {
    let r = reviewed(&state, &actor, &id, false).await?;
    let notice = match q.notice.as_str() {
        "saved" => Some("Saved."),
        "moved" => Some("Stage moved."),
        "negotiating" => Some("Negotiation started."),
        _ => None,
    };
    render(&state, &actor, r, None, None, notice).await
}

/// Sends a store answer back to the page: the plan on success, the page with
/// the reason on a refusal.
async fn done(
    state: &AppState,
    actor: &Actor,
    id: &str,
    result: Result<(), StoreError>,
    notice: &str,
    draft: Option<PlanDraft>,
) -> Result<Response, AppError> {
    match result {
        Ok(()) => {
            Ok(Redirect::to(&format!("/opportunities/{id}/plan?notice={notice}")).into_response())
        }
        Err(StoreError::Invalid(e)) => {
            let r = reviewed(state, actor, id, false).await?;
            render(state, actor, r, draft, Some(e), None).await
        }
        Err(StoreError::Stale) => {
            let r = reviewed(state, actor, id, false).await?;
            let e = FieldError::new("version", super::layout::PLAN_CHANGED);
            render(state, actor, r, None, Some(e), None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Reads the plan form: a field per piece of evidence, concern rows
/// `concern_text`, `concern_response` and `concern_addressed` (the row's
/// index as value), the verdict and its reasons, and the version.
fn draft_of(fields: &[(String, String)]) -> Result<(PlanDraft, Option<i64>), FieldError> {
    let mut draft = PlanDraft::default();
    let mut texts = Vec::new();
    let mut responses = Vec::new();
    let mut addressed = Vec::new();
    let mut version = None;
    for (k, v) in fields {
        match k.as_str() {
            "_csrf" => {}
            "version" => {
                version = Some(
                    v.parse()
                        .map_err(|_| FieldError::new("version", "expected the version read"))?,
                );
            }
            "concern_text" => texts.push(v.clone()),
            "concern_response" => responses.push(v.clone()),
            "concern_addressed" => addressed.push(v.clone()),
            "verdict" => {
                draft.verdict = Some(
                    v.parse()
                        .map_err(|m: String| FieldError::new("verdict", m))?,
                );
            }
            "verdict_reasons" => draft.verdict_reasons = v.clone(),
            key => {
                let e: Evidence = key
                    .parse()
                    .map_err(|m: String| FieldError::new("evidence", m))?;
                draft.notes.insert(e, v.clone());
            }
        }
    }
    draft.concerns = texts
        .iter()
        .enumerate()
        .filter(|(i, t)| {
            !t.trim().is_empty() || responses.get(*i).is_some_and(|r| !r.trim().is_empty())
        })
        .map(|(i, t)| Concern {
            text: t.clone(),
            response: responses.get(i).cloned().unwrap_or_default(),
            addressed: addressed.iter().any(|a| a == &i.to_string()),
        })
        .collect();
    Ok((draft, version))
}

async fn save(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let r = reviewed(&state, &actor, &id, true).await?;
    let (draft, version) = match draft_of(&fields) {
        Ok(d) => d,
        Err(e) => return done(&state, &actor, &id, Err(e.into()), "", None).await,
    };
    let result = state
        .store()
        .save_opportunity_plan(
            &actor.org.id,
            &r.deal.id,
            version,
            draft.clone(),
            &actor.user.id,
        )
        .await
        .map(|_| ());
    done(&state, &actor, &id, result, "saved", Some(draft)).await
}

/// A stage move from the page.
#[derive(Debug, Deserialize)]
pub(crate) struct StageForm {
    #[serde(default)]
    stage: String,
    #[serde(default)]
    version: Option<i64>,
}

async fn set_stage(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Form(f): Form<StageForm>,
) -> Result<Response, AppError> {
    let r = reviewed(&state, &actor, &id, true).await?;
    let result = match f.stage.parse::<BuyingStage>() {
        Ok(to) => state
            .store()
            .move_opportunity_stage(&actor.org.id, &r.deal.id, f.version, to, &actor.user.id)
            .await
            .map(|_| ()),
        Err(m) => Err(FieldError::new("stage", m).into()),
    };
    done(&state, &actor, &id, result, "moved", None).await
}

/// The start of negotiation from the page.
#[derive(Debug, Deserialize)]
pub(crate) struct NegotiationForm {
    #[serde(default)]
    override_reason: String,
    #[serde(default)]
    version: Option<i64>,
}

async fn negotiate(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Form(f): Form<NegotiationForm>,
) -> Result<Response, AppError> {
    let r = reviewed(&state, &actor, &id, true).await?;
    let reason = Some(f.override_reason.as_str()).filter(|s| !s.trim().is_empty());
    let result = state
        .store()
        .start_negotiation(&actor.org.id, &r.deal.id, f.version, reason, &actor.user.id)
        .await
        .map(|_| ());
    done(&state, &actor, &id, result, "negotiating", None).await
}

/// Evidence keys as the form sends them, for tests of the form reader.
#[cfg(test)]
mod tests {
    use super::*;

    fn f(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_form_reads_notes_concern_rows_and_the_verdict() {
        let (draft, version) = draft_of(&f(&[
            ("_csrf", "x"),
            ("version", "3"),
            ("budget", "120k"),
            ("concern_text", "Price"),
            ("concern_response", "Phased payment"),
            ("concern_addressed", "0"),
            ("concern_text", "Timing"),
            ("concern_response", ""),
            ("concern_text", ""),
            ("concern_response", ""),
            ("verdict", "pursue"),
            ("verdict_reasons", "Sponsor and budget"),
        ]))
        .unwrap_or_default();
        assert_eq!(version, Some(3));
        assert_eq!(
            draft.notes.get(&Evidence::Budget).map(String::as_str),
            Some("120k")
        );
        assert_eq!(
            draft
                .concerns
                .iter()
                .map(|c| (c.text.as_str(), c.addressed))
                .collect::<Vec<_>>(),
            [("Price", true), ("Timing", false)]
        );
        assert_eq!(draft.verdict, Some(Verdict::Pursue));
        assert!(draft_of(&f(&[("colour", "red")])).is_err_and(|e| e.field == "evidence"));
        assert!(draft_of(&f(&[("verdict", "maybe")])).is_err_and(|e| e.field == "verdict"));
    }
}
