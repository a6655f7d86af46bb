//! The four record lists.

use super::{Cell, TABS, Table, amount, opt_date, stage_class};
use crate::auth::Actor;
use crate::error::AppError;
use crate::pages::layout::{Shell, html, moment};
use crate::policy;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use coach_core::Role;
use coach_core::crm::BuyingStage;
use coach_core::records::{BuyingRole, CallKind};
use coach_store::UserFilter;
use coach_store::crm::RecordFilter;
use serde::Deserialize;

const PAGE: usize = 50;

/// A drop-down filter.
pub(crate) struct Select {
    name: &'static str,
    label: &'static str,
    options: Vec<(String, String)>,
    selected: String,
}

#[derive(Template)]
#[template(path = "records.html")]
struct ListPage {
    shell: Shell,
    title: &'static str,
    path: &'static str,
    intro: String,
    tabs: [(&'static str, &'static str); 4],
    search_label: &'static str,
    q: String,
    filters: Vec<Select>,
    table: Table,
    next_page: Option<String>,
    previous_page: Option<String>,
    export_query: String,
    can_import: bool,
}

/// What every list takes from the address.
#[derive(Debug, Deserialize, Default)]
pub(crate) struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub stage: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub page: String,
}

impl ListQuery {
    /// The store filter these choices make, inside the actor's records.
    pub(crate) fn filter(&self, actor: &Actor) -> RecordFilter {
        let nonempty = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        RecordFilter {
            owners: policy::record_owners(actor),
            owner_id: nonempty(&self.owner),
            search: nonempty(&self.q),
            key_account: match self.key.as_str() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            },
            buying_role: self.role.parse::<BuyingRole>().ok(),
            stage: self.stage.parse::<BuyingStage>().ok(),
            open_only: self.stage.is_empty(),
            call_kind: self.kind.parse::<CallKind>().ok(),
            by_display_order: true,
            ..RecordFilter::default()
        }
    }

    /// The filter of one page: one record more than a page, to know if
    /// there is a next one.
    fn page_filter(&self, actor: &Actor) -> RecordFilter {
        RecordFilter {
            limit: Some(PAGE + 1),
            offset: Some(self.page_number().saturating_sub(1) * PAGE),
            ..self.filter(actor)
        }
    }

    /// The page asked for, from 1.
    fn page_number(&self) -> usize {
        self.page.parse::<usize>().unwrap_or(1).clamp(1, 10_000)
    }

    /// The query string of these filters, without the page.
    fn query_string(&self) -> String {
        serde_urlencoded::to_string([
            ("q", self.q.as_str()),
            ("owner", self.owner.as_str()),
            ("key", self.key.as_str()),
            ("role", self.role.as_str()),
            ("stage", self.stage.as_str()),
            ("kind", self.kind.as_str()),
        ])
        .unwrap_or_default()
    }
}

/// The first page of a list fetched one longer than a page, and whether
/// there is more.
fn one_page<T>(mut records: Vec<T>) -> (Vec<T>, bool) {
    let more = records.len() > PAGE;
    records.truncate(PAGE);
    (records, more)
}

/// Whose records the list is of, in words.
fn whose(actor: &Actor, what: &str) -> String {
    if actor.user.roles.has(Role::Admin) {
        format!("Every {what} in {}", actor.org.name)
    } else if actor.below.is_empty() {
        format!("Your {what}")
    } else {
        format!("Your {what} and your team's")
    }
}

/// The owner filter: the people whose records the actor sees (none for a
/// seller, who only sees their own).
async fn owner_select(
    state: &AppState,
    actor: &Actor,
    selected: &str,
) -> Result<Option<Select>, AppError> {
    let scope = policy::record_owners(actor);
    if scope.as_ref().is_some_and(|s| s.len() <= 1) {
        return Ok(None);
    }
    let mut people = state
        .store()
        .users(
            &actor.org.id,
            &UserFilter {
                only: scope,
                ..UserFilter::default()
            },
        )
        .await?;
    people.sort_by(|a, b| a.name.cmp(&b.name));
    let mut options = vec![(String::new(), "Anyone".to_owned())];
    options.extend(people.into_iter().map(|u| (u.id, u.name)));
    Ok(Some(Select {
        name: "owner",
        label: "Owner",
        options,
        selected: selected.to_owned(),
    }))
}

