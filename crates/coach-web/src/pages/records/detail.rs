//! One record's page, with what hangs off it: only what the viewer may see.

use super::lists::stance_class;
use super::{Cell, TABS, Table, amount, opt_date, stage_class};
use crate::auth::Actor;
use crate::error::AppError;
use crate::pages::layout::{Shell, date, html, moment};
use crate::policy::{self, Action};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use coach_store::crm::RecordFilter;

/// One line of the facts list.
pub(crate) struct Fact {
    label: &'static str,
    text: String,
    href: Option<String>,
}

fn fact(label: &'static str, text: impl Into<String>) -> Fact {
    Fact {
        label,
        text: text.into(),
        href: None,
    }
}

fn fact_opt(label: &'static str, text: Option<String>) -> Option<Fact> {
    text.filter(|t| !t.is_empty()).map(|t| fact(label, t))
}

fn fact_link(label: &'static str, text: Option<String>, href: Option<String>) -> Option<Fact> {
    Some(Fact {
        label,
        text: text?,
        href,
    })
}

/// A titled table under the facts.
pub(crate) struct Section {
    title: &'static str,
    table: Table,
}

/// One step of a stage history.
pub(crate) struct Step {
    when: String,
    label: &'static str,
    class: &'static str,
    crm_stage: String,
    days: Option<i64>,
}

