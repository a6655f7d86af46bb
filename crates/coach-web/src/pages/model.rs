//! The ROA model (coaching-model R1–R5): everyone reads the chain from
//! activities to objectives to results; admins add and change its parts,
//! the standards of each activity type (R4, every version kept), targets,
//! and the values Coach cannot compute.

use super::RouteBook;
use super::layout::{NoticeQuery, Shell, date, html, sentence};
use crate::auth::Actor;
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use coach_core::FieldError;
use coach_core::Role;
use coach_core::roa::{
    ActivityGroup, Criterion, CrmSource, LEVELS_MAX, MeasureLevel, Metric, Per, Rubric, Unit,
};
use coach_store::roa::{
    ActivityType, ActivityTypePatch, Measure, MeasurePatch, Model, NewActivityType, NewMeasure,
    NewStandard,
};
use coach_store::{StoreError, UserFilter};

pub(crate) fn routes(book: RouteBook) -> RouteBook {
    book.get("/model", show)
        .post("/model/measures", add_measure)
        .get("/model/measures/{id}", edit_measure)
        .post("/model/measures/{id}", save_measure)
        .post("/model/measures/{id}/delete", delete_measure)
        .get("/model/activity-types/new", new_type)
        .post("/model/activity-types", create_type)
        .get("/model/activity-types/{id}", edit_type)
        .post("/model/activity-types/{id}", save_type)
}

/// A link between two parts of the model, for the page.
pub(crate) struct Link {
    pub id: String,
    pub name: String,
}

/// An activity type as the model page shows it.
pub(crate) struct TypeCard {
    id: String,
    name: String,
    group: &'static str,
    active: bool,
    standard: String,
    criteria: usize,
    crm_source: Option<String>,
    drives: Vec<Link>,
}

/// A result or objective as the model page shows it.
pub(crate) struct MeasureCard {
    id: String,
    name: String,
    description: String,
    source: &'static str,
    drives: Vec<Link>,
    driven_by: Vec<Link>,
}

fn names(model: &Model, ids: &[String]) -> Vec<Link> {
    ids.iter()
        .filter_map(|id| {
            model
                .measure(id)
                .map(|m| Link {
                    id: m.id.clone(),
                    name: m.name.clone(),
                })
                .or_else(|| {
                    model.activity_type(id).map(|t| Link {
                        id: t.id.clone(),
                        name: t.name.clone(),
                    })
                })
        })
        .collect()
}

/// "3 a week, every seller" (R4).
pub(crate) fn standard_text(t: &ActivityType, team_names: &[(String, String)]) -> String {
    match t.current() {
        None => "No standard yet".to_owned(),
        Some(s) => {
            let who = match &s.team_id {
                None => "every seller".to_owned(),
                Some(id) => team_names
                    .iter()
                    .find(|(i, _)| i == id)
                    .map_or_else(|| "one team".to_owned(), |(_, n)| format!("{n}'s team")),
            };
            format!("{} a {}, {who}", s.quantity, s.per.label())
        }
    }
}

fn measure_card(model: &Model, m: &Measure) -> MeasureCard {
    let driven_by: Vec<String> = match m.level {
        MeasureLevel::Objective => model
            .activity_types
            .iter()
            .filter(|t| t.drives.contains(&m.id))
            .map(|t| t.id.clone())
            .collect(),
        MeasureLevel::Result => model
            .measures
            .iter()
            .filter(|o| o.drives.contains(&m.id))
            .map(|o| o.id.clone())
            .collect(),
    };
    MeasureCard {
        id: m.id.clone(),
        name: m.name.clone(),
        description: m.description.clone(),
        source: m.metric.label(),
        drives: names(model, &m.drives),
        driven_by: names(model, &driven_by),
    }
}

/// Leaders of teams: `(id, name)`.
pub(crate) async fn team_leaders(
    state: &AppState,
    org_id: &str,
) -> Result<Vec<(String, String)>, AppError> {
    let people = state.store().users(org_id, &UserFilter::default()).await?;
    let mut leaders: Vec<(String, String)> = people
        .iter()
        .filter(|u| {
            people
                .iter()
                .any(|p| p.manager_id.as_deref() == Some(u.id.as_str()))
        })
        .map(|u| (u.id.clone(), u.name.clone()))
        .collect();
    leaders.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(leaders)
}

#[derive(Template)]
#[template(path = "model.html")]
struct ModelPage {
    shell: Shell,
    admin: bool,
    types: Vec<TypeCard>,
    objectives: Vec<MeasureCard>,
    results: Vec<MeasureCard>,
    result_choices: Vec<Link>,
    units: Vec<(&'static str, &'static str)>,
    metrics: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    error_level: String,
}