struct Listing {
    title: &'static str,
    path: &'static str,
    what: &'static str,
    search_label: &'static str,
    filters: Vec<Select>,
    table: Table,
    more: bool,
}

async fn render(
    state: &AppState,
    actor: &Actor,
    query: &ListQuery,
    listing: Listing,
) -> Result<Response, AppError> {
    let mut filters = Vec::new();
    if let Some(owner) = owner_select(state, actor, &query.owner).await? {
        filters.push(owner);
    }
    filters.extend(listing.filters);
    let qs = query.query_string();
    let page = query.page_number();
    let next_page = listing
        .more
        .then(|| format!("{}?{qs}&page={}", listing.path, page + 1));
    let previous_page = (page > 1).then(|| format!("{}?{qs}&page={}", listing.path, page - 1));
    let view = ListPage {
        shell: Shell::new(actor, listing.path, state.config().email_enabled),
        title: listing.title,
        path: listing.path,
        intro: whose(actor, listing.what),
        tabs: TABS,
        search_label: listing.search_label,
        q: query.q.clone(),
        filters,
        table: listing.table,
        next_page,
        previous_page,
        export_query: qs,
        can_import: actor.user.roles.has(Role::Admin),
    };
    Ok(html(StatusCode::OK, &view))
}

fn options<T: Copy>(
    all: &[T],
    key: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
    any: &str,
) -> Vec<(String, String)> {
    let mut out = vec![(String::new(), any.to_owned())];
    out.extend(
        all.iter()
            .map(|v| (key(*v).to_owned(), label(*v).to_owned())),
    );
    out
}

pub(super) async fn accounts(
    State(state): State<AppState>,
    actor: Actor,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    let (records, more) = one_page(
        state
            .store()
            .accounts(&actor.org.id, &query.page_filter(&actor))
            .await?,
    );
    let rows = records
        .iter()
        .map(|a| {
            let mut name =
                Cell::link(&a.name, format!("/accounts/{}", a.id)).with_sub(a.segment.clone());
            if a.key_account {
                name.badge = Some(("key", "Key account"));
            }
            vec![
                name,
                Cell::opt(a.tier.clone()),
                Cell::number(amount(&a.potential, &a.currency)),
                Cell::text(&a.owner_name),
            ]
        })
        .collect();
    let listing = Listing {
        title: "Accounts",
        path: "/accounts",
        what: "accounts",
        search_label: "Account name",
        filters: vec![Select {
            name: "key",
            label: "Key accounts",
            options: vec![
                (String::new(), "All accounts".to_owned()),
                ("yes".to_owned(), "Key accounts only".to_owned()),
                ("no".to_owned(), "Other accounts".to_owned()),
            ],
            selected: query.key.clone(),
        }],
        table: Table {
            columns: vec![
                ("Account", false),
                ("Tier", true),
                ("Potential", true),
                ("Owner", false),
            ],
            rows,
            empty: "No accounts match these filters.",
        },
        more,
    };
    render(&state, &actor, &query, listing).await
}

