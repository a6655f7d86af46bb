//! The one error type of the HTTP layer, rendered in exactly one place: as the
//! JSON error object under `/api`, as a proper page everywhere else. Client
//! mistakes get their 4xx; internal failures are logged once with the cause
//! and shown with a generic message.

use crate::pages::layout::{ErrorPage, sentence};
use crate::state::AppState;
use askama::Template as _;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use coach_core::FieldError;
use coach_store::StoreError;
use serde::Serialize;

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No such thing, or not one the caller may see (never says which).
    #[error("not found")]
    NotFound,
    /// Not signed in.
    #[error("sign in first")]
    Unauthenticated,
    /// Signed in, but this part of Coach is not for the caller's role.
    #[error("{0}")]
    Forbidden(&'static str),
    /// The request is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// A field failed validation.
    #[error("{0}")]
    Invalid(FieldError),
    /// The change conflicts with the data as it is.
    #[error("{0}")]
    Conflict(String),
    /// The record changed since the caller read it (`If-Match`).
    #[error("the record was changed by someone else; reload and try again")]
    Stale,
    /// Too many attempts; retry after the given seconds.
    #[error("too many attempts; try again in {0} seconds")]
    TooManyRequests(u64),
    /// The form or request did not carry a valid CSRF token.
    #[error("this form has expired or did not come from Coach; reload the page and try again")]
    Csrf,
    /// The body is larger than Coach takes.
    #[error("the request is too large")]
    TooLarge,
    /// Something failed inside Coach.
    #[error("internal error")]
    Internal(String),
}

/// The JSON error object, and what the renderer needs to draw a page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A stable machine-readable code, such as `not_found`.
    pub code: String,
    /// A sentence for people.
    pub message: String,
    /// The field at fault, for validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// `{"error": {...}}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorEnvelope {
    /// The error.
    pub error: ErrorBody,
}

impl AppError {
    fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Stale => StatusCode::PRECONDITION_FAILED,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn body(&self) -> ErrorBody {
        let (code, field) = match self {
            AppError::NotFound => ("not_found", None),
            AppError::Unauthenticated => ("unauthenticated", None),
            AppError::Forbidden(_) => ("forbidden", None),
            AppError::BadRequest(_) => ("bad_request", None),
            AppError::Invalid(e) => ("invalid", Some(e.field.to_owned())),
            AppError::Conflict(_) => ("conflict", None),
            AppError::Stale => ("stale", None),
            AppError::TooManyRequests(_) => ("rate_limited", None),
            AppError::Csrf => ("csrf", None),
            AppError::TooLarge => ("too_large", None),
            AppError::Internal(_) => ("internal", None),
        };
        let message = match self {
            AppError::Invalid(e) => e.message.clone(),
            AppError::Internal(_) => {
                "Something went wrong on our side. It has been logged; please try again.".to_owned()
            }
            other => other.to_string(),
        };
        ErrorBody {
            code: code.to_owned(),
            message: sentence(&message),
            field,
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Invalid(f) => AppError::Invalid(f),
            StoreError::Stale => AppError::Stale,
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        AppError::Invalid(e)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(cause) = &self {
            tracing::Span::current().record("cause", cause.as_str());
        }
        let status = self.status();
        let body = self.body();
        let mut response = (status, body.message.clone()).into_response();
        if let AppError::TooManyRequests(secs) = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response.extensions_mut().insert(body);
        response
    }
}

/// The fallback for paths that match no route.
pub(crate) async fn not_found() -> AppError {
    AppError::NotFound
}

/// Renders every error response in the form its caller expects.
pub(crate) async fn render(
    State(_state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let is_get = request.method() == axum::http::Method::GET;
    let path_and_query = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let ours = response.extensions().get::<ErrorBody>().cloned();
    let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ours.is_none()
        && (content_type.starts_with("text/html") || content_type.starts_with("application/json"))
    {
        return response;
    }
    let body = match ours {
        Some(b) => b,
        None => from_plain(status, response).await,
    };
    if is_api {
        let mut out = (status, axum::Json(ErrorEnvelope { error: body })).into_response();
        if let Some(v) = retry_after {
            out.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return out;
    }
    if status == StatusCode::UNAUTHORIZED && is_get {
        let target = format!("/login?next={}", urlencode(&path_and_query));
        return Redirect::to(&target).into_response();
    }
    if status == StatusCode::UNAUTHORIZED {
        return Redirect::to("/login").into_response();
    }
    let mut out = page(status, &body);
    if let Some(v) = retry_after {
        out.headers_mut().insert(header::RETRY_AFTER, v);
    }
    out
}

/// Turns a plain-text error (from axum's extractors, the body limit, …) into
/// our error body.
async fn from_plain(status: StatusCode, response: Response) -> ErrorBody {
    let bytes = axum::body::to_bytes(response.into_body(), 4096)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes).trim().to_owned();
    let (code, message) = match status {
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "This address does not accept that method.".to_owned(),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ("too_large", "The request is too large.".to_owned()),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", sentence(&text)),
        s if s.is_server_error() => (
            "internal",
            "Something went wrong on our side. Please try again.".to_owned(),
        ),
        StatusCode::UNPROCESSABLE_ENTITY => ("invalid", sentence(&text)),
        _ => (
            "bad_request",
            if text.is_empty() {
                "The request is not valid.".to_owned()
            } else {
                sentence(&text)
            },
        ),
    };
    ErrorBody {
        code: code.to_owned(),
        message,
        field: None,
    }
}

fn page(status: StatusCode, body: &ErrorBody) -> Response {
    let title = match status {
        StatusCode::NOT_FOUND => "Page not found",
        StatusCode::FORBIDDEN => "Not available",
        StatusCode::TOO_MANY_REQUESTS => "Please wait a moment",
        s if s.is_server_error() => "Something went wrong",
        _ => "That did not work",
    };
    let message = if status == StatusCode::NOT_FOUND {
        "There is nothing here, or it is not yours to see. Check the address, or go back to the start.".to_owned()
    } else {
        body.message.clone()
    };
    let view = ErrorPage {
        title,
        message,
        status: status.as_u16(),
    };
    match view.render() {
        Ok(html) => {
            let mut r = Response::new(Body::from(html));
            *r.status_mut() = status;
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            r
        }
        Err(_) => (status, body.message.clone()).into_response(),
    }
}

/// Percent-encodes a path for a query parameter.
pub(crate) fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)])
        .map(|e| e[2..].to_owned())
        .unwrap_or_default()
}