#[derive(Template)]
#[template(path = "record.html")]
struct RecordPage {
    shell: Shell,
    kind: &'static str,
    back: &'static str,
    tabs: [(&'static str, &'static str); 4],
    title: String,
    pills: Vec<(&'static str, String)>,
    facts: Vec<Fact>,
    steps: Vec<Step>,
    sections: Vec<Section>,
}

fn page(
    actor: &Actor,
    state: &AppState,
    kind: &'static str,
    back: &'static str,
    title: String,
) -> RecordPage {
    RecordPage {
        shell: Shell::new(actor, back, state.config().email_enabled),
        kind,
        back,
        tabs: TABS,
        title,
        pills: Vec::new(),
        facts: Vec::new(),
        steps: Vec::new(),
        sections: Vec::new(),
    }
}

/// The viewer's records of one account or opportunity.
fn related(actor: &Actor, account_id: Option<&str>, opportunity_id: Option<&str>) -> RecordFilter {
    RecordFilter {
        owners: policy::record_owners(actor),
        account_id: account_id.map(str::to_owned),
        opportunity_id: opportunity_id.map(str::to_owned),
        limit: Some(50),
        ..RecordFilter::default()
    }
}

fn opportunity_rows(opps: &[coach_store::crm::Opportunity]) -> Vec<Vec<Cell>> {
    opps.iter()
        .map(|o| {
            vec![
                Cell::link(&o.name, format!("/opportunities/{}", o.id)),
                Cell::pill(o.stage.label(), stage_class(o.stage)),
                Cell::number(amount(&o.amount, &o.currency)),
                Cell::text(opt_date(o.close_date)),
            ]
        })
        .collect()
}

fn contact_rows(contacts: &[coach_store::crm::Contact]) -> Vec<Vec<Cell>> {
    contacts
        .iter()
        .map(|c| {
            vec![
                Cell::link(&c.name, format!("/contacts/{}", c.id)).with_sub(c.title.clone()),
                c.buying_role
                    .map_or_else(|| Cell::text("—"), |r| Cell::pill(r.label(), "role")),
                c.stance.map_or_else(
                    || Cell::text("—"),
                    |s| Cell::pill(s.label(), stance_class(s)),
                ),
            ]
        })
        .collect()
}

fn call_rows(calls: &[coach_store::crm::Call], tz: &str) -> Vec<Vec<Cell>> {
    let mut recent: Vec<&coach_store::crm::Call> = calls.iter().collect();
    recent.sort_by_key(|c| std::cmp::Reverse(c.occurred_at));
    recent
        .into_iter()
        .map(|c| {
            vec![
                Cell::link(&c.subject, format!("/calls/{}", c.id)),
                Cell::text(moment(c.occurred_at, tz)),
                Cell::pill(c.kind.label(), "role"),
                Cell::opt(c.outcome.clone()),
            ]
        })
        .collect()
}

pub(super) async fn account(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let store = state.store();
    let org = &actor.org.id;
    let a = store.account(org, &id).await?;
    policy::check(
        &actor,
        Action::ViewRecord {
            owner_id: &a.owner_id,
            id: &a.id,
        },
    )?;
    let mut view = page(&actor, &state, "Account", "/accounts", a.name.clone());
    if a.key_account {
        view.pills.push(("key", "Key account".to_owned()));
    }
    if let Some(t) = &a.tier {
        view.pills.push(("role", format!("Tier {t}")));
    }
    view.facts.push(fact("Owner", &a.owner_name));
    view.facts.extend(fact_opt("Segment", a.segment.clone()));
    if a.potential.is_some() {
        view.facts
            .push(fact("Potential", amount(&a.potential, &a.currency)));
    }
    view.facts.extend(fact_opt("CRM id", a.source_id.clone()));
    view.facts.extend(fact_opt(
        "Changed in the CRM",
        a.crm_updated_at.map(|t| moment(t, &actor.user.time_zone)),
    ));
    // Its account plan (R7): required for key accounts when the
    // organization says so.
    let plan = store.account_plan(org, &a.id).await?;
    let required = a.key_account && store.key_accounts_need_plan(org).await?;
    if required && plan.version == 0 {
        view.pills
            .push(("below", "Account plan required (R7)".to_owned()));
    }
    view.facts.extend(fact_link(
        "Account plan",
        Some(if plan.version > 0 {
            "Open the plan".to_owned()
        } else {
            "Write one".to_owned()
        }),
        Some(format!("/accounts/{}/plan", a.id)),
    ));
    let f = related(&actor, Some(&a.id), None);
    let opps = store
        .opportunities(
            org,
            &RecordFilter {
                open_only: false,
                ..f.clone()
            },
        )
        .await?;
    let contacts = store.contacts(org, &f).await?;
    let calls = store.calls(org, &f).await?;
    view.sections.push(Section {
        title: "Opportunities",
        table: Table {
            columns: vec![
                ("Opportunity", false),
                ("Buying stage", false),
                ("Amount", true),
                ("Close date", true),
            ],
            rows: opportunity_rows(&opps),
            empty: "No opportunities at this account.",
        },
    });
    view.sections.push(Section {
        title: "People",
        table: Table {
            columns: vec![("Contact", false), ("Buying role", false), ("Stance", true)],
            rows: contact_rows(&contacts),
            empty: "No contacts at this account yet.",
        },
    });
    view.sections.push(Section {
        title: "Calls",
        table: Table {
            columns: vec![
                ("Call", false),
                ("When", false),
                ("Kind", true),
                ("Outcome", true),
            ],
            rows: call_rows(&calls, &actor.user.time_zone),
            empty: "No calls with this account yet.",
        },
    });
    Ok(html(StatusCode::OK, &view))
}

pub(super) async fn contact(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let store = state.store();
    let c = store.contact(&actor.org.id, &id).await?;
    policy::check(
        &actor,
        Action::ViewRecord {
            owner_id: &c.owner_id,
            id: &c.id,
        },
    )?;
    let mut view = page(&actor, &state, "Contact", "/contacts", c.name.clone());
    if let Some(r) = c.buying_role {
        view.pills.push(("role", r.label().to_owned()));
    }
    if let Some(s) = c.stance {
        view.pills.push((stance_class(s), s.label().to_owned()));
    }
    view.facts.extend(fact_opt("Title", c.title.clone()));
    view.facts.extend(fact_link(
        "Account",
        c.account_name.clone(),
        c.account_id.as_ref().map(|id| format!("/accounts/{id}")),
    ));
    view.facts.extend(fact_opt("Email", c.email.clone()));
    view.facts.push(fact("Owner", &c.owner_name));
    view.facts.extend(fact_opt("CRM id", c.source_id.clone()));
    view.facts.extend(fact_opt(
        "Changed in the CRM",
        c.crm_updated_at.map(|t| moment(t, &actor.user.time_zone)),
    ));
    if let Some(account_id) = &c.account_id {
        let others: Vec<_> = store
            .contacts(&actor.org.id, &related(&actor, Some(account_id), None))
            .await?
            .into_iter()
            .filter(|o| o.id != c.id)
            .collect();
        view.sections.push(Section {
            title: "Others at this account",
            table: Table {
                columns: vec![("Contact", false), ("Buying role", false), ("Stance", true)],
                rows: contact_rows(&others),
                empty: "Nobody else at this account yet.",
            },
        });
    }
    Ok(html(StatusCode::OK, &view))
}

pub(super) async fn opportunity(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let store = state.store();
    let o = store.opportunity(&actor.org.id, &id).await?;
    policy::check(
        &actor,
        Action::ViewRecord {
            owner_id: &o.owner_id,
            id: &o.id,
        },
    )?;
    let tz = actor.user.time_zone.clone();
    let mut view = page(
        &actor,
        &state,
        "Opportunity",
        "/opportunities",
        o.name.clone(),
    );
    view.pills
        .push((stage_class(o.stage), o.stage.label().to_owned()));
    if o.stage.is_early() {
        view.pills.push((
            "early",
            "Early stage: coaching pays most here (R25)".to_owned(),
        ));
    }
    view.facts.extend(fact_link(
        "Account",
        o.account_name.clone(),
        o.account_id.as_ref().map(|id| format!("/accounts/{id}")),
    ));
    view.facts.push(fact("Owner", &o.owner_name));
    view.facts
        .push(fact("Amount", amount(&o.amount, &o.currency)));
    view.facts.push(fact("Close date", opt_date(o.close_date)));
    view.facts.push(fact("Stage in the CRM", &o.crm_stage));
    view.facts
        .extend(fact_opt("Next step", o.next_step.clone()));
    view.facts.extend(fact_opt(
        "Importance",
        o.importance.map(|l| l.label().to_owned()),
    ));
    view.facts.extend(fact_opt(
        "Complexity",
        o.complexity.map(|l| l.label().to_owned()),
    ));
    view.facts
        .extend(fact_opt("Created in the CRM", o.created_on.map(date)));
    view.facts.extend(fact_opt(
        "Changed in the CRM",
        o.crm_updated_at.map(|t| moment(t, &tz)),
    ));
    view.facts.extend(fact_opt("CRM id", o.source_id.clone()));
    // The deal's plan: its stage by the buyer's evidence and what to notice
    // (R16, R22, R24).
    let plan = store.opportunity_plan(&actor.org.id, &o.id).await?;
    let rules = store.formality(&actor.org.id).await?;
    let reviewed = crate::opportunity_plans::review(o.clone(), plan, &rules);
    if !reviewed.formal.is_empty() {
        view.pills
            .push(("key", "Formal plan required (R16)".to_owned()));
    }
    let notice = match reviewed.flags.len() {
        0 => String::new(),
        1 => " · 1 thing to notice".to_owned(),
        n => format!(" · {n} things to notice"),
    };
    view.facts.extend(fact_link(
        "Stage by evidence",
        Some(format!("{}{notice}", reviewed.plan.stage.label())),
        Some(format!("/opportunities/{}/plan", o.id)),
    ));
    let history = store.stage_history(&actor.org.id, &o.id).await?;
    let now = chrono::Utc::now();
    view.steps = history
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let until = history.get(i + 1).map_or(now, |n| n.changed_at);
            Step {
                when: date(h.changed_at.date_naive()),
                label: h.stage.label(),
                class: stage_class(h.stage),
                crm_stage: h.crm_stage.clone(),
                days: (h.stage.is_open() || i + 1 < history.len())
                    .then(|| (until - h.changed_at).num_days()),
            }
        })
        .collect();
    let calls = store
        .calls(&actor.org.id, &related(&actor, None, Some(&o.id)))
        .await?;
    view.sections.push(Section {
        title: "Calls about this deal",
        table: Table {
            columns: vec![
                ("Call", false),
                ("When", false),
                ("Kind", true),
                ("Outcome", true),
            ],
            rows: call_rows(&calls, &tz),
            empty: "No calls about this deal yet.",
        },
    });
    // The deal's call plans (R28), those of sellers the viewer may see.
    let plans: Vec<_> = store
        .call_plans(
            &actor.org.id,
            &coach_store::call_plans::CallPlanFilter {
                opportunity_id: Some(o.id.clone()),
                limit: Some(50),
                ..Default::default()
            },
        )
        .await?
        .into_iter()
        .filter(|p| {
            policy::allows(
                &actor,
                Action::ViewSellerData {
                    seller_id: &p.seller_id,
                    id: &p.id,
                },
            )
        })
        .collect();
    view.sections.push(Section {
        title: "Call plans",
        table: Table {
            columns: vec![("Call", false), ("Objective", false), ("Next step", true)],
            rows: plans
                .iter()
                .map(|p| {
                    let won = match p.next_step_won {
                        None => Cell::text("To come"),
                        Some(true) => Cell::pill("Won", "good"),
                        Some(false) => Cell::pill("Not won", "below"),
                    };
                    vec![
                        Cell::link(date(p.planned_for), format!("/call-plans/{}", p.id)),
                        Cell::text(&p.objective),
                        won,
                    ]
                })
                .collect(),
            empty: "No call plans for this deal yet.",
        },
    });
    if policy::allows(
        &actor,
        Action::WritePlan {
            seller_id: &o.owner_id,
        },
    ) {
        view.facts.extend(fact_link(
            "Next call",
            Some("Plan it (R28)".to_owned()),
            Some(format!("/call-plans/new?opportunity={}", o.id)),
        ));
    }
    Ok(html(StatusCode::OK, &view))
}