pub(super) async fn contacts(
    State(state): State<AppState>,
    actor: Actor,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    let (records, more) = one_page(
        state
            .store()
            .contacts(&actor.org.id, &query.page_filter(&actor))
            .await?,
    );
    let rows = records
        .iter()
        .map(|c| {
            vec![
                Cell::link(&c.name, format!("/contacts/{}", c.id)).with_sub(c.title.clone()),
                match (&c.account_id, &c.account_name) {
                    (Some(id), Some(name)) => Cell::link(name, format!("/accounts/{id}")),
                    _ => Cell::text("—"),
                },
                match c.buying_role {
                    Some(r) => Cell::pill(r.label(), "role"),
                    None => Cell::text("—"),
                },
                match c.stance {
                    Some(s) => Cell::pill(s.label(), stance_class(s)),
                    None => Cell::text("—"),
                },
                Cell::text(&c.owner_name),
            ]
        })
        .collect();
    let listing = Listing {
        title: "Contacts",
        path: "/contacts",
        what: "contacts",
        search_label: "Contact name",
        filters: vec![Select {
            name: "role",
            label: "Buying role",
            options: options(
                BuyingRole::ALL,
                BuyingRole::as_str,
                BuyingRole::label,
                "Any role",
            ),
            selected: query.role.clone(),
        }],
        table: Table {
            columns: vec![
                ("Contact", false),
                ("Account", false),
                ("Buying role", true),
                ("Stance", true),
                ("Owner", true),
            ],
            rows,
            empty: "No contacts match these filters.",
        },
        more,
    };
    render(&state, &actor, &query, listing).await
}

pub(crate) fn stance_class(s: coach_core::records::Stance) -> &'static str {
    match s {
        coach_core::records::Stance::Supporter => "won",
        coach_core::records::Stance::Neutral => "role",
        coach_core::records::Stance::Opponent => "lost",
    }
}

pub(super) async fn opportunities(
    State(state): State<AppState>,
    actor: Actor,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    let (records, more) = one_page(
        state
            .store()
            .opportunities(&actor.org.id, &query.page_filter(&actor))
            .await?,
    );
    let rows = records
        .iter()
        .map(|o| {
            vec![
                Cell::link(&o.name, format!("/opportunities/{}", o.id))
                    .with_sub(o.account_name.clone()),
                Cell::pill(o.stage.label(), stage_class(o.stage))
                    .with_sub(Some(o.crm_stage.clone())),
                Cell::number(amount(&o.amount, &o.currency)),
                Cell::text(opt_date(o.close_date)),
                Cell::text(&o.owner_name),
            ]
        })
        .collect();
    let mut stage_options = vec![
        (String::new(), "Open deals".to_owned()),
        ("all".to_owned(), "Every stage".to_owned()),
    ];
    stage_options.extend(
        BuyingStage::ALL
            .iter()
            .map(|s| (s.as_str().to_owned(), s.label().to_owned())),
    );
    let listing = Listing {
        title: "Opportunities",
        path: "/opportunities",
        what: "opportunities",
        search_label: "Opportunity name",
        filters: vec![Select {
            name: "stage",
            label: "Buying stage",
            options: stage_options,
            selected: query.stage.clone(),
        }],
        table: Table {
            columns: vec![
                ("Opportunity", false),
                ("Buying stage", false),
                ("Amount", true),
                ("Close date", true),
                ("Owner", true),
            ],
            rows,
            empty: "No opportunities match these filters.",
        },
        more,
    };
    render(&state, &actor, &query, listing).await
}

pub(super) async fn calls(
    State(state): State<AppState>,
    actor: Actor,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    let (records, more) = one_page(
        state
            .store()
            .calls(&actor.org.id, &query.page_filter(&actor))
            .await?,
    );
    let tz = actor.user.time_zone.clone();
    let rows = records
        .iter()
        .map(|c| {
            vec![
                Cell::link(&c.subject, format!("/calls/{}", c.id)).with_sub(c.account_name.clone()),
                Cell::text(moment(c.occurred_at, &tz)),
                Cell::pill(c.kind.label(), "role"),
                Cell::opt(c.opportunity_name.clone()),
                Cell::text(&c.owner_name),
            ]
        })
        .collect();
    let listing = Listing {
        title: "Calls",
        path: "/calls",
        what: "calls",
        search_label: "Subject",
        filters: vec![Select {
            name: "kind",
            label: "Kind",
            options: options(CallKind::ALL, CallKind::as_str, CallKind::label, "Any kind"),
            selected: query.kind.clone(),
        }],
        table: Table {
            columns: vec![
                ("Call", false),
                ("When", false),
                ("Kind", true),
                ("Opportunity", true),
                ("Owner", true),
            ],
            rows,
            empty: "No calls match these filters.",
        },
        more,
    };
    render(&state, &actor, &query, listing).await
}
