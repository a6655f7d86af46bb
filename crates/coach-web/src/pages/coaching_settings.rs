//! How the organization coaches (admins): the rules of preparation and
//! feedback (R27, R40), the question bank by kind and buying stage (R37),
//! and the agenda template of each kind of coaching, which always keeps the
//! three sections (R35).

use super::RouteBook;
use super::layout::{Shell, form_page, sentence};
use crate::api::actions::FormalPlanRules;
use crate::auth::Actor;
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use coach_core::FieldError;
use coach_core::coaching::{AgendaTemplate, Section, SessionKind, TemplateItem};
use coach_core::crm::BuyingStage;
use coach_core::records::Level;
use coach_store::StoreError;
use coach_store::coaching::CoachingSettings;
use serde::Deserialize;

pub(crate) fn routes(book: RouteBook) -> RouteBook {
    book.get("/settings/coaching", show)
        .post("/settings/coaching", save)
        .post("/settings/coaching/questions", add_question)
        .post("/settings/coaching/questions/{id}/delete", remove_question)
        .post("/settings/coaching/templates", save_template)
        .post("/settings/coaching/formal-plans", save_formal_plans)
}

/// The questions of one kind.
pub(crate) struct BankGroup {
    label: &'static str,
    questions: Vec<(String, String, bool, &'static str)>,
}

/// A template as an editable text.
pub(crate) struct TemplateView {
    kind: &'static str,
    label: &'static str,
    outcome: String,
    lines: String,
}

#[derive(Template)]
#[template(path = "settings_coaching.html")]
struct SettingsPage {
    shell: Shell,
    settings: CoachingSettings,
    band_low: String,
    band_high: String,
    groups: Vec<BankGroup>,
    templates: Vec<TemplateView>,
    kinds: Vec<(&'static str, &'static str)>,
    stages: Vec<(&'static str, &'static str)>,
    levels: Vec<(&'static str, &'static str)>,
    formal: FormalPlanRules,
    key_accounts_need_plan: bool,
    error: Option<String>,
}

/// `?notice=`.
#[derive(Debug, Deserialize, Default)]
pub(crate) struct PageQuery {
    #[serde(default)]
    notice: String,
}

fn lines(t: &AgendaTemplate) -> String {
    t.items
        .iter()
        .map(|i| format!("{} | {} | {}", i.section.as_str(), i.title, i.minutes))
        .collect::<Vec<_>>()
        .join("\n")
}

async fn render(
    state: &AppState,
    actor: &Actor,
    notice: &str,
    error: Option<String>,
) -> Result<Response, AppError> {
    let store = state.store();
    let org = &actor.org.id;
    let bank = store.question_bank(org, None).await?;
    let mut templates = Vec::new();
    for kind in SessionKind::ALL {
        let t = store.agenda_template(org, *kind).await?;
        templates.push(TemplateView {
            kind: kind.as_str(),
            label: kind.label(),
            outcome: t.desired_outcome.clone(),
            lines: lines(&t),
        });
    }
    let notice = match notice {
        "saved" => Some("Saved."),
        "added" => Some("Question added to the bank."),
        "removed" => Some("Question removed from the bank."),
        "template" => Some("Template saved. Sessions scheduled from now on start from it."),
        "formal" => Some("Saved. Deals are judged by the new rules from now on."),
        _ => None,
    };
    let settings = store.coaching_settings(org).await?;
    let view = SettingsPage {
        shell: Shell::new(actor, "/settings", state.config().email_enabled).with_notice(notice),
        band_low: hours_text(settings.band.low_minutes),
        band_high: hours_text(settings.band.high_minutes),
        settings,
        formal: FormalPlanRules::from_rules(&store.formality(org).await?),
        key_accounts_need_plan: store.key_accounts_need_plan(org).await?,
        levels: Level::ALL.iter().map(|l| (l.as_str(), l.label())).collect(),
        groups: SessionKind::ALL
            .iter()
            .map(|k| BankGroup {
                label: k.label(),
                questions: bank
                    .iter()
                    .filter(|q| q.kind == *k)
                    .map(|q| {
                        (
                            q.id.clone(),
                            q.text.clone(),
                            q.open,
                            q.stage.map_or("Any stage", |s| s.label()),
                        )
                    })
                    .collect(),
            })
            .collect(),
        templates,
        kinds: SessionKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        stages: BuyingStage::ALL
            .iter()
            .filter(|s| s.is_open())
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        error,
    };
    Ok(form_page(&view, view.error.is_some()))
}

async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    render(&state, &actor, &q.notice, None).await
}

async fn done(
    state: &AppState,
    actor: &Actor,
    r: Result<(), StoreError>,
    notice: &str,
) -> Result<Response, AppError> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/settings/coaching?notice={notice}")).into_response()),
        Err(StoreError::Invalid(e)) => render(state, actor, "", Some(sentence(&e.message))).await,
        Err(e) => Err(e.into()),
    }
}

/// The settings form.
#[derive(Debug, Deserialize)]
pub(crate) struct SettingsForm {
    #[serde(default)]
    feedback_min_answers: String,
    #[serde(default)]
    prep_working_days: String,
    #[serde(default)]
    crm_fresh_days: String,
    #[serde(default)]
    deal_criteria: String,
    #[serde(default)]
    band_low_hours: String,
    #[serde(default)]
    band_high_hours: String,
}

/// Minutes as hours for a field: "2", "2.5".
fn hours_text(minutes: u32) -> String {
    let h = f64::from(minutes) / 60.0;
    if (h - h.round()).abs() < 1e-9 {
        format!("{}", h.round())
    } else {
        format!("{h:.2}").trim_end_matches('0').to_owned()
    }
}