pub(super) async fn call(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let c = state.store().call(&actor.org.id, &id).await?;
    policy::check(
        &actor,
        Action::ViewRecord {
            owner_id: &c.owner_id,
            id: &c.id,
        },
    )?;
    let mut view = page(&actor, &state, "Call", "/calls", c.subject.clone());
    view.pills.push(("role", c.kind.label().to_owned()));
    if let Some(i) = c.importance {
        view.pills
            .push(("role", format!("{} importance", i.label())));
    }
    view.facts
        .push(fact("When", moment(c.occurred_at, &actor.user.time_zone)));
    view.facts.extend(fact_link(
        "Account",
        c.account_name.clone(),
        c.account_id.as_ref().map(|id| format!("/accounts/{id}")),
    ));
    view.facts.extend(fact_link(
        "Opportunity",
        c.opportunity_name.clone(),
        c.opportunity_id
            .as_ref()
            .map(|id| format!("/opportunities/{id}")),
    ));
    view.facts.push(fact("Owner", &c.owner_name));
    view.facts.extend(fact_opt("Outcome", c.outcome.clone()));
    // Whether a call like this needs a plan (R16, R29), and where to write one.
    let stage = match &c.opportunity_id {
        Some(o) => state
            .store()
            .opportunity(&actor.org.id, o)
            .await
            .ok()
            .map(|o| o.stage),
        None => None,
    };
    let may_plan = policy::allows(
        &actor,
        Action::WritePlan {
            seller_id: &c.owner_id,
        },
    );
    view.facts.extend(fact_link(
        "Call plan",
        Some(
            coach_core::call_plans::plan_need(c.importance, stage)
                .label()
                .to_owned(),
        ),
        c.opportunity_id
            .as_ref()
            .filter(|_| may_plan)
            .map(|o| format!("/call-plans/new?opportunity={o}")),
    ));
    view.facts.extend(fact_opt("CRM id", c.source_id.clone()));
    view.sections.push(Section {
        title: "People met",
        table: Table {
            columns: vec![("Contact", false)],
            rows: c
                .contacts
                .iter()
                .map(|(id, name, _)| vec![Cell::link(name, format!("/contacts/{id}"))])
                .collect(),
            empty: "No contacts recorded for this call.",
        },
    });
    Ok(html(StatusCode::OK, &view))
}
