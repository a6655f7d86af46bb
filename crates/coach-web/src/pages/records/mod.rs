//! The CRM records in the browser: lists to filter (a seller sees theirs, a
//! manager the team's, a director every team below, an admin everyone's),
//! one page per record with what hangs off it, and downloads as CSV or JSON.

mod detail;
pub(crate) mod export;
pub(crate) use export::{Format, attachment};
mod lists;

use super::RouteBook;
use super::layout::{date, money};
use coach_core::crm::BuyingStage;

pub(crate) fn routes(book: RouteBook) -> RouteBook {
    book.get("/accounts", lists::accounts)
        .get("/accounts/export", export::accounts)
        .get("/accounts/{id}", detail::account)
        .get("/contacts", lists::contacts)
        .get("/contacts/export", export::contacts)
        .get("/contacts/{id}", detail::contact)
        .get("/opportunities", lists::opportunities)
        .get("/opportunities/export", export::opportunities)
        .get("/opportunities/{id}", detail::opportunity)
        .get("/calls", lists::calls)
        .get("/calls/export", export::calls)
        .get("/calls/{id}", detail::call)
}

/// One table cell: text, maybe a link, maybe shown as a pill, maybe a
/// badge after it (`(class, text)`), maybe a second, quieter line.
#[derive(Debug, Clone, Default)]
pub(crate) struct Cell {
    pub text: String,
    pub href: Option<String>,
    pub pill: Option<&'static str>,
    pub badge: Option<(&'static str, &'static str)>,
    pub sub: Option<String>,
    pub numeric: bool,
}

impl Cell {
    fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            ..Cell::default()
        }
    }

    fn link(text: impl Into<String>, href: String) -> Cell {
        Cell {
            text: text.into(),
            href: Some(href),
            ..Cell::default()
        }
    }

    fn opt(text: Option<String>) -> Cell {
        Cell::text(text.unwrap_or_else(|| "—".to_owned()))
    }

    fn with_sub(mut self, sub: Option<String>) -> Cell {
        self.sub = sub.filter(|s| !s.is_empty());
        self
    }

    fn pill(text: impl Into<String>, class: &'static str) -> Cell {
        Cell {
            text: text.into(),
            pill: Some(class),
            ..Cell::default()
        }
    }

    fn number(text: String) -> Cell {
        Cell {
            text,
            numeric: true,
            ..Cell::default()
        }
    }
}

/// A table: its column headers (and whether each hides on small screens) and rows.
#[derive(Debug, Clone, Default)]
pub(crate) struct Table {
    pub columns: Vec<(&'static str, bool)>,
    pub rows: Vec<Vec<Cell>>,
    pub empty: &'static str,
}

/// The pill class of a buying stage: early stages stand out (R25).
pub(crate) fn stage_class(stage: BuyingStage) -> &'static str {
    match stage {
        BuyingStage::IdentifyNeeds | BuyingStage::EstablishCriteria => "early",
        BuyingStage::AssessSolutions | BuyingStage::MitigateRisks => "late",
        BuyingStage::ClosedWon => "won",
        BuyingStage::ClosedLost => "lost",
    }
}

fn amount(amount: &Option<String>, currency: &Option<String>) -> String {
    amount
        .as_deref()
        .map(|a| money(a, currency.as_deref()))
        .unwrap_or_else(|| "—".to_owned())
}

fn opt_date(d: Option<chrono::NaiveDate>) -> String {
    d.map(date).unwrap_or_else(|| "—".to_owned())
}

/// The tabs above every record list.
pub(crate) const TABS: [(&str, &str); 4] = [
    ("/accounts", "Accounts"),
    ("/contacts", "Contacts"),
    ("/opportunities", "Opportunities"),
    ("/calls", "Calls"),
];