/// Hours a month as typed ("2", "2.5") in whole minutes.
fn hours_field(field: &'static str, raw: &str) -> Result<i64, StoreError> {
    raw.trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|h| h.is_finite() && (0.0..=40.0).contains(h))
        .map(|h| (h * 60.0).round() as i64)
        .ok_or_else(|| {
            StoreError::Invalid(FieldError::new(field, "expected 0 to 40 hours a month"))
        })
}

async fn save(
    State(state): State<AppState>,
    actor: Actor,
    Form(f): Form<SettingsForm>,
) -> Result<Response, AppError> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    let number = |field: &'static str, raw: &str| {
        raw.trim()
            .parse::<u32>()
            .map_err(|_| StoreError::Invalid(FieldError::new(field, "expected a whole number")))
    };
    let r = async {
        let s = CoachingSettings {
            feedback_min_answers: number("feedback_min_answers", &f.feedback_min_answers)?,
            prep_working_days: number("prep_working_days", &f.prep_working_days)?,
            crm_fresh_days: number("crm_fresh_days", &f.crm_fresh_days)?,
            deal_criteria: f.deal_criteria.clone(),
            band: coach_core::analytics::Band::new(
                hours_field("band_low_hours", &f.band_low_hours)?,
                hours_field("band_high_hours", &f.band_high_hours)?,
            )
            .map_err(|_| {
                StoreError::Invalid(FieldError::new(
                    "band_high_hours",
                    "expected more hours than the low end",
                ))
            })?,
        };
        state.store().set_coaching_settings(&actor.org.id, &s).await
    }
    .await;
    done(&state, &actor, r, "saved").await
}

/// A new question of the bank.
#[derive(Debug, Deserialize)]
pub(crate) struct QuestionForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    stage: String,
    #[serde(default)]
    open: Option<String>,
    #[serde(default)]
    text: String,
}

async fn add_question(
    State(state): State<AppState>,
    actor: Actor,
    Form(f): Form<QuestionForm>,
) -> Result<Response, AppError> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    let r = async {
        let kind: SessionKind = f
            .kind
            .parse()
            .map_err(|e: String| StoreError::Invalid(FieldError::new("kind", e)))?;
        let stage = match f.stage.trim() {
            "" => None,
            s => Some(
                s.parse::<BuyingStage>()
                    .map_err(|e| StoreError::Invalid(FieldError::new("stage", e)))?,
            ),
        };
        state
            .store()
            .add_question(&actor.org.id, kind, stage, f.open.is_some(), &f.text)
            .await
            .map(|_| ())
    }
    .await;
    done(&state, &actor, r, "added").await
}

async fn remove_question(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    state.store().remove_question(&actor.org.id, &id).await?;
    Ok(Redirect::to("/settings/coaching?notice=removed#bank").into_response())
}

/// A template's form: one item per line, `section | title | minutes`.
#[derive(Debug, Deserialize)]
pub(crate) struct TemplateForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    desired_outcome: String,
    #[serde(default)]
    items: String,
}

fn parse_lines(text: &str) -> Result<Vec<TemplateItem>, FieldError> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(n, line)| {
            let parts: Vec<&str> = line.split('|').map(str::trim).collect();
            let bad = |what: &str| {
                FieldError::new(
                    "items",
                    format!("line {}: {what}; write section | title | minutes", n + 1),
                )
            };
            let [section, title, minutes] = parts[..] else {
                return Err(bad("expected three parts"));
            };
            Ok(TemplateItem {
                section: section.parse::<Section>().map_err(|e| bad(&e))?,
                title: title.to_owned(),
                minutes: minutes
                    .parse()
                    .map_err(|_| bad("expected the minutes as a whole number"))?,
            })
        })
        .collect()
}

async fn save_template(
    State(state): State<AppState>,
    actor: Actor,
    Form(f): Form<TemplateForm>,
) -> Result<Response, AppError> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    let r = async {
        let kind: SessionKind = f
            .kind
            .parse()
            .map_err(|e: String| StoreError::Invalid(FieldError::new("kind", e)))?;
        let items = parse_lines(&f.items)?;
        state
            .store()
            .set_agenda_template(
                &actor.org.id,
                &AgendaTemplate {
                    kind,
                    desired_outcome: f.desired_outcome.clone(),
                    items,
                },
                &actor.user.id,
            )
            .await
    }
    .await;
    done(&state, &actor, r, "template").await
}

/// Which deals need a formal plan (R16).
#[derive(Debug, Deserialize)]
pub(crate) struct FormalForm {
    #[serde(default)]
    min_amount: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    min_importance: String,
    #[serde(default)]
    min_complexity: String,
    #[serde(default)]
    from_stage: String,
    #[serde(default)]
    key_accounts_need_plan: Option<String>,
}

async fn save_formal_plans(
    State(state): State<AppState>,
    actor: Actor,
    Form(f): Form<FormalForm>,
) -> Result<Response, AppError> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    let rules = FormalPlanRules {
        min_amount: Some(f.min_amount),
        currency: Some(f.currency),
        min_importance: Some(f.min_importance),
        min_complexity: Some(f.min_complexity),
        from_stage: f.from_stage,
    };
    let r = match rules.rules() {
        Ok(rules) => match state.store().set_formality(&actor.org.id, rules).await {
            Ok(_) => {
                state
                    .store()
                    .set_key_accounts_need_plan(&actor.org.id, f.key_accounts_need_plan.is_some())
                    .await
            }
            Err(e) => Err(e),
        },
        Err(AppError::Invalid(e)) => Err(StoreError::Invalid(e)),
        Err(e) => return Err(e),
    };
    done(&state, &actor, r, "formal").await
}
