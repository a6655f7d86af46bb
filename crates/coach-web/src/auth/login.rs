//! Signing in and out. The same answer for an unknown email, a wrong password
//! and a deactivated account; at most ten password checks a minute per account
//! and per address (reliability T8); a new session id at every sign-in (T9).

use super::csrf::PRE_SESSION_COOKIE;
use super::password::verify_password;
use super::{MaybeActor, SESSION_COOKIE, cookies};
use crate::error::AppError;
use crate::pages::layout::html;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, Utc};
use serde::Deserialize;
use std::net::SocketAddr;

/// Password checks allowed per account and per address in [`WINDOW`].
pub const MAX_ATTEMPTS: i64 = 10;
/// The throttling window.
pub const WINDOW: Duration = Duration::seconds(60);

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    next: String,
    email: String,
    error: Option<String>,
    notice: Option<&'static str>,
}

#[derive(Debug, Deserialize, Default)]
pub(crate) struct LoginQuery {
    #[serde(default)]
    next: String,
    #[serde(default)]
    notice: String,
}

/// Only local paths are followed after sign-in, never another site.
fn safe_next(next: &str) -> String {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.contains(['\r', '\n']);
    if ok { next.to_owned() } else { "/".to_owned() }
}

fn page(view: LoginPage, status: StatusCode, set_csrf_cookie: bool, secure: bool) -> Response {
    let cookie = set_csrf_cookie
        .then(|| cookies::set(PRE_SESSION_COOKIE, &view.csrf, secure, "Strict"))
        .flatten();
    let mut response = html(status, &view);
    if let Some(c) = cookie {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}

/// `GET /login`.
pub(crate) async fn form(
    State(state): State<AppState>,
    MaybeActor(actor): MaybeActor,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    if actor.is_some() {
        return Redirect::to(&safe_next(&q.next)).into_response();
    }
    let existing = cookies::get(&headers, PRE_SESSION_COOKIE);
    let csrf = existing.clone().unwrap_or_else(coach_store::new_secret);
    let notice = match q.notice.as_str() {
        "signed-out" => Some("You are signed out."),
        _ => None,
    };
    let view = LoginPage {
        csrf,
        next: safe_next(&q.next),
        email: String::new(),
        error: None,
        notice,
    };
    page(
        view,
        StatusCode::OK,
        existing.is_none(),
        state.config().secure_cookies(),
    )
}

#[derive(Debug, Deserialize)]
pub(crate) struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

/// The client's address: the peer, or the proxy's `X-Forwarded-For` when the
/// server is configured to trust it.
fn client_address(state: &AppState, peer: SocketAddr, headers: &HeaderMap) -> String {
    if state.config().trust_forwarded_for {
        let forwarded = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next_back());
        if let Some(addr) = forwarded
            .map(str::trim)
            .filter(|a| a.parse::<std::net::IpAddr>().is_ok())
        {
            return addr.to_owned();
        }
    }
    peer.ip().to_string()
}

/// `POST /login`.
pub(crate) async fn submit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let store = state.store();
    let secure = state.config().secure_cookies();
    let email = form.email.trim().to_lowercase();
    let keys = vec![
        format!("acct:{email}"),
        format!("ip:{}", client_address(&state, peer, &headers)),
    ];
    if let Some(wait) = store
        .take_attempt(&keys, MAX_ATTEMPTS, WINDOW, Utc::now())
        .await?
    {
        tracing::Span::current().record("reason", "sign-in throttled");
        return Err(AppError::TooManyRequests(
            wait.num_seconds().max(1).unsigned_abs(),
        ));
    }
    let found = store.login_lookup(&email).await?;
    let hash = found.as_ref().and_then(|(_, h)| h.clone());
    let password_ok = verify_password(form.password, hash, state.config().password_cost).await;
    let user = match found {
        Some((user, _)) if password_ok && user.active => user,
        _ => {
            tracing::Span::current().record(
                "reason",
                "sign-in refused: wrong email or password, or deactivated",
            );
            let error = Some("That email and password do not match an active account.".to_owned());
            let view = LoginPage {
                csrf: form.csrf,
                next: safe_next(&form.next),
                email: form.email,
                error,
                notice: None,
            };
            return Ok(page(view, StatusCode::UNAUTHORIZED, false, secure));
        }
    };
    if let Some(old) = cookies::get(&headers, SESSION_COOKIE) {
        store.end_session(&old).await?;
    }
    let (cookie, _) = store.create_session(&user.org_id, &user.id).await?;
    tracing::info!(user = %user.id, "signed in");
    let mut response = Redirect::to(&safe_next(&form.next)).into_response();
    let headers = response.headers_mut();
    if let Some(v) = cookies::set(SESSION_COOKIE, &cookie, secure, "Lax") {
        headers.append(header::SET_COOKIE, v);
    }
    if let Some(v) = cookies::clear(PRE_SESSION_COOKIE, secure) {
        headers.append(header::SET_COOKIE, v);
    }
    Ok(response)
}

/// `POST /logout`: ends the session on the server, not only in the browser.
pub(crate) async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    if let Some(cookie) = cookies::get(&headers, SESSION_COOKIE) {
        state.store().end_session(&cookie).await?;
    }
    let mut response = Redirect::to("/login?notice=signed-out").into_response();
    if let Some(v) = cookies::clear(SESSION_COOKIE, state.config().secure_cookies()) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next("/people?role=seller"), "/people?role=seller");
        assert_eq!(safe_next("//evil.example/"), "/");
        assert_eq!(safe_next("https://evil.example/"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
    }
}