async fn render(
    state: &AppState,
    actor: &Actor,
    notice: Option<&'static str>,
    error: Option<(String, String)>,
) -> Result<Response, AppError> {
    let model = state.store().roa_model(&actor.org.id).await?;
    let leaders = team_leaders(state, &actor.org.id).await?;
    let types = model
        .activity_types
        .iter()
        .map(|t| TypeCard {
            id: t.id.clone(),
            name: t.name.clone(),
            group: t.group.label(),
            active: t.active,
            standard: standard_text(t, &leaders),
            criteria: t.current().map_or(0, |s| s.rubric.criteria.len()),
            crm_source: t.crm_source.map(CrmSource::label),
            drives: names(&model, &t.drives),
        })
        .collect();
    let cards = |level| {
        model
            .level(level)
            .map(|m| measure_card(&model, m))
            .collect::<Vec<_>>()
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let (error_level, error) = match error {
        Some((l, e)) => (l, Some(e)),
        None => (String::new(), None),
    };
    let view = ModelPage {
        shell: Shell::new(actor, "/scorecard", state.config().email_enabled).with_notice(notice),
        admin: actor.user.roles.has(Role::Admin),
        types,
        objectives: cards(MeasureLevel::Objective),
        results: cards(MeasureLevel::Result),
        result_choices: model
            .level(MeasureLevel::Result)
            .map(|m| Link {
                id: m.id.clone(),
                name: m.name.clone(),
            })
            .collect(),
        units: Unit::ALL.iter().map(|u| (u.as_str(), u.label())).collect(),
        metrics: Metric::ALL
            .iter()
            .map(|m| (m.as_str(), m.label()))
            .collect(),
        error,
        error_level,
    };
    Ok(html(status, &view))
}

async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    policy::check(&actor, Action::ViewModel)?;
    let notice = match q.notice.as_str() {
        "added" => Some("Added to the model."),
        "saved" => Some("Saved."),
        "removed" => Some("Removed from the model."),
        _ => None,
    };
    render(&state, &actor, notice, None).await
}

/// The pairs of a submitted form, for forms with repeated fields.
type Pairs = Vec<(String, String)>;

fn field<'a>(pairs: &'a Pairs, name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

fn all(pairs: &Pairs, name: &str) -> Vec<String> {
    pairs
        .iter()
        .filter(|(k, v)| k == name && !v.is_empty())
        .map(|(_, v)| v.clone())
        .collect()
}

async fn add_measure(
    State(state): State<AppState>,
    actor: Actor,
    Form(pairs): Form<Pairs>,
) -> Result<Response, AppError> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    let level_raw = field(&pairs, "level").to_owned();
    let result: Result<_, StoreError> = async {
        let level: MeasureLevel = level_raw
            .parse()
            .map_err(|e: String| FieldError::new("level", e))?;
        let metric: Metric = field(&pairs, "metric")
            .parse()
            .map_err(|e: String| FieldError::new("metric", e))?;
        let unit = match field(&pairs, "unit") {
            "" => None,
            u => Some(
                u.parse::<Unit>()
                    .map_err(|e: String| FieldError::new("unit", e))?,
            ),
        };
        state
            .store()
            .create_measure(
                &actor.org.id,
                NewMeasure {
                    level,
                    name: field(&pairs, "name").to_owned(),
                    description: field(&pairs, "description").to_owned(),
                    unit,
                    metric,
                    drives: all(&pairs, "drives"),
                },
            )
            .await
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to("/model?notice=added").into_response()),
        Err(StoreError::Invalid(e)) => {
            render(
                &state,
                &actor,
                None,
                Some((level_raw, sentence(&e.message))),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "model_measure.html")]
struct MeasurePage {
    shell: Shell,
    measure: MeasureCard,
    is_objective: bool,
    name: String,
    description: String,
    result_choices: Vec<(String, String, bool)>,
    error: Option<String>,
}

async fn measure_page(
    state: &AppState,
    actor: &Actor,
    id: &str,
    form: Option<(Pairs, String)>,
) -> Result<Response, AppError> {
    let model = state.store().roa_model(&actor.org.id).await?;
    let m = model.measure(id).ok_or(AppError::NotFound)?;
    let (name, description, drives, error) = match &form {
        Some((pairs, e)) => (
            field(pairs, "name").to_owned(),
            field(pairs, "description").to_owned(),
            all(pairs, "drives"),
            Some(e.clone()),
        ),
        None => (
            m.name.clone(),
            m.description.clone(),
            m.drives.clone(),
            None,
        ),
    };
    let view = MeasurePage {
        shell: Shell::new(actor, "/scorecard", state.config().email_enabled),
        measure: measure_card(&model, m),
        is_objective: m.level == MeasureLevel::Objective,
        name,
        description,
        result_choices: model
            .level(MeasureLevel::Result)
            .map(|r| (r.id.clone(), r.name.clone(), drives.contains(&r.id)))
            .collect(),
        error,
    };
    let status = if form.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(html(status, &view))
}

