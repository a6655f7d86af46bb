//! The JSON API under `/api/v1`, described by an OpenAPI 3.1 document generated
//! from these handlers (`/api/v1/openapi.json`). Same access policy as the
//! pages; errors as `{"error": {"code", "message", "field"}}`.

mod account_plans;
pub(crate) mod actions;
pub(crate) mod call_plans;
mod email;
mod me;
mod opportunity_plans;
mod pagination;
mod records;
mod rhythm;
mod roa;
mod sessions;
mod teams;
pub(crate) mod territory;
mod users;

use crate::error::{AppError, ErrorEnvelope};
use crate::state::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use pagination::Cursor;

#[derive(OpenApi)]
#[openapi(
    info(title = "Coach API", version = "1", description = "The JSON API of Coach, the sales-coaching system. \
        Authenticate with a personal API token (`Authorization: Bearer coach_…`) or a browser session \
        (state-changing calls then need the `X-CSRF-Token` header). Lists use cursor pagination: pass \
        `next_cursor` back as `cursor`. A record of another organization, or one you may not see, is a 404."),
    components(schemas(ErrorEnvelope)),
    modifiers(&Security),
    tags((name = "people", description = "People, roles and reporting lines"), (name = "teams", description = "Teams, as they follow from reporting lines"), (name = "crm", description = "Accounts, contacts, opportunities and calls, imported from the CRM"), (name = "model", description = "The ROA model: results, objectives, activity types with their standards, activities, scores, targets and scorecards (R1–R5)"), (name = "coaching", description = "Coaching sessions with their agenda, preparation, notes, action items, feedback and observations (R14, R26–R27, R34–R43)"), (name = "email", description = "What each person gets by email, and the organization's rules and outbox (R14, R27, R35, R39, R43)"))
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::SESSION_COOKIE,
            ))),
        );
        openapi.security = Some(vec![
            utoipa::openapi::security::SecurityRequirement::new("token", Vec::<String>::new()),
            utoipa::openapi::security::SecurityRequirement::new("session", Vec::<String>::new()),
        ]);
    }
}

/// Every operation that takes a body can also answer 413 (too large) and 415
/// (not JSON); say so once here rather than on every handler.
pub(crate) fn document_body_errors(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let response = |text: &str| {
        ResponseBuilder::new()
            .description(text)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorEnvelope")))
                    .build(),
            )
            .build()
    };
    for item in openapi.paths.paths.values_mut() {
        for op in [item.post.as_mut(), item.put.as_mut(), item.patch.as_mut()]
            .into_iter()
            .flatten()
        {
            if op.request_body.is_some() {
                op.responses
                    .responses
                    .insert("413".to_owned(), response("The body is too large").into());
                op.responses
                    .responses
                    .insert("415".to_owned(), response("The body is not JSON").into());
            }
        }
    }
}

/// The API routes with their OpenAPI description.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(openapi_json))
        .routes(routes!(me::show))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::show, users::update))
        .routes(routes!(teams::list))
        .routes(routes!(teams::show))
        .routes(routes!(records::accounts))
        .routes(routes!(records::account))
        .routes(routes!(records::contacts))
        .routes(routes!(records::contact))
        .routes(routes!(records::opportunities))
        .routes(routes!(records::opportunity))
        .routes(routes!(records::calls))
        .routes(routes!(records::call))
        .routes(routes!(roa::results, roa::create_result))
        .routes(routes!(roa::update_result))
        .routes(routes!(roa::objectives, roa::create_objective))
        .routes(routes!(roa::update_objective))
        .routes(routes!(roa::activity_types, roa::create_activity_type))
        .routes(routes!(roa::activity_type, roa::update_activity_type))
        .routes(routes!(roa::activities, roa::log_activity))
        .routes(routes!(roa::activity, roa::delete_activity))
        .routes(routes!(roa::score_activity))
        .routes(routes!(roa::scorecard))
        .routes(routes!(roa::targets, roa::set_target))
        .routes(routes!(roa::set_value))
        .routes(routes!(sessions::list, sessions::create))
        .routes(routes!(sessions::show, sessions::update))
        .routes(routes!(sessions::transition))
        .routes(routes!(sessions::prepared))
        .routes(routes!(sessions::add_item))
        .routes(routes!(sessions::update_item, sessions::remove_item))
        .routes(routes!(sessions::notes, sessions::add_note))
        .routes(routes!(sessions::save_note, sessions::delete_note))
        .routes(routes!(sessions::questions, sessions::add_question))
        .routes(routes!(sessions::mark_question, sessions::remove_question))
        .routes(routes!(sessions::deals))
        .routes(routes!(sessions::join, sessions::leave))
        .routes(routes!(sessions::observation, sessions::observe))
        .routes(routes!(sessions::give_feedback))
        .routes(routes!(sessions::feedback))
        .routes(routes!(sessions::summary))
        .routes(routes!(actions::list, actions::create))
        .routes(routes!(actions::show, actions::update))
        .routes(routes!(actions::settings, actions::set_settings))
        .routes(routes!(actions::bank, actions::add_bank_question))
        .routes(routes!(actions::remove_bank_question))
        .routes(routes!(actions::template, actions::set_template))
        .routes(routes!(call_plans::list, call_plans::create))
        .routes(routes!(call_plans::show, call_plans::update))
        .routes(routes!(call_plans::outcome))
        .routes(routes!(call_plans::feedback))
        .routes(routes!(opportunity_plans::show, opportunity_plans::update))
        .routes(routes!(opportunity_plans::set_stage))
        .routes(routes!(opportunity_plans::start_negotiation))
        .routes(routes!(territory::show, territory::update))
        .routes(routes!(territory::set_tier))
        .routes(routes!(account_plans::show, account_plans::update))
        .routes(routes!(account_plans::set_focus))
        .routes(routes!(rhythm::preview))
        .routes(routes!(rhythm::apply))
        .routes(routes!(rhythm::series))
        .routes(routes!(rhythm::cadence, rhythm::set_cadence))
        .routes(routes!(email::preferences, email::set_preferences))
        .routes(routes!(email::settings, email::set_settings))
}

/// The OpenAPI document of this API.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta", security(()), responses((status = 200, description = "The OpenAPI 3.1 document")))]
async fn openapi_json(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.openapi_json().to_owned(),
    )
}

/// The standard error responses, for `responses(...)` lists.
pub(crate) type ApiResult<T> = Result<T, AppError>;

/// Reads a value of one of Coach's vocabularies, naming the field when it is
/// not one.
pub(crate) fn parse<T: std::str::FromStr<Err = String>>(
    field: &'static str,
    raw: &str,
) -> Result<T, AppError> {
    raw.parse()
        .map_err(|e: String| AppError::Invalid(coach_core::FieldError::new(field, e)))
}

/// A JSON answer with the record's version as its `ETag` (`"v3"`), which
/// `If-Match` sends back.
pub(crate) fn tagged<T: serde::Serialize>(
    status: axum::http::StatusCode,
    version: i64,
    body: T,
) -> axum::response::Response {
    let mut r = (status, axum::Json(body)).into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(&format!("\"v{version}\"")) {
        r.headers_mut().insert(header::ETAG, v);
    }
    r
}
