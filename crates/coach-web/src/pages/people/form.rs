//! Adding and editing a person (admins): roles, reporting line, time zone;
//! field errors re-render the form (422), a stale edit shows the other change (409).

use super::super::layout::{COMMON_ZONES, Shell, html, sentence};
use crate::auth::Actor;
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use coach_core::{FieldError, Role, Roles, validate_password};
use coach_store::{NewUser, StoreError, User, UserFilter, UserPatch};
/// Field errors of the person form.
#[derive(Debug, Default)]
pub(crate) struct Errors {
    name: Option<String>,
    email: Option<String>,
    roles: Option<String>,
    manager_id: Option<String>,
    time_zone: Option<String>,
    password: Option<String>,
}

impl Errors {
    fn set(&mut self, e: FieldError) {
        let slot = match e.field {
            "name" => &mut self.name,
            "email" => &mut self.email,
            "roles" => &mut self.roles,
            "manager_id" => &mut self.manager_id,
            "time_zone" => &mut self.time_zone,
            _ => &mut self.password,
        };
        *slot = Some(sentence(&e.message));
    }

    fn any(&self) -> bool {
        self.name.is_some()
            || self.email.is_some()
            || self.roles.is_some()
            || self.manager_id.is_some()
            || self.time_zone.is_some()
            || self.password.is_some()
    }
}

#[derive(Template)]
#[template(path = "person_form.html")]
struct FormPage {
    shell: Shell,
    heading: String,
    intro: &'static str,
    action: String,
    cancel: String,
    submit: &'static str,
    is_edit: bool,
    version: Option<i64>,
    name: String,
    email: String,
    role_choices: Vec<(&'static str, &'static str, bool)>,
    manager_id: String,
    managers: Vec<(String, String)>,
    time_zone: String,
    zones: &'static [&'static str],
    errors: Errors,
    form_error: Option<String>,
}

/// The submitted person form.
#[derive(Debug, Default)]
struct PersonForm {
    name: String,
    email: String,
    roles: Vec<String>,
    manager_id: String,
    time_zone: String,
    password: String,
    version: Option<i64>,
}

impl PersonForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = PersonForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "name" => f.name = v,
                "email" => f.email = v,
                "role" => f.roles.push(v),
                "manager_id" => f.manager_id = v,
                "time_zone" => f.time_zone = v,
                "password" => f.password = v,
                "version" => f.version = v.parse().ok(),
                _ => {}
            }
        }
        f
    }

    fn roles(&self, errors: &mut Errors) -> Roles {
        let mut roles = Vec::new();
        for r in &self.roles {
            match r.parse::<Role>() {
                Ok(role) => roles.push(role),
                Err(e) => errors.set(FieldError::new("roles", e.to_string())),
            }
        }
        let roles = Roles::new(roles);
        if roles.is_empty() {
            errors.set(FieldError::new("roles", "choose at least one role"));
        }
        roles
    }

    fn manager(&self) -> Option<String> {
        Some(self.manager_id.trim().to_owned()).filter(|m| !m.is_empty())
    }
}

async fn leader_choices(
    state: &AppState,
    org_id: &str,
    except: Option<&str>,
) -> Result<Vec<(String, String)>, AppError> {
    let active = UserFilter {
        active: Some(true),
        ..UserFilter::default()
    };
    let mut leaders: Vec<(String, String)> = state
        .store()
        .users(org_id, &active)
        .await?
        .into_iter()
        .filter(|u| u.roles.leads() && Some(u.id.as_str()) != except)
        .map(|u| (u.id, format!("{} · {}", u.name, u.roles.labels())))
        .collect();
    leaders.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(leaders)
}

fn role_choices(selected: &[String]) -> Vec<(&'static str, &'static str, bool)> {
    Role::ALL
        .iter()
        .map(|r| {
            (
                r.as_str(),
                r.label(),
                selected.iter().any(|s| s == r.as_str()),
            )
        })
        .collect()
}

pub(super) async fn new_form(
    State(state): State<AppState>,
    actor: Actor,
) -> Result<Response, AppError> {
    policy::check(&actor, Action::ManagePeople)?;
    let form = PersonForm {
        roles: vec!["seller".to_owned()],
        time_zone: actor.org.time_zone.clone(),
        ..PersonForm::default()
    };
    render_new(&state, &actor, form, Errors::default(), StatusCode::OK).await
}

async fn render_new(
    state: &AppState,
    actor: &Actor,
    form: PersonForm,
    errors: Errors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let view = FormPage {
        shell: Shell::new(actor, "/people", state.config().email_enabled),
        heading: "Add a person".to_owned(),
        intro: "They will sign in with their work email and the first password you set.",
        action: "/people".to_owned(),
        cancel: "/people".to_owned(),
        submit: "Add person",
        is_edit: false,
        version: None,
        role_choices: role_choices(&form.roles),
        managers: leader_choices(state, &actor.org.id, None).await?,
        name: form.name,
        email: form.email,
        manager_id: form.manager_id,
        time_zone: form.time_zone,
        zones: COMMON_ZONES,
        form_error: errors
            .any()
            .then(|| "Please correct the fields marked below.".to_owned()),
        errors,
    };
    Ok(html(status, &view))
}

