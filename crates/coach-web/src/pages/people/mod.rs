//! People pages: the list (admins see everyone, leaders the people below
//! them), a person's page, and for admins adding, editing, deactivating and
//! reactivating people and setting roles and reporting lines.

mod activation;
mod form;
mod list;
mod show;

use super::RouteBook;

pub(crate) fn routes(book: RouteBook) -> RouteBook {
    book.get("/people", list::list)
        .get("/people/new", form::new_form)
        .post("/people", form::create)
        .get("/people/{id}", show::show)
        .get("/people/{id}/edit", form::edit_form)
        .post("/people/{id}", form::update)
        .post("/people/{id}/deactivate", activation::deactivate)
        .post("/people/{id}/reactivate", activation::reactivate)
}
