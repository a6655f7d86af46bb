//! What every handler can reach: the store, the configuration, the metrics
//! registry and the generated OpenAPI document.

use crate::auth::password::PasswordCost;
use crate::metrics::Metrics;
use coach_store::Store;
use std::sync::{Arc, OnceLock};

/// Settings the HTTP layer needs.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The URL people reach Coach at (links in email and calendars; `https`
    /// turns on `Secure` cookies).
    pub base_url: String,
    /// Whether to take the client address from `X-Forwarded-For` (only behind
    /// a proxy that sets it).
    pub trust_forwarded_for: bool,
    /// How expensive password hashing is (cheap only in tests).
    pub password_cost: PasswordCost,
    /// Whether outgoing email is configured (the UI says when it is off).
    pub email_enabled: bool,
    /// The mail server, as shown to admins (no credentials).
    pub email_server: String,
    /// The sender of Coach's email.
    pub email_from: String,
    /// How long a client may take to send a request's headers before the
    /// connection is closed (slow clients must not hold connections).
    pub header_read_timeout: std::time::Duration,
    /// Whether a manager's calendar URL may point into this server's own
    /// network (loopback, private and link-local addresses). Off: the server
    /// must not be made to read its neighbours.
    pub allow_private_calendar_urls: bool,
}

impl WebConfig {
    /// Defaults for a server at `base_url`.
    pub fn new(base_url: impl Into<String>) -> Self {
        WebConfig {
            base_url: base_url.into(),
            trust_forwarded_for: false,
            password_cost: PasswordCost::Default,
            email_enabled: false,
            email_server: String::new(),
            email_from: "Coach <coach@localhost>".to_owned(),
            header_read_timeout: std::time::Duration::from_secs(10),
            allow_private_calendar_urls: false,
        }
    }

    /// Whether cookies must be `Secure`.
    pub fn secure_cookies(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}

/// Shared state, cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    store: Store,
    config: WebConfig,
    metrics: Metrics,
    openapi: OnceLock<String>,
}

impl AppState {
    /// Builds the state.
    pub fn new(store: Store, config: WebConfig) -> Self {
        AppState(Arc::new(Inner {
            store,
            config,
            metrics: Metrics::new(),
            openapi: OnceLock::new(),
        }))
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.0.store
    }

    /// The configuration.
    pub fn config(&self) -> &WebConfig {
        &self.0.config
    }

    pub(crate) fn metrics(&self) -> &Metrics {
        &self.0.metrics
    }

    pub(crate) fn set_openapi(&self, doc: utoipa::openapi::OpenApi) {
        let json = doc.to_pretty_json().unwrap_or_else(|_| "{}".to_owned());
        let _ = self.0.openapi.set(json);
    }

    pub(crate) fn openapi_json(&self) -> &str {
        self.0.openapi.get().map(String::as_str).unwrap_or("{}")
    }
}