async fn edit_measure(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    measure_page(&state, &actor, &id, None).await
}

async fn save_measure(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> Result<Response, AppError> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    let model = state.store().roa_model(&actor.org.id).await?;
    let m = model.measure(&id).ok_or(AppError::NotFound)?;
    let patch = MeasurePatch {
        name: Some(field(&pairs, "name").to_owned()),
        description: Some(field(&pairs, "description").to_owned()),
        drives: (m.level == MeasureLevel::Objective).then(|| all(&pairs, "drives")),
    };
    match state
        .store()
        .update_measure(&actor.org.id, &id, patch)
        .await
    {
        Ok(()) => Ok(Redirect::to("/model?notice=saved").into_response()),
        Err(StoreError::Invalid(e)) => {
            let message = sentence(&e.message);
            measure_page(&state, &actor, &id, Some((pairs, message))).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn delete_measure(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    match state.store().delete_measure(&actor.org.id, &id).await {
        Ok(()) => Ok(Redirect::to("/model?notice=removed").into_response()),
        Err(StoreError::Invalid(e)) => {
            let level = state
                .store()
                .roa_model(&actor.org.id)
                .await?
                .measure(&id)
                .map(|m| m.level.as_str().to_owned())
                .unwrap_or_default();
            render(&state, &actor, None, Some((level, sentence(&e.message)))).await
        }
        Err(e) => Err(e.into()),
    }
}

/// One criterion's inputs on the activity type form.
pub(crate) struct CriterionInput {
    index: usize,
    name: String,
    levels: String,
}

/// One version of the standards, for the history table.
pub(crate) struct StandardRow {
    version: i64,
    from: String,
    quantity: String,
    criteria: String,
    good: String,
}

#[derive(Template)]
#[template(path = "model_type.html")]
struct TypePage {
    shell: Shell,
    heading: String,
    action: String,
    is_edit: bool,
    version: i64,
    name: String,
    group: String,
    description: String,
    groups: Vec<(&'static str, &'static str)>,
    objectives: Vec<(String, String, bool)>,
    crm_source: String,
    crm_sources: Vec<(String, String)>,
    quantity: String,
    per: String,
    pers: Vec<(&'static str, &'static str)>,
    team: String,
    teams: Vec<(String, String)>,
    criteria: Vec<CriterionInput>,
    good_level: String,
    level_choices: Vec<String>,
    active: bool,
    history: Vec<StandardRow>,
    error: Option<String>,
    error_field: String,
}

/// What the activity type form holds.
#[derive(Debug, Default, Clone)]
struct TypeForm {
    name: String,
    group: String,
    description: String,
    drives: Vec<String>,
    crm_source: String,
    quantity: String,
    per: String,
    team: String,
    criteria: Vec<(String, String)>,
    good_level: String,
    active: bool,
    version: Option<i64>,
}

impl TypeForm {
    fn from_pairs(pairs: &Pairs) -> TypeForm {
        TypeForm {
            name: field(pairs, "name").to_owned(),
            group: field(pairs, "group").to_owned(),
            description: field(pairs, "description").to_owned(),
            drives: all(pairs, "drives"),
            crm_source: field(pairs, "crm_source").to_owned(),
            quantity: field(pairs, "quantity").trim().to_owned(),
            per: field(pairs, "per").to_owned(),
            team: field(pairs, "team").to_owned(),
            criteria: (1..=LEVELS_MAX)
                .map(|i| {
                    (
                        field(pairs, &format!("criterion_{i}")).to_owned(),
                        field(pairs, &format!("levels_{i}")).to_owned(),
                    )
                })
                .collect(),
            good_level: field(pairs, "good_level").to_owned(),
            active: field(pairs, "active") == "on",
            version: field(pairs, "version").parse().ok(),
        }
    }

    fn from_type(t: &ActivityType) -> TypeForm {
        let s = t.current();
        let mut criteria: Vec<(String, String)> = s
            .map(|s| {
                s.rubric
                    .criteria
                    .iter()
                    .map(|c| (c.name.clone(), c.levels.join("\n")))
                    .collect()
            })
            .unwrap_or_default();
        criteria.resize(LEVELS_MAX, (String::new(), String::new()));
        TypeForm {
            name: t.name.clone(),
            group: t.group.as_str().to_owned(),
            description: t.description.clone(),
            drives: t.drives.clone(),
            crm_source: t.crm_source.map(CrmSource::key).unwrap_or_default(),
            quantity: s.map(|s| s.quantity.to_string()).unwrap_or_default(),
            per: s.map_or("week", |s| s.per.as_str()).to_owned(),
            team: s.and_then(|s| s.team_id.clone()).unwrap_or_default(),
            criteria,
            good_level: s.map_or(3, |s| s.rubric.good_level).to_string(),
            active: t.active,
            version: Some(t.version),
        }
    }

    /// The rubric the form describes: each filled criterion, its levels one
    /// per line, weakest first.
    fn rubric(&self) -> Result<Rubric, FieldError> {
        let good_level = self
            .good_level
            .parse::<u8>()
            .map_err(|_| FieldError::new("good_level", "expected the level that counts as good"))?;
        let criteria = self
            .criteria
            .iter()
            .filter(|(n, l)| !n.trim().is_empty() || !l.trim().is_empty())
            .map(|(name, levels)| Criterion {
                name: name.clone(),
                levels: levels
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect(),
            })
            .collect();
        Ok(Rubric {
            criteria,
            good_level,
        })
    }

    /// The standard the form describes, if any part of it was filled in.
    fn standard(&self) -> Result<Option<NewStandard>, FieldError> {
        let rubric_empty = self
            .criteria
            .iter()
            .all(|(n, l)| n.trim().is_empty() && l.trim().is_empty());
        if self.quantity.is_empty() && rubric_empty {
            return Ok(None);
        }
        if self.quantity.is_empty() {
            return Err(FieldError::new(
                "quantity",
                "expected how many per period: the quantitative standard (R4)",
            ));
        }
        if rubric_empty {
            return Err(FieldError::new(
                "rubric",
                "expected at least one criterion with its levels: the qualitative standard (R4)",
            ));
        }
        let quantity = self
            .quantity
            .parse::<i64>()
            .map_err(|_| FieldError::new("quantity", "expected a whole number from 1 to 1000"))?;
        Ok(Some(NewStandard {
            quantity,
            per: self
                .per
                .parse::<Per>()
                .map_err(|e: String| FieldError::new("per", e))?,
            team_id: Some(self.team.clone()).filter(|t| !t.is_empty()),
            rubric: self.rubric()?,
        }))
    }

    fn crm_source(&self) -> Result<Option<CrmSource>, FieldError> {
        match self.crm_source.as_str() {
            "" => Ok(None),
            k => k
                .parse()
                .map(Some)
                .map_err(|e: String| FieldError::new("crm_source", e)),
        }
    }
}

async fn type_page(
    state: &AppState,
    actor: &Actor,
    existing: Option<&ActivityType>,
    form: TypeForm,
    error: Option<FieldError>,
) -> Result<Response, AppError> {
    let model = state.store().roa_model(&actor.org.id).await?;
    let leaders = team_leaders(state, &actor.org.id).await?;
    let history = existing
        .map(|t| {
            t.standards
                .iter()
                .rev()
                .map(|s| StandardRow {
                    version: s.seq,
                    from: if s.effective_on.to_string() == "2000-01-01" {
                        "From the start".to_owned()
                    } else {
                        date(s.effective_on)
                    },
                    quantity: format!(
                        "{} a {}{}",
                        s.quantity,
                        s.per.label(),
                        if s.team_id.is_some() {
                            ", one team"
                        } else {
                            ""
                        }
                    ),
                    criteria: s
                        .rubric
                        .criteria
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    good: format!("{} of {}", s.rubric.good_level, s.rubric.levels()),
                })
                .collect()
        })
        .unwrap_or_default();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let view = TypePage {
        shell: Shell::new(actor, "/scorecard", state.config().email_enabled),
        heading: existing.map_or_else(|| "New activity type".to_owned(), |t| t.name.clone()),
        action: existing.map_or_else(
            || "/model/activity-types".to_owned(),
            |t| format!("/model/activity-types/{}", t.id),
        ),
        is_edit: existing.is_some(),
        version: form.version.unwrap_or(0),
        objectives: model
            .level(MeasureLevel::Objective)
            .map(|o| (o.id.clone(), o.name.clone(), form.drives.contains(&o.id)))
            .collect(),
        groups: ActivityGroup::ALL
            .iter()
            .map(|g| (g.as_str(), g.label()))
            .collect(),
        crm_sources: CrmSource::all()
            .into_iter()
            .map(|k| (k.key(), k.label()))
            .collect(),
        pers: Per::ALL.iter().map(|p| (p.as_str(), p.label())).collect(),
        teams: leaders,
        criteria: form
            .criteria
            .iter()
            .enumerate()
            .map(|(i, (n, l))| CriterionInput {
                index: i + 1,
                name: n.clone(),
                levels: l.clone(),
            })
            .collect(),
        level_choices: (1..=LEVELS_MAX).map(|l| l.to_string()).collect(),
        history,
        error_field: error
            .as_ref()
            .map(|e| e.field.to_owned())
            .unwrap_or_default(),
        error: error.map(|e| sentence(&e.message)),
        name: form.name,
        group: form.group,
        description: form.description,
        crm_source: form.crm_source,
        quantity: form.quantity,
        per: form.per,
        team: form.team,
        good_level: form.good_level,
        active: form.active,
    };
    Ok(html(status, &view))
}

async fn new_type(State(state): State<AppState>, actor: Actor) -> Result<Response, AppError> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    let form = TypeForm {
        group: "call".to_owned(),
        per: "week".to_owned(),
        good_level: "3".to_owned(),
        criteria: vec![(String::new(), String::new()); LEVELS_MAX],
        active: true,
        ..TypeForm::default()
    };
    type_page(&state, &actor, None, form, None).await
}

fn invalid(e: StoreError) -> Result<FieldError, AppError> {
    match e {
        StoreError::Invalid(f) => Ok(f),
        StoreError::Stale => Ok(FieldError::new(
            "version",
            "someone changed this activity type while you edited it; reload to see their change",
        )),
        other => Err(other.into()),
    }
}

async fn create_type(
    State(state): State<AppState>,
    actor: Actor,
    Form(pairs): Form<Pairs>,
) -> Result<Response, AppError> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    let form = TypeForm::from_pairs(&pairs);
    let parsed = (|| {
        Ok::<_, FieldError>(NewActivityType {
            name: form.name.clone(),
            group: form
                .group
                .parse()
                .map_err(|e: String| FieldError::new("group", e))?,
            description: form.description.clone(),
            drives: form.drives.clone(),
            crm_source: form.crm_source()?,
            standard: form.standard()?,
            active: form.active,
        })
    })();
    let new = match parsed {
        Ok(n) => n,
        Err(e) => return type_page(&state, &actor, None, form, Some(e)).await,
    };
    match state
        .store()
        .create_activity_type(&actor.org.id, new, Some(&actor.user.id))
        .await
    {
        Ok(_) => Ok(Redirect::to("/model?notice=added").into_response()),
        Err(e) => {
            let e = invalid(e)?;
            type_page(&state, &actor, None, form, Some(e)).await
        }
    }
}

async fn edit_type(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    let model = state.store().roa_model(&actor.org.id).await?;
    let t = model.activity_type(&id).ok_or(AppError::NotFound)?;
    type_page(&state, &actor, Some(t), TypeForm::from_type(t), None).await
}

async fn save_type(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> Result<Response, AppError> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    let model = state.store().roa_model(&actor.org.id).await?;
    let t = model.activity_type(&id).ok_or(AppError::NotFound)?;
    let form = TypeForm::from_pairs(&pairs);
    let before = TypeForm::from_type(t);
    // A new version of the standards only when they changed.
    let standard_changed = form.quantity != before.quantity
        || form.per != before.per
        || form.team != before.team
        || form.good_level != before.good_level
        || form.rubric().ok() != before.rubric().ok();
    let parsed = (|| {
        Ok::<_, FieldError>(ActivityTypePatch {
            name: Some(form.name.clone()),
            description: Some(form.description.clone()),
            drives: Some(form.drives.clone()),
            crm_source: Some(form.crm_source()?),
            active: Some(form.active),
            standard: if standard_changed {
                form.standard()?
            } else {
                None
            },
        })
    })();
    let patch = match parsed {
        Ok(p) => p,
        Err(e) => return type_page(&state, &actor, Some(t), form, Some(e)).await,
    };
    match state
        .store()
        .update_activity_type(
            &actor.org.id,
            &id,
            form.version,
            patch,
            Some(&actor.user.id),
        )
        .await
    {
        Ok(()) => Ok(Redirect::to("/model?notice=saved").into_response()),
        Err(e) => {
            let e = invalid(e)?;
            type_page(&state, &actor, Some(t), form, Some(e)).await
        }
    }
}
