//! A router that remembers its routes, so the authorization tests (T1) can
//! prove they cover every one.

use crate::state::AppState;
use axum::Router;
use axum::handler::Handler;
use axum::routing::{get, post};

/// Routes and the list of what they are.
pub(crate) struct RouteBook {
    router: Router<AppState>,
    routes: Vec<(&'static str, &'static str)>,
}

impl RouteBook {
    pub(crate) fn new() -> Self {
        RouteBook {
            router: Router::new(),
            routes: Vec::new(),
        }
    }

    pub(crate) fn get<H, T>(mut self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.router = self.router.route(path, get(handler));
        self.routes.push(("GET", path));
        self
    }

    pub(crate) fn post<H, T>(mut self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.router = self.router.route(path, post(handler));
        self.routes.push(("POST", path));
        self
    }

    pub(crate) fn routes(&self) -> &[(&'static str, &'static str)] {
        &self.routes
    }

    pub(crate) fn into_router(self) -> Router<AppState> {
        self.router
    }
}
