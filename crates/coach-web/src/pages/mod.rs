//! The server-rendered pages. One view struct per page; forms validate,
//! re-render with field errors (422), or redirect (303).

mod account_plans;
mod action_items;
mod activities;
mod analytics;
mod book;
mod cadence;
pub(crate) mod calendar;
mod call_plans;
mod coaching_settings;
mod email;
mod home;
mod import;
pub(crate) mod layout;
mod model;
mod opportunity_plans;
mod people;
mod profile;
mod records;
mod rhythm;
mod scorecard;
mod session;
mod sessions;
mod settings;
mod targets;
mod teams;
mod territory;

pub(crate) use book::RouteBook;
pub(crate) use teams::visible_teams;

use crate::state::AppState;
use axum::Router;

/// The page routes, recorded in a book so tests can check every one of them.
pub(crate) fn book() -> RouteBook {
    let book = RouteBook::new()
        .get("/login", crate::auth::login::form)
        .post("/login", crate::auth::login::submit)
        .post("/logout", crate::auth::login::logout)
        .get("/", home::show);
    let book = people::routes(book);
    let book = teams::routes(book);
    let book = settings::routes(book);
    let book = records::routes(book);
    let book = import::routes(book);
    let book = model::routes(book);
    let book = activities::routes(book);
    let book = scorecard::routes(book);
    let book = analytics::routes(book);
    let book = targets::routes(book);
    let book = sessions::routes(book);
    let book = session::routes(book);
    let book = action_items::routes(book);
    let book = coaching_settings::routes(book);
    let book = call_plans::routes(book);
    let book = opportunity_plans::routes(book);
    let book = territory::routes(book);
    let book = account_plans::routes(book);
    let book = rhythm::routes(book);
    let book = calendar::routes(book);
    let book = cadence::routes(book);
    let book = email::routes(book);
    profile::routes(book)
}

/// The page router.
pub(crate) fn router() -> Router<AppState> {
    book().into_router()
}
