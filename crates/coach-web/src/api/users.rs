//! `/api/v1/users`: people, their roles and reporting lines. Everyone may read
//! whom the policy lets them see; admins add and change people.

use super::ApiResult;
use super::pagination::{Cursor, limit};
use crate::auth::Actor;
use crate::auth::password::hash_password;
use crate::error::{AppError, ErrorEnvelope};
use crate::policy::{self, Action};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use chrono::{DateTime, Utc};
use coach_core::{FieldError, Role, Roles, validate_password};
use coach_store::{NewUser, User, UserFilter, UserPatch};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A person.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserOut {
    /// Their id.
    pub id: String,
    /// Their sign-in email.
    pub email: String,
    /// Their name.
    pub name: String,
    /// Their roles: `admin`, `director`, `manager`, `seller`.
    pub roles: Vec<String>,
    /// Whom they report to.
    pub manager_id: Option<String>,
    /// Their IANA time zone.
    pub time_zone: String,
    /// Their id in the CRM.
    pub crm_id: Option<String>,
    /// Whether they can sign in.
    pub active: bool,
    /// When they were added.
    pub created_at: DateTime<Utc>,
    /// Bumped on every change; the `ETag` carries it.
    pub version: i64,
}

impl From<User> for UserOut {
    fn from(u: User) -> Self {
        UserOut {
            roles: u.roles.names().into_iter().map(str::to_owned).collect(),
            id: u.id,
            email: u.email,
            name: u.name,
            manager_id: u.manager_id,
            time_zone: u.time_zone,
            crm_id: u.crm_id,
            active: u.active,
            created_at: u.created_at,
            version: u.version,
        }
    }
}

/// A page of people.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserPage {
    /// The people on this page.
    pub data: Vec<UserOut>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Filters and paging for the list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Only people with this role: `admin`, `director`, `manager` or `seller`.
    #[param(pattern = "^(admin|director|manager|seller)$")]
    pub role: Option<String>,
    /// Only active (`true`) or deactivated (`false`) people.
    pub active: Option<bool>,
    /// Only people reporting directly to this person.
    pub manager_id: Option<String>,
    /// Only names or emails containing this text.
    pub q: Option<String>,
}

fn with_etag(status: StatusCode, user: User) -> Response {
    super::tagged(status, user.version, UserOut::from(user))
}

fn parse_roles(names: &[String]) -> Result<Roles, AppError> {
    let roles = names
        .iter()
        .map(|n| {
            n.parse::<Role>()
                .map_err(|e| AppError::Invalid(FieldError::new("roles", e.to_string())))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Roles::new(roles))
}

/// List the people you may see.
#[utoipa::path(get, path = "/api/v1/users", tag = "people", params(ListParams),
    responses((status = 200, body = UserPage), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Query(p): Query<ListParams>,
) -> ApiResult<Json<UserPage>> {
    let limit = limit(p.limit)?;
    let role = match p.role.as_deref() {
        Some(r) => Some(
            r.parse::<Role>()
                .map_err(|e| AppError::Invalid(FieldError::new("role", e.to_string())))?,
        ),
        None => None,
    };
    let filter = UserFilter {
        only: policy::people_scope(&actor).ids(),
        role,
        active: p.active,
        manager_id: p.manager_id,
        search: p.q,
        after: Cursor::decode(p.cursor.as_deref())?,
        limit: Some(limit + 1),
    };
    let mut users = state.store().users(&actor.org.id, &filter).await?;
    let next_cursor = if users.len() > limit {
        users.truncate(limit);
        users.last().map(|u| Cursor::encode(&u.id))
    } else {
        None
    };
    Ok(Json(UserPage {
        data: users.into_iter().map(UserOut::from).collect(),
        next_cursor,
    }))
}

/// A new person.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserIn {
    /// Sign-in email, unique.
    pub email: String,
    /// Full name.
    pub name: String,
    /// At least one of `admin`, `director`, `manager`, `seller`.
    pub roles: Vec<String>,
    /// Whom they report to.
    pub manager_id: Option<String>,
    /// IANA time zone (default: the organization's).
    pub time_zone: Option<String>,
    /// A first password (at least 8 characters); without one they cannot sign in yet.
    pub password: Option<String>,
    /// Their id in the CRM.
    pub crm_id: Option<String>,
}