pub(super) async fn create(
    State(state): State<AppState>,
    actor: Actor,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    policy::check(&actor, Action::ManagePeople)?;
    let form = PersonForm::from_pairs(pairs);
    let mut errors = Errors::default();
    let roles = form.roles(&mut errors);
    if let Err(e) = validate_password("password", &form.password) {
        errors.set(e);
    }
    if errors.any() {
        return render_new(
            &state,
            &actor,
            form,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let hash =
        crate::auth::password::hash_password(form.password.clone(), state.config().password_cost)
            .await
            .map_err(AppError::Internal)?;
    let new = NewUser {
        email: form.email.clone(),
        name: form.name.clone(),
        roles,
        manager_id: form.manager(),
        time_zone: Some(form.time_zone.clone()).filter(|t| !t.trim().is_empty()),
        password_hash: Some(hash),
        crm_id: None,
        id: None,
    };
    match state.store().create_user(&actor.org.id, new).await {
        Ok(user) => {
            tracing::info!(actor = %actor.user.id, user = %user.id, "person added");
            Ok(Redirect::to("/people?notice=added").into_response())
        }
        Err(StoreError::Invalid(e)) => {
            errors.set(e);
            render_new(
                &state,
                &actor,
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn edit_form(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let person = state.store().user(&actor.org.id, &id).await?;
    policy::check(&actor, Action::EditPerson(&person))?;
    let form = PersonForm {
        name: person.name.clone(),
        email: person.email.clone(),
        roles: person
            .roles
            .names()
            .into_iter()
            .map(str::to_owned)
            .collect(),
        manager_id: person.manager_id.clone().unwrap_or_default(),
        time_zone: person.time_zone.clone(),
        password: String::new(),
        version: Some(person.version),
    };
    render_edit(
        &state,
        &actor,
        &person,
        form,
        Errors::default(),
        None,
        StatusCode::OK,
    )
    .await
}

async fn render_edit(
    state: &AppState,
    actor: &Actor,
    person: &User,
    form: PersonForm,
    errors: Errors,
    form_error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let form_error = form_error.or_else(|| {
        errors
            .any()
            .then(|| "Please correct the fields marked below.".to_owned())
    });
    let view = FormPage {
        shell: Shell::new(actor, "/people", state.config().email_enabled),
        heading: format!("Edit {}", person.name),
        intro: "Roles decide what they can see; the reporting line decides whose team they are on.",
        action: format!("/people/{}", person.id),
        cancel: format!("/people/{}", person.id),
        submit: "Save changes",
        is_edit: true,
        version: form.version,
        role_choices: role_choices(&form.roles),
        managers: leader_choices(state, &actor.org.id, Some(&person.id)).await?,
        name: form.name,
        email: form.email,
        manager_id: form.manager_id,
        time_zone: form.time_zone,
        zones: COMMON_ZONES,
        errors,
        form_error,
    };
    Ok(html(status, &view))
}

pub(super) async fn update(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let person = state.store().user(&actor.org.id, &id).await?;
    policy::check(&actor, Action::EditPerson(&person))?;
    let form = PersonForm::from_pairs(pairs);
    let mut errors = Errors::default();
    let roles = form.roles(&mut errors);
    if person.id == actor.user.id
        && !roles.has(Role::Admin)
        && state.store().active_admin_count(&actor.org.id).await? <= 1
    {
        errors.set(FieldError::new(
            "roles",
            "you are the last admin: keep the Admin role or make someone else admin first",
        ));
    }
    if errors.any() {
        return render_edit(
            &state,
            &actor,
            &person,
            form,
            errors,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let patch = UserPatch {
        email: Some(form.email.clone()).filter(|e| !e.trim().is_empty()),
        name: Some(form.name.clone()),
        roles: Some(roles),
        manager_id: Some(form.manager()),
        time_zone: Some(form.time_zone.clone()),
        ..UserPatch::default()
    };
    match state
        .store()
        .update_user(&actor.org.id, &id, patch, form.version)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/people/{id}?notice=saved")).into_response()),
        Err(StoreError::Invalid(e)) => {
            errors.set(e);
            render_edit(
                &state,
                &actor,
                &person,
                form,
                errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(StoreError::Stale) => {
            let msg = "Someone else changed this person while you were editing. Their changes are shown below; make yours again.";
            let fresh = state.store().user(&actor.org.id, &id).await?;
            let form = PersonForm {
                name: fresh.name.clone(),
                email: fresh.email.clone(),
                roles: fresh.roles.names().into_iter().map(str::to_owned).collect(),
                manager_id: fresh.manager_id.clone().unwrap_or_default(),
                time_zone: fresh.time_zone.clone(),
                password: String::new(),
                version: Some(fresh.version),
            };
            render_edit(
                &state,
                &actor,
                &fresh,
                form,
                Errors::default(),
                Some(msg.to_owned()),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
