//! CSRF protection for every state-changing request made with a cookie
//! (reliability T10). Signed-in forms carry the session's token in `_csrf`;
//! the sign-in form, made before there is a session, carries the token of a
//! pre-session cookie (double submit). API calls authenticated by cookie send
//! the token in `X-CSRF-Token`; API calls authenticated by a bearer token carry
//! no ambient credentials and need none. A cross-site `Origin` is refused outright.

use super::{MaybeActor, cookies};
use crate::error::AppError;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;

/// The pre-session cookie that carries the sign-in form's token.
pub const PRE_SESSION_COOKIE: &str = "coach_csrf";
/// The form field that carries the token.
pub const FIELD: &str = "_csrf";
/// The header that carries the token for script and API calls.
pub const HEADER: &str = "x-csrf-token";

/// Refuses forged state-changing requests.
pub(crate) async fn protect(
    State(_state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, AppError> {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return Ok(next.run(request).await);
    }
    // The API needs the token only when a session cookie authenticates the
    // call; a bearer token is no ambient credential, and no credential at all
    // is answered 401 by the handler.
    let via_session = matches!(request.extensions().get::<MaybeActor>(), Some(MaybeActor(Some(a))) if a.via == super::Via::Session);
    if request.uri().path().starts_with("/api/") && !via_session {
        return Ok(next.run(request).await);
    }
    // An unsubscribe link carries its own credential in its path, good for
    // one person and one kind; mail programs post to it from anywhere
    // (RFC 8058), and no cookie gives it any power.
    if request.uri().path().starts_with("/email/unsubscribe/") {
        return Ok(next.run(request).await);
    }
    if !same_origin(&request) {
        tracing::Span::current().record("reason", "CSRF: cross-site origin");
        return Err(AppError::Csrf);
    }
    // The sign-in form is always made before a session (a browser that is
    // already signed in may still post a stale sign-in tab).
    let expected = match request.extensions().get::<MaybeActor>() {
        Some(MaybeActor(Some(actor))) if request.uri().path() != "/login" => {
            actor.csrf_token.clone()
        }
        _ => cookies::get(request.headers(), PRE_SESSION_COOKIE),
    };
    let Some(expected) = expected else {
        tracing::Span::current().record("reason", "CSRF: no token to compare");
        return Err(AppError::Csrf);
    };
    let header_token = request
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Some(given) = header_token {
        return if equal(&given, &expected) {
            Ok(next.run(request).await)
        } else {
            Err(refuse())
        };
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if content_type.starts_with("multipart/form-data")
        && crate::UPLOAD_PATHS.contains(&request.uri().path())
    {
        return multipart(request, next, &expected, &content_type).await;
    }
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    if request.uri().path().starts_with("/api/") || !is_form {
        return Err(refuse());
    }
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, 2 * 1024 * 1024)
        .await
        .map_err(|_| AppError::BadRequest("the form is too large".to_owned()))?;
    let given = form_urlencoded_value(&bytes, FIELD);
    let request = Request::from_parts(parts, Body::from(bytes));
    match given {
        Some(given) if equal(&given, &expected) => Ok(next.run(request).await),
        _ => Err(refuse()),
    }
}

/// A file upload: its `_csrf` part must carry the token.
async fn multipart(
    request: Request,
    next: Next,
    expected: &str,
    content_type: &str,
) -> Result<Response, AppError> {
    use axum::extract::FromRequest as _;
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, crate::UPLOAD_LIMIT)
        .await
        .map_err(|_| AppError::TooLarge)?;
    let copy = Request::builder()
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(bytes.clone()))
        .map_err(|_| refuse())?;
    let mut form = axum::extract::Multipart::from_request(copy, &())
        .await
        .map_err(|_| refuse())?;
    let mut given = None;
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some(FIELD) {
            given = field.text().await.ok();
            break;
        }
    }
    match given {
        Some(given) if equal(&given, expected) => Ok(next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await),
        _ => Err(refuse()),
    }
}

fn refuse() -> AppError {
    tracing::Span::current().record("reason", "CSRF: missing or wrong token");
    AppError::Csrf
}

/// Whether `Origin`, when sent, names this server's host.
fn same_origin(request: &Request) -> bool {
    let Some(origin) = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    else {
        return true;
    };
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
    !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
}

fn form_urlencoded_value(bytes: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// Compares in time independent of where the strings differ.
fn equal(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_equal_only_when_identical() {
        assert!(equal("abc", "abc"));
        assert!(!equal("abc", "abd"));
        assert!(!equal("abc", "abcd"));
    }

    #[test]
    fn the_token_is_found_among_other_form_fields() {
        assert_eq!(
            form_urlencoded_value(b"name=A+B&_csrf=t%2Bk&x=1", FIELD),
            Some("t+k".to_owned())
        );
        assert_eq!(form_urlencoded_value(b"name=A", FIELD), None);
    }
}
