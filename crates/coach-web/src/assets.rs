//! Static assets, embedded in the binary.

use axum::http::header;
use axum::response::IntoResponse;

const APP_CSS: &str = include_str!("../assets/app.css");

/// The one stylesheet.
pub(crate) async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        APP_CSS,
    )
}

const APP_JS: &str = include_str!("../assets/app.js");

/// The one script: autosave with versions, timers, print.
pub(crate) async fn js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        APP_JS,
    )
}
