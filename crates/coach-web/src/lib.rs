//! Coach's HTTP surface: server-rendered pages, the JSON API with its OpenAPI
//! document, sign-in, CSRF protection, security headers, metrics, and the one
//! access policy every route asks.

mod account_plans;
pub mod api;
mod assets;
pub mod auth;
mod coaching;
pub mod email;
mod error;
mod headers;
mod metrics;
mod opportunity_plans;
mod ops;
mod pages;
pub mod policy;
mod rhythm;
mod scorecards;
mod state;
mod territory;

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
    header_read_timeout: std::time::Duration,
}

impl Application {
    /// Builds the application on an already bound listener.
    pub fn build(store: Store, config: WebConfig, listener: TcpListener) -> Application {
        let header_read_timeout = config.header_read_timeout;
        let state = AppState::new(store, config);
        Application {
            listener,
            router: router(state),
            header_read_timeout,
        }
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// Serves HTTP/1.1 and HTTP/2 until `shutdown` completes, then lets the
    /// requests in flight finish. A client that does not send its request
    /// headers within the configured time is disconnected.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        use axum::extract::ConnectInfo;
        use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
        use hyper_util::server::conn::auto::Builder;
        use hyper_util::server::graceful::GracefulShutdown;
        use hyper_util::service::TowerToHyperService;

        let mut builder = Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(self.header_read_timeout);
        builder.http2().timer(TokioTimer::new());
        let graceful = GracefulShutdown::new();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                accepted = self.listener.accept() => {
                    let (stream, peer) = match accepted {
                        Ok(pair) => pair,
                        Err(e) => {
                            // Out of file descriptors and the like: wait a moment rather than spin.
                            tracing::warn!(error = %e, "could not accept a connection");
                            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                            continue;
                        }
                    };
                    let service = tower::ServiceExt::map_request(
                        self.router.clone(),
                        move |mut request: hyper::Request<hyper::body::Incoming>| {
                            request.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
                            request
                        },
                    );
                    let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(service));
                    let connection = graceful.watch(connection.into_owned());
                    tokio::spawn(async move {
                        if let Err(e) = connection.await {
                            tracing::debug!(error = %e, "connection ended with an error");
                        }
                    });
                }
                () = &mut shutdown => break,
            }
        }
        drop(self.listener);
        if tokio::time::timeout(std::time::Duration::from_secs(30), graceful.shutdown())
            .await
            .is_err()
        {
            tracing::warn!("some connections were still open 30 s after shutdown began");
        }
        Ok(())
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

/// The largest body of a request: CRM files uploaded on the import page may
/// be larger than anything else.
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;
/// The largest CRM file the import page takes (`coach import` has no limit).
pub const UPLOAD_LIMIT: usize = 25 * 1024 * 1024;
/// The pages that take a file upload (multipart): CRM files and calendar
/// exports.
pub(crate) const UPLOAD_PATHS: [&str; 2] = ["/import", "/rhythm/busy"];

fn body_limit_of(request: &axum::extract::Request) -> usize {
    if request.method() == axum::http::Method::POST && UPLOAD_PATHS.contains(&request.uri().path())
    {
        UPLOAD_LIMIT
    } else {
        BODY_LIMIT
    }
}

/// Refuses a body over its limit with 413: at once when its length is
/// declared, else when it is read.
async fn limit_body(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let limit = body_limit_of(&request);
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return axum::http::StatusCode::PAYLOAD_TOO_LARGE.into_response();
    }
    let request =
        request.map(|body| axum::body::Body::new(http_body_util::Limited::new(body, limit)));
    next.run(request).await
}

/// Every route of Coach with its layers.
pub fn router(state: AppState) -> Router {
    use axum::middleware::from_fn_with_state;
    use std::time::Duration;
    use tower_http::timeout::TimeoutLayer;

    let (api_router, mut openapi) = api::router().split_for_parts();
    api::document_body_errors(&mut openapi);
    state.set_openapi(openapi);
    Router::new()
        .merge(pages::router())
        .merge(api_router)
        .fallback(error::not_found)
        .layer(from_fn_with_state(state.clone(), auth::csrf::protect))
        .layer(from_fn_with_state(state.clone(), auth::identify))
        // Health, readiness, metrics and the stylesheet need no caller: they
        // skip the session lookup and the CSRF check.
        .merge(ops::router())
        .layer(axum::middleware::from_fn(limit_body))
        .layer(from_fn_with_state(state.clone(), error::render))
        .layer(from_fn_with_state(state.clone(), metrics::track))
        .layer(axum::middleware::from_fn(headers::security))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .with_state(state)
}