/// Add a person (admins).
#[utoipa::path(post, path = "/api/v1/users", tag = "people", request_body = NewUserIn,
    responses((status = 201, body = UserOut, headers(("ETag" = String, description = "The version"))), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn create(
    State(state): State<AppState>,
    actor: Actor,
    Json(body): Json<NewUserIn>,
) -> ApiResult<Response> {
    policy::check(&actor, Action::ManagePeople)?;
    let roles = parse_roles(&body.roles)?;
    let password_hash = match body.password {
        Some(p) => {
            validate_password("password", &p)?;
            Some(
                hash_password(p, state.config().password_cost)
                    .await
                    .map_err(AppError::Internal)?,
            )
        }
        None => None,
    };
    let new = NewUser {
        email: body.email,
        name: body.name,
        roles,
        manager_id: body.manager_id,
        time_zone: body.time_zone,
        password_hash,
        crm_id: body.crm_id,
        id: None,
    };
    let user = state.store().create_user(&actor.org.id, new).await?;
    let location = HeaderValue::from_str(&format!("/api/v1/users/{}", user.id)).ok();
    let mut r = with_etag(StatusCode::CREATED, user);
    if let Some(l) = location {
        r.headers_mut().insert(header::LOCATION, l);
    }
    Ok(r)
}

/// One person.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "people", params(("id" = String, Path, description = "The person's id")),
    responses((status = 200, body = UserOut, headers(("ETag" = String, description = "The version"))), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let user = state.store().user(&actor.org.id, &id).await?;
    policy::check(&actor, Action::ViewPerson(&user))?;
    Ok(with_etag(StatusCode::OK, user))
}

pub(crate) fn double_option<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A change to a person; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatchIn {
    /// New sign-in email (must be free).
    pub email: Option<String>,
    /// New name.
    pub name: Option<String>,
    /// New roles (replacing the old ones).
    pub roles: Option<Vec<String>>,
    /// New manager; `null` removes the reporting line.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub manager_id: Option<Option<String>>,
    /// New time zone.
    pub time_zone: Option<String>,
    /// `false` deactivates (they cannot sign in; their records stay).
    pub active: Option<bool>,
    /// New CRM id; `null` clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub crm_id: Option<Option<String>>,
}

pub(crate) fn if_match(headers: &HeaderMap) -> Result<Option<i64>, AppError> {
    let Some(raw) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = raw
        .to_str()
        .unwrap_or("")
        .trim()
        .trim_start_matches("W/")
        .trim_matches('"');
    text.strip_prefix('v')
        .and_then(|v| v.parse().ok())
        .map(Some)
        .ok_or_else(|| {
            AppError::BadRequest(
                "If-Match must be an ETag from this API, such as \"v3\"".to_owned(),
            )
        })
}

/// Change a person (admins). Send `If-Match` with the `ETag` you read: a stale one gets 412 and nothing changes.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "people", request_body = UserPatchIn,
    params(("id" = String, Path, description = "The person's id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses((status = 200, body = UserOut), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 412, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn update(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<UserPatchIn>,
) -> ApiResult<Response> {
    let store = state.store();
    let user = store.user(&actor.org.id, &id).await?;
    policy::check(&actor, Action::EditPerson(&user))?;
    let expected = if_match(&headers)?;
    let roles = body.roles.as_deref().map(parse_roles).transpose()?;
    if user.id == actor.user.id {
        if body.active == Some(false) {
            return Err(AppError::Conflict(
                "you cannot deactivate yourself; ask another admin".to_owned(),
            ));
        }
        if roles.as_ref().is_some_and(|r| !r.has(Role::Admin))
            && store.active_admin_count(&actor.org.id).await? <= 1
        {
            return Err(AppError::Conflict(
                "you are the last admin: make someone else admin first".to_owned(),
            ));
        }
    }
    let patch = UserPatch {
        email: body.email,
        name: body.name,
        roles,
        manager_id: body.manager_id,
        time_zone: body.time_zone,
        active: body.active,
        crm_id: body.crm_id,
    };
    let updated = store
        .update_user(&actor.org.id, &id, patch, expected)
        .await?;
    Ok(with_etag(StatusCode::OK, updated))
}
