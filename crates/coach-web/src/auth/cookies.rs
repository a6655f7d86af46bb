//! Reading and writing the few cookies Coach sets, with the flags reliability
//! T9 asks for: `HttpOnly`, `SameSite`, and `Secure` behind https.

use axum::http::{HeaderMap, HeaderValue, header};

/// The value of cookie `name` in a request.
pub fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// A `Set-Cookie` header for a cookie that lives as long as the browser session.
pub fn set(name: &str, value: &str, secure: bool, same_site: &str) -> Option<HeaderValue> {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite={same_site}{secure}"
    ))
    .ok()
}

/// A `Set-Cookie` header that removes a cookie.
pub fn clear(name: &str, secure: bool) -> Option<HeaderValue> {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"
    ))
    .ok()
}
