//! Coach's HTTP surface: server-rendered pages, the JSON API with its OpenAPI
//! document, sign-in, CSRF protection, security headers, metrics, and the one
//! access policy every route asks.

pub mod api;
pub mod auth;
mod error;
mod headers;
mod metrics;
mod ops;
mod pages;
pub mod policy;
mod state;

pub use auth::password::{PasswordCost, hash_password};
pub use error::AppError;
pub use state::{AppState, WebConfig};

use axum::Router;
use coach_store::Store;
use std::future::Future;
use std::net::SocketAddr;
use tokio::net::TcpListener;

/// A server bound to a listener, ready to run. Tests bind port 0 and ask
/// [`Application::port`]; nothing sleeps.
pub struct Application {
    listener: TcpListener,
    router: Router,
}

impl Application {
    /// Builds the application on an already bound listener.
    pub fn build(store: Store, config: WebConfig, listener: TcpListener) -> Application {
        let state = AppState::new(store, config);
        Application {
            listener,
            router: router(state),
        }
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
    }
}

/// Every route of Coach as `(METHOD, path template)`: the pages, the API (from
/// its OpenAPI document) and the operations endpoints. The authorization tests
/// check that their oracle covers each one.
pub fn route_list() -> Vec<(String, String)> {
    let mut routes: Vec<(String, String)> = pages::book()
        .routes()
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    routes.extend(
        ops::ROUTES
            .iter()
            .map(|(m, p)| ((*m).to_owned(), (*p).to_owned())),
    );
    let (_, openapi) = api::router().split_for_parts();
    for (path, item) in &openapi.paths.paths {
        let methods = [
            ("GET", item.get.is_some()),
            ("POST", item.post.is_some()),
            ("PUT", item.put.is_some()),
            ("PATCH", item.patch.is_some()),
            ("DELETE", item.delete.is_some()),
        ];
        for (m, present) in methods {
            if present {
                routes.push((m.to_owned(), path.clone()));
            }
        }
    }
    routes.sort();
    routes
}

/// Every route of Coach with its layers.
pub fn router(state: AppState) -> Router {
    use axum::middleware::from_fn_with_state;
    use std::time::Duration;
    use tower_http::limit::RequestBodyLimitLayer;
    use tower_http::timeout::TimeoutLayer;

    let (api_router, mut openapi) = api::router().split_for_parts();
    api::document_body_errors(&mut openapi);
    state.set_openapi(openapi);
    Router::new()
        .merge(pages::router())
        .merge(api_router)
        .merge(ops::router())
        .fallback(error::not_found)
        .layer(from_fn_with_state(state.clone(), auth::csrf::protect))
        .layer(from_fn_with_state(state.clone(), auth::identify))
        .layer(RequestBodyLimitLayer::new(2 * 1024 * 1024))
        .layer(from_fn_with_state(state.clone(), error::render))
        .layer(from_fn_with_state(state.clone(), metrics::track))
        .layer(axum::middleware::from_fn(headers::security))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .with_state(state)
}
