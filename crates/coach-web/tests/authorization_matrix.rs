//! Reliability T1: the authorization matrix. Every route × every actor
//! relation × every target, with ids in the path, the query and the body,
//! compared against an oracle written here from the organization chart (not
//! from the policy module), plus a canary scan of every allowed response: each
//! person's name carries a unique marker that may appear only where the actor
//! may see that person. Later features add their routes to `rules()`; the test
//! fails while any route of the server is missing from it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)]

mod common;

use common::{Fixture, TestApp, seed};
use reqwest::cookie::Jar;
use reqwest::{Client, Method, RequestBuilder, StatusCode};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// What a cell's answer means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Done or shown (2xx, or a redirect that is not to sign-in).
    Ok,
    /// Not signed in (401, or a redirect to the sign-in page).
    Unauth,
    /// The role may not use this (403).
    Forbidden,
    /// Not there, or not the actor's to see (404).
    NotFound,
    /// The request reached its handler and was refused as invalid (422).
    Rejected,
    /// Anything else.
    Other(u16),
}

fn classify(r: &reqwest::Response) -> Outcome {
    let s = r.status();
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match s.as_u16() {
        200..=299 => Outcome::Ok,
        300..=399 if location.starts_with("/login") && !location.contains("notice=signed-out") => {
            Outcome::Unauth
        }
        300..=399 => Outcome::Ok,
        401 => Outcome::Unauth,
        403 => Outcome::Forbidden,
        404 => Outcome::NotFound,
        422 => Outcome::Rejected,
        other => Outcome::Other(other),
    }
}

/// How an actor proves who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Session,
    Token,
    Nobody,
}

struct Actor {
    name: &'static str,
    kind: Kind,
    /// Whose rights a live credential carries.
    person: Option<&'static str>,
    client: Client,
    csrf: String,
    bearer: Option<String>,
}

/// Who may see whom: written from the chart in `common::seed`, on purpose not
/// computed by the code under test.
fn visible(person: &str) -> BTreeSet<&'static str> {
    let org_a = [
        "admin",
        "director1",
        "director2",
        "manager1",
        "manager2",
        "manager3",
        "seller1",
        "seller2",
        "departed",
        "victim",
        "seller3",
        "seller4",
    ];
    let set: &[&'static str] = match person {
        "admin" => &org_a,
        "admin_b" => &["admin_b", "seller_b"],
        "director1" => &[
            "director1",
            "manager1",
            "manager2",
            "seller1",
            "seller2",
            "departed",
            "victim",
            "seller3",
        ],
        "director2" => &["director2", "manager3", "seller4"],
        "manager1" => &["manager1", "seller1", "seller2", "departed", "victim"],
        "manager2" => &["manager2", "seller3"],
        "manager3" => &["manager3", "seller4"],
        "seller1" => &["seller1"],
        "seller2" => &["seller2"],
        "seller_b" => &["seller_b"],
        _ => &[],
    };
    set.iter().copied().collect()
}

/// Names a person sees beyond those they may open: their own manager's.
fn own_manager(person: &str) -> Option<&'static str> {
    match person {
        "seller1" | "seller2" => Some("manager1"),
        "manager1" | "manager2" => Some("director1"),
        "manager3" => Some("director2"),
        "seller_b" => Some("admin_b"),
        _ => None,
    }
}

fn is_admin(person: &str) -> bool {
    matches!(person, "admin" | "admin_b")
}

fn leads(person: &str) -> bool {
    person.starts_with("manager") || person.starts_with("director")
}

fn has_team(person: &str) -> bool {
    matches!(
        person,
        "director1" | "director2" | "manager1" | "manager2" | "manager3" | "admin_b"
    )
}

/// One cell's request: the route's target (if any) and where its id goes.
#[derive(Debug, Clone)]
struct Target {
    /// A fixture person, or a token key.
    key: &'static str,
    /// `path`, `query` or `body`.
    placement: &'static str,
}

type Expect = fn(&Actor, &Target) -> Outcome;

struct Rule {
    targets: Vec<Target>,
    expect: Expect,
}

fn t(key: &'static str, placement: &'static str) -> Target {
    Target { key, placement }
}

/// Signed-in people (by session or token) see their rights; everyone else is
/// unauthenticated.
fn signed_in(a: &Actor, page: bool) -> Option<&'static str> {
    match a.kind {
        Kind::Session => a.person,
        Kind::Token if !page => a.person,
        _ => None,
    }
}

fn rules() -> BTreeMap<(&'static str, &'static str), Rule> {
    let none = || vec![t("-", "none")];
    let people_targets = || {
        vec![
            t("seller1", "path"),
            t("manager1", "path"),
            t("director1", "path"),
            t("admin", "path"),
            t("victim", "path"),
            t("seller_b", "path"),
        ]
    };
    let mut r: BTreeMap<(&'static str, &'static str), Rule> = BTreeMap::new();
    let mut add = |m: &'static str, p: &'static str, targets: Vec<Target>, expect: Expect| {
        r.insert((m, p), Rule { targets, expect });
    };
    // Public.
    for p in [
        "/healthz",
        "/readyz",
        "/metrics",
        "/assets/app.css",
        "/login",
    ] {
        add("GET", p, none(), |_, _| Outcome::Ok);
    }
    // Public, but a bad API credential is refused wherever it is presented.
    add("GET", "/api/v1/openapi.json", none(), |a, _| {
        if a.kind == Kind::Nobody && a.bearer.is_some() {
            Outcome::Unauth
        } else {
            Outcome::Ok
        }
    });
    add("POST", "/login", none(), |a, _| {
        if a.kind == Kind::Session {
            Outcome::Forbidden
        } else {
            Outcome::Unauth
        }
    });
    add("POST", "/logout", none(), |_, _| Outcome::Ok);
    // Every signed-in person, pages.
    for p in ["/", "/profile"] {
        add("GET", p, none(), |a, _| {
            if signed_in(a, true).is_some() {
                Outcome::Ok
            } else {
                Outcome::Unauth
            }
        });
    }
    add("POST", "/profile", none(), |a, _| {
        if signed_in(a, true).is_some() {
            Outcome::Ok
        } else {
            Outcome::Unauth
        }
    });
    add("POST", "/profile/password", none(), |a, _| {
        if signed_in(a, true).is_some() {
            Outcome::Rejected
        } else {
            Outcome::Unauth
        }
    });
    add("POST", "/profile/tokens", none(), |a, _| {
        if signed_in(a, true).is_some() {
            Outcome::Ok
        } else {
            Outcome::Unauth
        }
    });
    add(
        "POST",
        "/profile/tokens/{id}/revoke",
        vec![
            t("token-of-seller1", "path"),
            t("token-of-seller_b", "path"),
        ],
        |a, target| match signed_in(a, true) {
            None => Outcome::Unauth,
            Some("seller1") if target.key == "token-of-seller1" => Outcome::Ok,
            Some(_) => Outcome::NotFound,
        },
    );
    // People pages.
    for p in ["/people", "/teams"] {
        add("GET", p, none(), |a, _| match signed_in(a, true) {
            None => Outcome::Unauth,
            Some(p) if is_admin(p) || leads(p) => Outcome::Ok,
            Some(_) => Outcome::Forbidden,
        });
    }
    add("GET", "/people/new", none(), |a, _| {
        match signed_in(a, true) {
            None => Outcome::Unauth,
            Some(p) if is_admin(p) => Outcome::Ok,
            Some(_) => Outcome::Forbidden,
        }
    });
    add(
        "POST",
        "/people",
        vec![t("manager1", "body"), t("seller_b", "body")],
        |a, target| match signed_in(a, true) {
            None => Outcome::Unauth,
            Some("admin") if target.key == "manager1" => Outcome::Ok,
            Some("admin_b") if target.key == "seller_b" => Outcome::Ok,
            Some(p) if is_admin(p) => Outcome::Rejected,
            Some(_) => Outcome::Forbidden,
        },
    );
    add(
        "GET",
        "/people/{id}",
        people_targets(),
        |a, target| match signed_in(a, true) {
            None => Outcome::Unauth,
            Some(p) if visible(p).contains(target.key) => Outcome::Ok,
            Some(_) => Outcome::NotFound,
        },
    );
    fn admin_edit(a: &Actor, target: &Target) -> Outcome {
        match signed_in(a, true) {
            None => Outcome::Unauth,
            Some(p) if is_admin(p) && visible(p).contains(target.key) => Outcome::Ok,
            Some(p) if visible(p).contains(target.key) => Outcome::Forbidden,
            Some(_) => Outcome::NotFound,
        }
    }
    add("GET", "/people/{id}/edit", people_targets(), admin_edit);
    add(
        "POST",
        "/people/{id}",
        vec![
            t("victim", "path"),
            t("seller1", "path"),
            t("manager1", "path"),
            t("seller_b", "path"),
        ],
        admin_edit,
    );
    add(
        "POST",
        "/people/{id}/deactivate",
        vec![t("victim", "path"), t("seller_b", "path")],
        admin_edit,
    );
    add(
        "POST",
        "/people/{id}/reactivate",
        vec![t("victim", "path"), t("seller_b", "path")],
        admin_edit,
    );
    // Organization settings: admins of the organization only.
    fn configure(a: &Actor, _: &Target) -> Outcome {
        match signed_in(a, true) {
            None => Outcome::Unauth,
            Some(p) if is_admin(p) => Outcome::Ok,
            Some(_) => Outcome::Forbidden,
        }
    }
    add("GET", "/settings/email", none(), configure);
    add("POST", "/settings/email", none(), configure);
    add("GET", "/settings/email/preview/{kind}", none(), configure);
    add("POST", "/profile/email", none(), |a, _| {
        if signed_in(a, true).is_some() {
            Outcome::Ok
        } else {
            Outcome::Unauth
        }
    });
    // Unsubscribe links (T15): the secret in the path is the credential,
    // good for its person and kind whoever presents it; an unknown one is
    // not found.
    for method in ["GET", "POST"] {
        add(
            method,
            "/email/unsubscribe/{secret}",
            vec![
                t("seller1", "path"),
                t("seller_b", "path"),
                t("no-such-link", "path"),
            ],
            |_, target| {
                if target.key == "no-such-link" {
                    Outcome::NotFound
                } else {
                    Outcome::Ok
                }
            },
        );
    }
    add("GET", "/settings/cadence", none(), configure);
    add("POST", "/settings/cadence", none(), configure);
    add("GET", "/settings/stages", none(), configure);
    add("POST", "/settings/stages", none(), configure);
    add("POST", "/settings/stages/remove", none(), configure);
    // API.
    for p in ["/api/v1/me", "/api/v1/teams"] {
        add("GET", p, none(), |a, _| {
            if signed_in(a, false).is_some() {
                Outcome::Ok
            } else {
                Outcome::Unauth
            }
        });
    }
    add(
        "GET",
        "/api/v1/users",
        vec![
            t("-", "none"),
            t("manager1", "query"),
            t("seller_b", "query"),
        ],
        |a, _| {
            if signed_in(a, false).is_some() {
                Outcome::Ok
            } else {
                Outcome::Unauth
            }
        },
    );
    add(
        "POST",
        "/api/v1/users",
        vec![t("manager1", "body"), t("seller_b", "body")],
        |a, target| match signed_in(a, false) {
            None => Outcome::Unauth,
            Some("admin") if target.key == "manager1" => Outcome::Ok,
            Some("admin_b") if target.key == "seller_b" => Outcome::Ok,
            Some(p) if is_admin(p) => Outcome::Rejected,
            Some(_) => Outcome::Forbidden,
        },
    );
    add(
        "GET",
        "/api/v1/users/{id}",
        people_targets(),
        |a, target| match signed_in(a, false) {
            None => Outcome::Unauth,
            Some(p) if visible(p).contains(target.key) => Outcome::Ok,
            Some(_) => Outcome::NotFound,
        },
    );
    add(
        "PATCH",
        "/api/v1/users/{id}",
        vec![
            t("victim", "path"),
            t("seller1", "path"),
            t("manager1", "path"),
            t("seller_b", "path"),
            t("seller_b", "body"),
        ],
        |a, target| match signed_in(a, false) {
            None => Outcome::Unauth,
            Some(p) if target.placement == "body" && is_admin(p) && p == "admin" => {
                Outcome::Rejected
            }
            Some(p) if target.placement == "body" && visible(p).contains("victim") => {
                Outcome::Forbidden
            }
            Some(_) if target.placement == "body" => Outcome::NotFound,
            Some(p) if is_admin(p) && visible(p).contains(target.key) => Outcome::Ok,
            Some(p) if visible(p).contains(target.key) => Outcome::Forbidden,
            Some(_) => Outcome::NotFound,
        },
    );
    add(
        "GET",
        "/api/v1/teams/{id}",
        vec![
            t("manager1", "path"),
            t("director1", "path"),
            t("seller1", "path"),
            t("admin_b", "path"),
        ],
        |a, target| match signed_in(a, false) {
            None => Outcome::Unauth,
            Some(p) if visible(p).contains(target.key) && has_team(target.key) => Outcome::Ok,
            Some(_) => Outcome::NotFound,
        },
    );
    // CRM records: lists and downloads for everyone signed in (scoped by
    // the canary scan), one record for its owner, the people above them and
    // admins of the organization.
    let list_targets = || vec![t("-", "none"), t("victim", "query"), t("seller_b", "query")];
    for kind in ["accounts", "contacts", "opportunities", "calls"] {
        let list: &'static str = Box::leak(format!("/{kind}").into_boxed_str());
        let export: &'static str = Box::leak(format!("/{kind}/export").into_boxed_str());
        let one: &'static str = Box::leak(format!("/{kind}/{{id}}").into_boxed_str());
        let api_list: &'static str = Box::leak(format!("/api/v1/{kind}").into_boxed_str());
        let api_one: &'static str = Box::leak(format!("/api/v1/{kind}/{{id}}").into_boxed_str());
        let singular = kind
            .trim_end_matches('s')
            .replace("opportunitie", "opportunity");
        let record_targets = || -> Vec<Target> {
            ["seller1", "victim", "seller3", "seller4", "seller_b"]
                .into_iter()
                .map(|owner| {
                    t(
                        Box::leak(format!("{singular}:{owner}").into_boxed_str()),
                        "path",
                    )
                })
                .collect()
        };
        for p in [list, export] {
            add("GET", p, list_targets(), |a, _| {
                if signed_in(a, true).is_some() {
                    Outcome::Ok
                } else {
                    Outcome::Unauth
                }
            });
        }
        add("GET", api_list, list_targets(), |a, _| {
            if signed_in(a, false).is_some() {
                Outcome::Ok
            } else {
                Outcome::Unauth
            }
        });
        add("GET", one, record_targets(), |a, target| {
            match signed_in(a, true) {
                None => Outcome::Unauth,
                Some(p) if visible(p).contains(record_owner(target.key)) => Outcome::Ok,
                Some(_) => Outcome::NotFound,
            }
        });
        add(
            "GET",
            api_one,
            record_targets(),
            |a, target| match signed_in(a, false) {
                None => Outcome::Unauth,
                Some(p) if visible(p).contains(record_owner(target.key)) => Outcome::Ok,
                Some(_) => Outcome::NotFound,
            },
        );
    }
    // Importing: admins of the organization only, their own uploads.
    add("GET", "/import", none(), configure);
    add("POST", "/import", none(), |a, _| match signed_in(a, true) {
        None => Outcome::Unauth,
        Some(p) if is_admin(p) => Outcome::Rejected,
        Some(_) => Outcome::Forbidden,
    });
    fn upload(a: &Actor, target: &Target) -> Outcome {
        match signed_in(a, true) {
            None => Outcome::Unauth,
            Some("admin") if target.key == "upload:a" => Outcome::Ok,
            Some("admin_b") if target.key == "upload:b" => Outcome::Ok,
            Some(p) if is_admin(p) => Outcome::NotFound,
            Some(_) => Outcome::Forbidden,
        }
    }
    for m in ["GET", "POST"] {
        add(
            m,
            "/import/{id}",
            vec![t("upload:a", "path"), t("upload:b", "path")],
            upload,
        );
    }
    // The ROA model: everyone reads it; admins change their organization's.
    fn org_of(key: &str) -> &str {
        key.rsplit_once(':').map_or("a", |(_, o)| o)
    }
    fn in_org_a(p: &str) -> bool {
        !matches!(p, "admin_b" | "seller_b")
    }
    fn model_item(a: &Actor, target: &Target, page: bool, allowed: Outcome) -> Outcome {
        match signed_in(a, page) {
            None => Outcome::Unauth,
            Some(p) if is_admin(p) && in_org_a(p) == (org_of(target.key) == "a") => allowed,
            Some(p) if is_admin(p) => Outcome::NotFound,
            Some(_) => Outcome::Forbidden,
        }
    }
    fn signed_in_page(a: &Actor, _: &Target) -> Outcome {
        if signed_in(a, true).is_some() {
            Outcome::Ok
        } else {
            Outcome::Unauth
        }
    }
    fn signed_in_api(a: &Actor, _: &Target) -> Outcome {
        if signed_in(a, false).is_some() {
            Outcome::Ok
        } else {
            Outcome::Unauth
        }
    }
    fn admin_only(a: &Actor, page: bool, admin_a: Outcome, admin_b: Outcome) -> Outcome {
        match signed_in(a, page) {
            None => Outcome::Unauth,
            Some("admin") => admin_a,
            Some("admin_b") => admin_b,
            Some(_) => Outcome::Forbidden,
        }
    }
    add("GET", "/model", none(), signed_in_page);
    add("GET", "/model/targets", none(), configure);
    // The forms name org A's measures: admin_b's are refused or not found.
    add("POST", "/model/targets", none(), |a, _| {
        admin_only(a, true, Outcome::Ok, Outcome::Rejected)
    });
    add("POST", "/model/values", none(), |a, _| {
        admin_only(a, true, Outcome::Ok, Outcome::Rejected)
    });
    add("POST", "/model/targets/remove", none(), |a, _| {
        admin_only(a, true, Outcome::Ok, Outcome::NotFound)
    });
    add("GET", "/model/activity-types/new", none(), configure);
    add("POST", "/model/measures", none(), |a, _| {
        admin_only(a, true, Outcome::Rejected, Outcome::Rejected)
    });
    add("POST", "/model/activity-types", none(), |a, _| {
        admin_only(a, true, Outcome::Rejected, Outcome::Rejected)
    });
    let shares = || vec![t("share:a", "path"), t("share:b", "path")];
    let types = || vec![t("type:a", "path"), t("type:b", "path")];
    add("GET", "/model/measures/{id}", shares(), |a, t| {
        model_item(a, t, true, Outcome::Ok)
    });
    // Empty forms, and a result an objective alone drives: refused as invalid.
    add("POST", "/model/measures/{id}", shares(), |a, t| {
        model_item(a, t, true, Outcome::Rejected)
    });
    add("POST", "/model/measures/{id}/delete", shares(), |a, t| {
        model_item(a, t, true, Outcome::Rejected)
    });
    add("GET", "/model/activity-types/{id}", types(), |a, t| {
        model_item(a, t, true, Outcome::Ok)
    });
    add("POST", "/model/activity-types/{id}", types(), |a, t| {
        model_item(a, t, true, Outcome::Rejected)
    });
    for p in [
        "/api/v1/results",
        "/api/v1/objectives",
        "/api/v1/activity-types",
        "/api/v1/targets",
    ] {
        add("GET", p, none(), signed_in_api);
    }
    add("POST", "/api/v1/results", none(), |a, _| {
        admin_only(a, false, Outcome::Ok, Outcome::Ok)
    });
    for p in ["/api/v1/objectives", "/api/v1/activity-types"] {
        add("POST", p, none(), |a, _| {
            admin_only(a, false, Outcome::Rejected, Outcome::Rejected)
        });
    }
    add("PATCH", "/api/v1/results/{id}", shares(), |a, t| {
        model_item(a, t, false, Outcome::Ok)
    });
    add(
        "PATCH",
        "/api/v1/objectives/{id}",
        vec![t("objective:a", "path"), t("objective:b", "path")],
        |a, t| model_item(a, t, false, Outcome::Ok),
    );
    add(
        "GET",
        "/api/v1/activity-types/{id}",
        types(),
        |a, target| match signed_in(a, false) {
            None => Outcome::Unauth,
            Some(p) if in_org_a(p) == (org_of(target.key) == "a") => Outcome::Ok,
            Some(_) => Outcome::NotFound,
        },
    );
    add("PATCH", "/api/v1/activity-types/{id}", types(), |a, t| {
        model_item(a, t, false, Outcome::Ok)
    });
    // Targets and entered values name org A's measure: admin_b's is refused.
    for p in ["/api/v1/targets", "/api/v1/values"] {
        add("PUT", p, none(), |a, _| {
            admin_only(a, false, Outcome::Ok, Outcome::Rejected)
        });
    }
    // Activities and scorecards: the seller, the people above them, admins.
    let activity_targets = || -> Vec<Target> {
        ["seller1", "victim", "seller3", "seller4", "seller_b"]
            .into_iter()
            .map(|owner| {
                t(
                    Box::leak(format!("activity:{owner}").into_boxed_str()),
                    "path",
                )
            })
            .collect()
    };
    add("GET", "/activities", none(), signed_in_page);
    add("GET", "/activities/export", none(), signed_in_page);
    add(
        "GET",
        "/api/v1/activities",
        vec![t("-", "none"), t("victim", "query"), t("seller_b", "query")],
        signed_in_api,
    );
    fn log_for(a: &Actor, target: &Target, page: bool) -> Outcome {
        match signed_in(a, page) {
            None => Outcome::Unauth,
            // The form names org A's activity type.
            Some(p) if visible(p).contains(target.key) && in_org_a(p) => Outcome::Ok,
            Some(p) if visible(p).contains(target.key) => Outcome::Rejected,
            Some(_) => Outcome::NotFound,
        }
    }
    let sellers = || {
        vec![
            t("seller1", "body"),
            t("victim", "body"),
            t("seller3", "body"),
            t("seller_b", "body"),
        ]
    };
    add("POST", "/activities", sellers(), |a, t| log_for(a, t, true));
    add("POST", "/api/v1/activities", sellers(), |a, t| {
        log_for(a, t, false)
    });
    fn see_activity(a: &Actor, target: &Target, page: bool) -> Outcome {
        match signed_in(a, page) {
            None => Outcome::Unauth,
            Some(p) if visible(p).contains(record_owner(target.key)) => Outcome::Ok,
            Some(_) => Outcome::NotFound,
        }
    }
    add("GET", "/activities/{id}", activity_targets(), |a, t| {
        see_activity(a, t, true)
    });
    add(
        "GET",
        "/api/v1/activities/{id}",
        activity_targets(),
        |a, t| see_activity(a, t, false),
    );
    // Scoring: only those above the seller; the empty score is refused.
    fn score(a: &Actor, target: &Target, page: bool) -> Outcome {
        let owner = record_owner(target.key);
        match signed_in(a, page) {
            None => Outcome::Unauth,
            Some(p) if visible(p).contains(owner) && p != owner && !is_admin(p) => {
                Outcome::Rejected
            }
            Some(p) if visible(p).contains(owner) => Outcome::Forbidden,
            Some(_) => Outcome::NotFound,
        }
    }
    // Removing: those who may log for the seller; the fixture's activities
    // are counted from the CRM, so removal is refused as invalid.
    fn remove(a: &Actor, target: &Target, page: bool) -> Outcome {
        match signed_in(a, page) {
            None => Outcome::Unauth,
            Some(p) if visible(p).contains(record_owner(target.key)) => Outcome::Rejected,
            Some(_) => Outcome::NotFound,
        }
    }
    add(
        "POST",
        "/activities/{id}/delete",
        activity_targets(),
        |a, t| remove(a, t, true),
    );
    add(
        "DELETE",
        "/api/v1/activities/{id}",
        activity_targets(),
        |a, t| remove(a, t, false),
    );
    add(
        "POST",
        "/activities/{id}/score",
        activity_targets(),
        |a, t| score(a, t, true),
    );
    add(
        "PUT",
        "/api/v1/activities/{id}/score",
        activity_targets(),
        |a, t| score(a, t, false),
    );
    for p in ["/scorecard", "/scorecard/me"] {
        add("GET", p, none(), signed_in_page);
    }
    // The rhythm planner: for those who lead people.
    add("GET", "/rhythm", none(), |a, _| match signed_in(a, true) {
        None => Outcome::Unauth,
        Some(p) if leads(p) => Outcome::Ok,
        Some(_) => Outcome::Forbidden,
    });
    // Applying needs sellers: a director's plan has none to apply.
    add("POST", "/rhythm/apply", none(), |a, _| {
        match signed_in(a, true) {
            None => Outcome::Unauth,
            Some(p) if p.starts_with("manager") => Outcome::Ok,
            Some(p) if leads(p) => Outcome::Rejected,
            Some(_) => Outcome::Forbidden,
        }
    });
    for p in ["/api/v1/rhythm/preview", "/api/v1/rhythm/apply"] {
        add("POST", p, none(), |a, _| match signed_in(a, false) {
            None => Outcome::Unauth,
            Some(p) if p.starts_with("manager") => Outcome::Ok,
            Some(p) if leads(p) => Outcome::Rejected,
            Some(_) => Outcome::Forbidden,
        });
    }
    // Everyone reads the series they are in and the organization's cadence;
    // admins set it.
    for p in ["/api/v1/series", "/api/v1/cadence"] {
        add("GET", p, none(), |a, _| match signed_in(a, false) {
            None => Outcome::Unauth,
            Some(_) => Outcome::Ok,
        });
    }
    for method in ["GET", "PUT"] {
        add(
            method,
            "/api/v1/email-preferences",
            none(),
            |a, _| match signed_in(a, false) {
                None => Outcome::Unauth,
                Some(_) => Outcome::Ok,
            },
        );
        add(
            method,
            "/api/v1/email-settings",
            none(),
            |a, _| match signed_in(a, false) {
                None => Outcome::Unauth,
                Some(p) if is_admin(p) => Outcome::Ok,
                Some(_) => Outcome::Forbidden,
            },
        );
    }
    add("PUT", "/api/v1/cadence", none(), |a, _| {
        match signed_in(a, false) {
            None => Outcome::Unauth,
            Some(p) if is_admin(p) => Outcome::Ok,
            Some(_) => Outcome::Forbidden,
        }
    });
    // A form without its calendar file or address is refused past the policy.
    for p in ["/rhythm/busy", "/rhythm/busy/url"] {
        add("POST", p, none(), |a, _| match signed_in(a, true) {
            None => Outcome::Unauth,
            Some(p) if leads(p) => Outcome::Rejected,
            Some(_) => Outcome::Forbidden,
        });
    }
    add(
        "POST",
        "/rhythm/busy/clear",
        none(),
        |a, _| match signed_in(a, true) {
            None => Outcome::Unauth,
            Some(p) if leads(p) => Outcome::Ok,
            Some(_) => Outcome::Forbidden,
        },
    );
    // Calendar feeds (T14): the secret in the path is the credential,
    // whoever presents it; an unknown one is not found.
    add(
        "GET",
        "/calendar/{file}",
        vec![
            t("seller1", "path"),
            t("manager1", "path"),
            t("seller_b", "path"),
            t("no-such-feed", "path"),
        ],
        |_, target| {
            if target.key == "no-such-feed" {
                Outcome::NotFound
            } else {
                Outcome::Ok
            }
        },
    );
    add("POST", "/profile/calendar", none(), |a, _| {
        if signed_in(a, true).is_some() {
            Outcome::Ok
        } else {
            Outcome::Unauth
        }
    });
    // Coaching analytics (R14–R45): everyone has a view; a manager's team
    // for the manager, those above and admins; managers side by side and
    // outcomes for leaders and admins; the organization for admins.
    for p in ["/analytics", "/analytics/guide", "/analytics/me"] {
        add("GET", p, none(), signed_in_page);
    }
    add("GET", "/analytics/me/export", none(), signed_in_page);
    for p in ["/analytics/team", "/analytics/team/export"] {
        add(
            "GET",
            p,
            vec![
                t("-", "none"),
                t("manager1", "query"),
                t("manager3", "query"),
                t("seller_b", "query"),
            ],
            |a, target| match signed_in(a, true) {
                None => Outcome::Unauth,
                Some(_) if target.placement == "none" => Outcome::Ok,
                Some(p) if visible(p).contains(target.key) => Outcome::Ok,
                Some(_) => Outcome::NotFound,
            },
        );
    }
    for p in [
        "/analytics/managers",
        "/analytics/managers/export",
        "/analytics/outcomes",
        "/analytics/outcomes/export",
    ] {
        add("GET", p, none(), |a, _| match signed_in(a, true) {
            None => Outcome::Unauth,
            Some(p) if is_admin(p) || leads(p) => Outcome::Ok,
            Some(_) => Outcome::Forbidden,
        });
    }
    for p in ["/analytics/organization", "/analytics/organization/export"] {
        add("GET", p, none(), |a, _| match signed_in(a, true) {
            None => Outcome::Unauth,
            Some(p) if is_admin(p) => Outcome::Ok,
            Some(_) => Outcome::Forbidden,
        });
    }
    add("GET", "/scorecard/team", none(), |a, _| {
        match signed_in(a, true) {
            None => Outcome::Unauth,
            Some(p) if is_admin(p) || leads(p) => Outcome::Ok,
            Some(_) => Outcome::Forbidden,
        }
    });
    add(
        "GET",
        "/scorecard/{seller_id}",
        people_targets(),
        |a, target| match signed_in(a, true) {
            None => Outcome::Unauth,
            Some(p) if visible(p).contains(target.key) => Outcome::Ok,
            Some(_) => Outcome::NotFound,
        },
    );
    add(
        "GET",
        "/api/v1/scorecards/{seller_id}",
        people_targets(),
        |a, target| match signed_in(a, false) {
            None => Outcome::Unauth,
            Some(p) if visible(p).contains(target.key) => Outcome::Ok,
            Some(_) => Outcome::NotFound,
        },
    );

    // Coaching sessions: one in progress per seller, led by their manager.
    let sessions = || -> Vec<Target> {
        ["seller1", "victim", "seller3", "seller4", "seller_b"]
            .into_iter()
            .map(|owner| {
                t(
                    Box::leak(format!("session:{owner}").into_boxed_str()),
                    "path",
                )
            })
            .collect()
    };
    let keyed = |prefix: &str| -> Vec<Target> {
        ["seller1", "victim", "seller3", "seller4", "seller_b"]
            .into_iter()
            .map(|owner| {
                t(
                    Box::leak(format!("{prefix}:{owner}").into_boxed_str()),
                    "path",
                )
            })
            .collect()
    };
    fn session_rule(
        a: &Actor,
        target: &Target,
        may: fn(&str, &str) -> bool,
        allowed: Outcome,
    ) -> Outcome {
        let seller = record_owner(target.key);
        match signed_in(a, false) {
            None => Outcome::Unauth,
            Some(p) if may(p, seller) => allowed,
            Some(p) if visible(p).contains(seller) => Outcome::Forbidden,
            Some(_) => Outcome::NotFound,
        }
    }
    fn view(p: &str, seller: &str) -> bool {
        visible(p).contains(seller)
    }
    fn leads_it(p: &str, seller: &str) -> bool {
        manager_of(seller) == p
    }
    fn in_it(p: &str, seller: &str) -> bool {
        manager_of(seller) == p || seller == p
    }
    fn the_seller(p: &str, seller: &str) -> bool {
        seller == p
    }
    fn observes(p: &str, seller: &str) -> bool {
        director_over(manager_of(seller)) == Some(p)
    }
    fn coach_side(p: &str, seller: &str) -> bool {
        leads_it(p, seller)
            || observes(p, seller)
            || (p == "admin" && seller != "seller_b")
            || (p == "admin_b" && seller == "seller_b")
    }
    add(
        "GET",
        "/api/v1/sessions",
        vec![t("-", "none"), t("victim", "query"), t("seller_b", "query")],
        signed_in_api,
    );
    add(
        "GET",
        "/api/v1/action-items",
        vec![t("-", "none"), t("victim", "query"), t("seller_b", "query")],
        signed_in_api,
    );
    add(
        "POST",
        "/api/v1/sessions",
        vec![
            t("seller1", "body"),
            t("victim", "body"),
            t("seller3", "body"),
            t("seller_b", "body"),
        ],
        |a, target| match signed_in(a, false) {
            None => Outcome::Unauth,
            Some(p) if above(p, target.key) => Outcome::Ok,
            Some(p) if visible(p).contains(target.key) => Outcome::Forbidden,
            Some(_) => Outcome::NotFound,
        },
    );
    add("GET", "/api/v1/sessions/{id}", sessions(), |a, t| {
        session_rule(a, t, view, Outcome::Ok)
    });
    add("GET", "/api/v1/sessions/{id}/deals", sessions(), |a, t| {
        session_rule(a, t, view, Outcome::Ok)
    });
    add(
        "GET",
        "/api/v1/sessions/{id}/summary",
        sessions(),
        |a, t| session_rule(a, t, view, Outcome::Ok),
    );
    add("PATCH", "/api/v1/sessions/{id}", sessions(), |a, t| {
        session_rule(a, t, leads_it, Outcome::Ok)
    });
    // An unknown transition is refused by the handler, past the policy.
    add(
        "POST",
        "/api/v1/sessions/{id}/transitions",
        sessions(),
        |a, t| session_rule(a, t, leads_it, Outcome::Rejected),
    );
    add("PUT", "/api/v1/sessions/{id}/focus", sessions(), |a, t| {
        session_rule(a, t, leads_it, Outcome::Ok)
    });
    // The sessions are in progress: preparation is over.
    add(
        "POST",
        "/api/v1/sessions/{id}/prepared",
        sessions(),
        |a, t| session_rule(a, t, in_it, Outcome::Rejected),
    );
    add(
        "POST",
        "/api/v1/sessions/{id}/agenda",
        sessions(),
        |a, t| session_rule(a, t, in_it, Outcome::Ok),
    );
    add(
        "PATCH",
        "/api/v1/agenda-items/{id}",
        keyed("item"),
        |a, t| session_rule(a, t, in_it, Outcome::Ok),
    );
    // Sent with a stale If-Match: the allowed get 412 and nothing changes.
    add(
        "DELETE",
        "/api/v1/agenda-items/{id}",
        keyed("item"),
        |a, t| session_rule(a, t, in_it, Outcome::Other(412)),
    );
    add("GET", "/api/v1/sessions/{id}/notes", sessions(), |a, t| {
        session_rule(a, t, in_it, Outcome::Ok)
    });
    add("POST", "/api/v1/sessions/{id}/notes", sessions(), |a, t| {
        session_rule(a, t, in_it, Outcome::Ok)
    });
    // A private note is its author's alone: everyone else is told it is not there.
    fn author_only(a: &Actor, target: &Target) -> Outcome {
        match signed_in(a, false) {
            None => Outcome::Unauth,
            Some(p) if p == record_owner(target.key) => Outcome::Ok,
            Some(_) => Outcome::NotFound,
        }
    }
    add("PATCH", "/api/v1/notes/{id}", keyed("note"), author_only);
    add("DELETE", "/api/v1/notes/{id}", keyed("note"), author_only);
    add(
        "GET",
        "/api/v1/sessions/{id}/questions",
        sessions(),
        |a, t| session_rule(a, t, coach_side, Outcome::Ok),
    );
    add(
        "POST",
        "/api/v1/sessions/{id}/questions",
        sessions(),
        |a, t| session_rule(a, t, leads_it, Outcome::Ok),
    );
    add(
        "PATCH",
        "/api/v1/sessions/{id}/questions/{question_id}",
        sessions(),
        |a, t| session_rule(a, t, leads_it, Outcome::Ok),
    );
    add(
        "DELETE",
        "/api/v1/sessions/{id}/questions/{question_id}",
        sessions(),
        |a, t| session_rule(a, t, leads_it, Outcome::Ok),
    );
    add(
        "PUT",
        "/api/v1/sessions/{id}/observer",
        sessions(),
        |a, t| session_rule(a, t, observes, Outcome::Ok),
    );
    add(
        "DELETE",
        "/api/v1/sessions/{id}/observer",
        sessions(),
        |a, t| session_rule(a, t, observes, Outcome::Ok),
    );
    // Org A's sessions have an observation; seller_b's has none to show.
    add(
        "GET",
        "/api/v1/sessions/{id}/observation",
        sessions(),
        |a, t| {
            let found = if record_owner(t.key) == "seller_b" {
                Outcome::NotFound
            } else {
                Outcome::Ok
            };
            session_rule(a, t, coach_side, found)
        },
    );
    // Filing needs joining as observer first (the observer was cleared).
    add(
        "PUT",
        "/api/v1/sessions/{id}/observation",
        sessions(),
        |a, t| session_rule(a, t, observes, Outcome::Rejected),
    );
    // Feedback follows a held session; these are in progress.
    add(
        "POST",
        "/api/v1/sessions/{id}/feedback",
        sessions(),
        |a, t| session_rule(a, t, the_seller, Outcome::Rejected),
    );
    add(
        "GET",
        "/api/v1/feedback",
        vec![
            t("-", "none"),
            t("manager1", "query"),
            t("manager3", "query"),
        ],
        |a, target| match signed_in(a, false) {
            None => Outcome::Unauth,
            Some(_) if target.key == "-" => Outcome::Ok,
            Some(p) if p == target.key || p == "admin" || director_over(target.key) == Some(p) => {
                Outcome::Ok
            }
            Some(_) => Outcome::NotFound,
        },
    );
    add(
        "POST",
        "/api/v1/action-items",
        keyed("session")
            .into_iter()
            .map(|x| Target {
                placement: "body",
                ..x
            })
            .collect(),
        |a, t| session_rule(a, t, in_it, Outcome::Ok),
    );
    add(
        "GET",
        "/api/v1/action-items/{id}",
        keyed("action"),
        |a, t| session_rule(a, t, view, Outcome::Ok),
    );
    add(
        "PATCH",
        "/api/v1/action-items/{id}",
        keyed("action"),
        |a, t| {
            session_rule(
                a,
                t,
                |p, seller| seller == p || above(p, seller),
                Outcome::Ok,
            )
        },
    );
    add("GET", "/api/v1/coaching-settings", none(), signed_in_api);
    add("GET", "/api/v1/question-bank", none(), signed_in_api);
    add(
        "GET",
        "/api/v1/agenda-templates/{kind}",
        none(),
        signed_in_api,
    );
    for (m, p) in [
        ("PUT", "/api/v1/coaching-settings"),
        ("POST", "/api/v1/question-bank"),
        ("PUT", "/api/v1/agenda-templates/{kind}"),
    ] {
        add(m, p, none(), |a, _| {
            admin_only(a, false, Outcome::Ok, Outcome::Ok)
        });
    }
    add(
        "DELETE",
        "/api/v1/question-bank/{id}",
        vec![t("bank:a", "path"), t("bank:b", "path")],
        |a, t| model_item(a, t, false, Outcome::Ok),
    );
    // The coaching pages: the same policy, with forms.
    fn session_page(
        a: &Actor,
        target: &Target,
        may: fn(&str, &str) -> bool,
        allowed: Outcome,
    ) -> Outcome {
        let seller = record_owner(target.key);
        match signed_in(a, true) {
            None => Outcome::Unauth,
            Some(p) if may(p, seller) => allowed,
            Some(p) if visible(p).contains(seller) => Outcome::Forbidden,
            Some(_) => Outcome::NotFound,
        }
    }
    add("GET", "/assets/app.js", none(), |_, _| Outcome::Ok);
    add("GET", "/sessions", none(), signed_in_page);
    add("GET", "/action-items", none(), signed_in_page);
    add(
        "POST",
        "/sessions",
        vec![
            t("seller1", "body"),
            t("victim", "body"),
            t("seller3", "body"),
            t("seller_b", "body"),
        ],
        |a, target| match signed_in(a, true) {
            None => Outcome::Unauth,
            Some(p) if above(p, target.key) => Outcome::Ok,
            Some(p) if visible(p).contains(target.key) => Outcome::Forbidden,
            Some(_) => Outcome::NotFound,
        },
    );
    for p in [
        "/sessions/{id}",
        "/sessions/{id}/print",
        "/sessions/{id}/summary.md",
        "/sessions/{id}/calendar.ics",
    ] {
        add("GET", p, sessions(), |a, t| {
            session_page(a, t, view, Outcome::Ok)
        });
    }
    // An unknown status, preparation after the opening, feedback before the
    // close and an observation without joining are refused past the policy.
    add("POST", "/sessions/{id}/status", sessions(), |a, t| {
        session_page(a, t, leads_it, Outcome::Rejected)
    });
    add("POST", "/sessions/{id}/plan", sessions(), |a, t| {
        session_page(a, t, leads_it, Outcome::Ok)
    });
    add("POST", "/sessions/{id}/phase", sessions(), |a, t| {
        session_page(a, t, leads_it, Outcome::Ok)
    });
    // What an account session dwelt on (R7): its manager marks it.
    add("POST", "/sessions/{id}/focus", sessions(), |a, t| {
        session_page(a, t, leads_it, Outcome::Ok)
    });
    add("POST", "/sessions/{id}/questions", sessions(), |a, t| {
        session_page(a, t, leads_it, Outcome::Ok)
    });
    add(
        "POST",
        "/sessions/{id}/questions/{question_id}",
        sessions(),
        |a, t| session_page(a, t, leads_it, Outcome::Ok),
    );
    add("POST", "/sessions/{id}/agenda", sessions(), |a, t| {
        session_page(a, t, in_it, Outcome::Ok)
    });
    add(
        "POST",
        "/sessions/{id}/agenda/{item_id}",
        sessions(),
        |a, t| session_page(a, t, in_it, Outcome::Ok),
    );
    add("POST", "/sessions/{id}/notes", sessions(), |a, t| {
        session_page(a, t, in_it, Outcome::Ok)
    });
    add("POST", "/sessions/{id}/action-items", sessions(), |a, t| {
        session_page(a, t, in_it, Outcome::Ok)
    });
    add("POST", "/sessions/{id}/prepared", sessions(), |a, t| {
        session_page(a, t, in_it, Outcome::Rejected)
    });
    // A private note: its author saves it; the other side is told it is not there.
    add(
        "POST",
        "/sessions/{id}/notes/{note_id}",
        sessions(),
        |a, t| {
            let seller = record_owner(t.key);
            match signed_in(a, true) {
                Some(p) if p == seller => Outcome::Ok,
                Some(p) if manager_of(seller) == p => Outcome::NotFound,
                _ => session_page(a, t, in_it, Outcome::Ok),
            }
        },
    );
    add("POST", "/sessions/{id}/observer", sessions(), |a, t| {
        session_page(a, t, observes, Outcome::Ok)
    });
    add("POST", "/sessions/{id}/observation", sessions(), |a, t| {
        session_page(a, t, observes, Outcome::Rejected)
    });
    add("POST", "/sessions/{id}/feedback", sessions(), |a, t| {
        session_page(a, t, the_seller, Outcome::Rejected)
    });
    add("POST", "/action-items/{id}", keyed("action"), |a, t| {
        session_page(
            a,
            t,
            |p, seller| seller == p || above(p, seller),
            Outcome::Ok,
        )
    });
    add("GET", "/settings/coaching", none(), configure);
    for p in [
        "/settings/coaching",
        "/settings/coaching/questions",
        "/settings/coaching/templates",
        "/settings/coaching/formal-plans",
    ] {
        add("POST", p, none(), |a, _| {
            admin_only(a, true, Outcome::Ok, Outcome::Ok)
        });
    }
    // Call plans: the seller and those above plan and record; those above coach.
    fn plan_rule(a: &Actor, target: &Target, page: bool, may: fn(&str, &str) -> bool) -> Outcome {
        let seller = record_owner(target.key);
        match signed_in(a, page) {
            None => Outcome::Unauth,
            Some(p) if may(p, seller) => Outcome::Ok,
            Some(p) if visible(p).contains(seller) => Outcome::Forbidden,
            Some(_) => Outcome::NotFound,
        }
    }
    fn plans_it(p: &str, seller: &str) -> bool {
        p == seller || above(p, seller)
    }
    fn coaches_it(p: &str, seller: &str) -> bool {
        above(p, seller)
    }
    let plan_sellers = || {
        vec![
            t("seller1", "body"),
            t("victim", "body"),
            t("seller3", "body"),
            t("seller_b", "body"),
        ]
    };
    add(
        "GET",
        "/api/v1/call-plans",
        vec![t("-", "none"), t("victim", "query"), t("seller_b", "query")],
        signed_in_api,
    );
    add("GET", "/call-plans", none(), signed_in_page);
    add("GET", "/call-plans/new", none(), signed_in_page);
    add("POST", "/api/v1/call-plans", plan_sellers(), |a, t| {
        plan_rule(a, t, false, plans_it)
    });
    add("POST", "/call-plans", plan_sellers(), |a, t| {
        plan_rule(a, t, true, plans_it)
    });
    add("GET", "/api/v1/call-plans/{id}", keyed("plan"), |a, t| {
        plan_rule(a, t, false, view)
    });
    add("GET", "/call-plans/{id}", keyed("plan"), |a, t| {
        plan_rule(a, t, true, view)
    });
    add("PUT", "/api/v1/call-plans/{id}", keyed("plan"), |a, t| {
        plan_rule(a, t, false, plans_it)
    });
    add("POST", "/call-plans/{id}", keyed("plan"), |a, t| {
        plan_rule(a, t, true, plans_it)
    });
    add(
        "PUT",
        "/api/v1/call-plans/{id}/outcome",
        keyed("plan"),
        |a, t| plan_rule(a, t, false, plans_it),
    );
    add("POST", "/call-plans/{id}/outcome", keyed("plan"), |a, t| {
        plan_rule(a, t, true, plans_it)
    });
    add(
        "PUT",
        "/api/v1/call-plans/{id}/feedback",
        keyed("plan"),
        |a, t| plan_rule(a, t, false, coaches_it),
    );
    add(
        "POST",
        "/call-plans/{id}/feedback",
        keyed("plan"),
        |a, t| plan_rule(a, t, true, coaches_it),
    );
    // Opportunity plans: anyone who may see the deal reads its plan; the
    // seller and those above write it. Moving back to the first stage is
    // always allowed; negotiation there is refused as invalid (R23).
    add(
        "GET",
        "/api/v1/opportunities/{id}/plan",
        keyed("opportunity"),
        |a, t| plan_rule(a, t, false, view),
    );
    add(
        "GET",
        "/opportunities/{id}/plan",
        keyed("opportunity"),
        |a, t| plan_rule(a, t, true, view),
    );
    fn refused_at_first_stage(o: Outcome) -> Outcome {
        if o == Outcome::Ok {
            Outcome::Rejected
        } else {
            o
        }
    }
    add(
        "PUT",
        "/api/v1/opportunities/{id}/plan",
        keyed("opportunity"),
        |a, t| plan_rule(a, t, false, plans_it),
    );
    add(
        "PUT",
        "/api/v1/opportunities/{id}/plan/stage",
        keyed("opportunity"),
        |a, t| plan_rule(a, t, false, plans_it),
    );
    add(
        "PUT",
        "/api/v1/opportunities/{id}/plan/negotiation",
        keyed("opportunity"),
        |a, t| refused_at_first_stage(plan_rule(a, t, false, plans_it)),
    );
    add(
        "POST",
        "/opportunities/{id}/plan",
        keyed("opportunity"),
        |a, t| plan_rule(a, t, true, plans_it),
    );
    add(
        "POST",
        "/opportunities/{id}/plan/stage",
        keyed("opportunity"),
        |a, t| plan_rule(a, t, true, plans_it),
    );
    add(
        "POST",
        "/opportunities/{id}/plan/negotiation",
        keyed("opportunity"),
        |a, t| refused_at_first_stage(plan_rule(a, t, true, plans_it)),
    );
    // Territory plans: those who see a seller's data read the plan; the
    // seller and those above write it and set tiers by hand.
    let sellers_in_path = || {
        ["seller1", "victim", "seller3", "seller4", "seller_b"]
            .into_iter()
            .map(|s| t(s, "path"))
            .collect::<Vec<_>>()
    };
    add("GET", "/territory", none(), signed_in_page);
    add(
        "GET",
        "/api/v1/territory-plans/{seller_id}",
        sellers_in_path(),
        |a, t| plan_rule(a, t, false, view),
    );
    add(
        "GET",
        "/territory/{seller_id}",
        sellers_in_path(),
        |a, t| plan_rule(a, t, true, view),
    );
    add(
        "PUT",
        "/api/v1/territory-plans/{seller_id}",
        sellers_in_path(),
        |a, t| plan_rule(a, t, false, plans_it),
    );
    add(
        "POST",
        "/territory/{seller_id}",
        sellers_in_path(),
        |a, t| plan_rule(a, t, true, plans_it),
    );
    add(
        "PUT",
        "/api/v1/territory-plans/{seller_id}/tiers/{account_id}",
        sellers_in_path(),
        |a, t| plan_rule(a, t, false, plans_it),
    );
    add(
        "POST",
        "/territory/{seller_id}/tiers/{account_id}",
        sellers_in_path(),
        |a, t| plan_rule(a, t, true, plans_it),
    );
    // Account plans: whoever sees the account reads its plan; the seller
    // and those above write it.
    add("GET", "/account-plans", none(), signed_in_page);
    add(
        "GET",
        "/api/v1/accounts/{id}/plan",
        keyed("account"),
        |a, t| plan_rule(a, t, false, view),
    );
    add("GET", "/accounts/{id}/plan", keyed("account"), |a, t| {
        plan_rule(a, t, true, view)
    });
    add(
        "PUT",
        "/api/v1/accounts/{id}/plan",
        keyed("account"),
        |a, t| plan_rule(a, t, false, plans_it),
    );
    add("POST", "/accounts/{id}/plan", keyed("account"), |a, t| {
        plan_rule(a, t, true, plans_it)
    });
    add(
        "POST",
        "/settings/coaching/questions/{id}/delete",
        vec![t("bank:a", "path"), t("bank:b", "path")],
        |a, t| model_item(a, t, true, Outcome::Ok),
    );
    r
}

/// The manager of a seller of the fixture.
fn manager_of(seller: &str) -> &'static str {
    match seller {
        "seller1" | "seller2" | "victim" | "departed" => "manager1",
        "seller3" => "manager2",
        "seller4" => "manager3",
        "seller_b" => "admin_b",
        _ => "-",
    }
}

/// The director above a manager of the fixture.
fn director_over(manager: &str) -> Option<&'static str> {
    match manager {
        "manager1" | "manager2" => Some("director1"),
        "manager3" => Some("director2"),
        _ => None,
    }
}

/// Whether `p` leads someone above `x` in the reporting line (admins who
/// lead nobody are not in the line).
fn above(p: &str, x: &str) -> bool {
    p != x && leads(p) && visible(p).contains(x)
}

/// The owner of a record target such as `account:seller1`.
fn record_owner(key: &str) -> &str {
    key.split_once(':').map_or(key, |(_, owner)| owner)
}

async fn client_with(app: &TestApp, session: Option<&str>) -> Client {
    let jar = Arc::new(Jar::default());
    if let Some(cookie) = session {
        jar.add_cookie_str(
            &format!("coach_session={cookie}; Path=/"),
            &app.base.parse().unwrap(),
        );
    }
    Client::builder()
        .cookie_provider(jar)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn actors(app: &TestApp, f: &Fixture) -> Vec<Actor> {
    let mut out = Vec::new();
    for name in [
        "seller1",
        "seller2",
        "manager1",
        "manager2",
        "manager3",
        "director1",
        "director2",
        "admin",
        "admin_b",
    ] {
        let p = &f.people[name];
        let (cookie, session) = app.store.create_session(&p.org, &p.id).await.unwrap();
        out.push(Actor {
            name,
            kind: Kind::Session,
            person: Some(name),
            client: client_with(app, Some(&cookie)).await,
            csrf: session.csrf_token,
            bearer: None,
        });
    }
    for owner in ["manager1", "seller1"] {
        let p = &f.people[owner];
        let (secret, _) = app
            .store
            .create_token(&p.org, &p.id, "matrix")
            .await
            .unwrap();
        let client = client_with(app, None).await;
        let csrf = common::pre_session_token(&client, app).await;
        let name = if owner == "manager1" {
            "token:manager1"
        } else {
            "token:seller1"
        };
        out.push(Actor {
            name,
            kind: Kind::Token,
            person: Some(owner),
            client,
            csrf,
            bearer: Some(secret),
        });
    }
    let departed = &f.people["departed"];
    let (dead_cookie, dead_session) = app
        .store
        .create_session(&departed.org, &departed.id)
        .await
        .unwrap();
    let (dead_token, _) = app
        .store
        .create_token(&departed.org, &departed.id, "old")
        .await
        .unwrap();
    let off = coach_store::UserPatch {
        active: Some(false),
        ..Default::default()
    };
    app.store
        .update_user(&departed.org, &departed.id, off, None)
        .await
        .unwrap();
    let dead_client = client_with(app, Some(&dead_cookie)).await;
    let dead_csrf = common::pre_session_token(&dead_client, app).await;
    assert_ne!(dead_csrf, dead_session.csrf_token);
    out.push(Actor {
        name: "deactivated (old session)",
        kind: Kind::Nobody,
        person: None,
        client: dead_client,
        csrf: dead_csrf,
        bearer: None,
    });
    let client = client_with(app, None).await;
    let csrf = common::pre_session_token(&client, app).await;
    out.push(Actor {
        name: "deactivated (old token)",
        kind: Kind::Nobody,
        person: None,
        client,
        csrf,
        bearer: Some(dead_token),
    });
    let seller2 = &f.people["seller2"];
    let (revoked, tok) = app
        .store
        .create_token(&seller2.org, &seller2.id, "revoked")
        .await
        .unwrap();
    app.store
        .revoke_token(&seller2.org, &seller2.id, &tok.id)
        .await
        .unwrap();
    let client = client_with(app, None).await;
    let csrf = common::pre_session_token(&client, app).await;
    out.push(Actor {
        name: "revoked token",
        kind: Kind::Nobody,
        person: None,
        client,
        csrf,
        bearer: Some(revoked),
    });
    let client = client_with(app, None).await;
    let csrf = common::pre_session_token(&client, app).await;
    out.push(Actor {
        name: "anonymous",
        kind: Kind::Nobody,
        person: None,
        client,
        csrf,
        bearer: None,
    });
    out
}

/// Builds the request of one cell.
async fn request(
    app: &TestApp,
    f: &Fixture,
    actor: &Actor,
    method: &str,
    template: &str,
    target: &Target,
    serial: usize,
) -> RequestBuilder {
    let store = &app.store;
    let token_target = match target.key {
        "token-of-seller1" | "token-of-seller_b" => {
            let owner = &f.people[if target.key == "token-of-seller1" {
                "seller1"
            } else {
                "seller_b"
            }];
            Some(
                store
                    .create_token(&owner.org, &owner.id, "target")
                    .await
                    .unwrap()
                    .1
                    .id,
            )
        }
        _ => None,
    };
    if template == "/email/unsubscribe/{secret}" {
        let secret = match f.people.get(target.key) {
            Some(p) => store
                .unsubscribe_secret(&p.org, &p.id, coach_core::email::EmailKind::SessionReminder)
                .await
                .unwrap(),
            None => "not-an-unsubscribe-secret".to_owned(),
        };
        let url = app.url(&format!("/email/unsubscribe/{secret}"));
        return if method == "GET" {
            actor.client.get(url)
        } else {
            actor
                .client
                .post(url)
                .form(&[("List-Unsubscribe", "One-Click")])
        };
    }
    if template == "/calendar/{file}" {
        let secret = match f.people.get(target.key) {
            Some(p) => store.calendar_secret(&p.org, &p.id).await.unwrap(),
            None => "not-a-feed-secret-at-all".to_owned(),
        };
        return actor
            .client
            .get(app.url(&format!("/calendar/{secret}.ics")));
    }
    let id = match (&token_target, target.placement) {
        (Some(tid), _) => tid.clone(),
        (None, "path") if target.key.contains(':') => f.records[target.key].clone(),
        (None, "path") => f.id(target.key).to_owned(),
        (None, _) => f.id("victim").to_owned(),
    };
    let mut path = template
        .replace("{id}", &id)
        .replace("{seller_id}", &id)
        .replace(
            "{kind}",
            if template.starts_with("/settings/email/preview/") {
                "weekly_digest"
            } else {
                "account"
            },
        );
    for (param, prefix) in [
        ("{item_id}", "item"),
        ("{note_id}", "note"),
        ("{account_id}", "account"),
    ] {
        if template.contains(param) {
            path = path.replace(
                param,
                &f.records[&format!("{prefix}:{}", record_owner(target.key))],
            );
        }
    }
    if template.contains("{question_id}") {
        path = path.replace(
            "{question_id}",
            &f.records[&format!("question:{}", record_owner(target.key))],
        );
    }
    if target.placement == "query" {
        let param = if template.starts_with("/analytics/team") {
            "manager"
        } else if template == "/api/v1/users" {
            "manager_id"
        } else if matches!(
            template,
            "/api/v1/activities"
                | "/api/v1/sessions"
                | "/api/v1/action-items"
                | "/api/v1/call-plans"
        ) {
            "seller_id"
        } else if template == "/api/v1/feedback" {
            "manager_id"
        } else if template.starts_with("/api/") {
            "owner_id"
        } else {
            "owner"
        };
        path = format!("{path}?{param}={}", f.id(target.key));
    }
    let method: Method = method.parse().unwrap();
    let mut rb = actor.client.request(method.clone(), app.url(&path));
    if let Some(b) = &actor.bearer {
        rb = rb.bearer_auth(b);
    }
    if method == Method::GET {
        return rb;
    }
    let current =
        if target.placement == "path" && token_target.is_none() && !target.key.contains(':') {
            let p = &f.people[target.key];
            store.user(&p.org, &p.id).await.ok()
        } else {
            None
        };
    let unique_email = format!(
        "new{serial}@{}.test",
        if target.key == "seller_b" { "b" } else { "a" }
    );
    if template.starts_with("/api/") {
        if actor.kind == Kind::Session {
            rb = rb.header("x-csrf-token", &actor.csrf);
        }
        if method == Method::DELETE && template == "/api/v1/agenda-items/{id}" {
            rb = rb.header("if-match", "\"v999\"");
        }
        let today = chrono::Utc::now().date_naive().to_string();
        let body = match (template, target.placement) {
            ("/api/v1/results", _) => {
                json!({"name": format!("Matrix result {serial}"), "metric": "entered", "unit": "count"})
            }
            ("/api/v1/objectives", _) => {
                json!({"name": format!("Matrix objective {serial}"), "unit": "count", "drives": []})
            }
            ("/api/v1/activity-types", _) => {
                json!({"name": format!("Matrix type {serial}"), "group": "call", "drives": []})
            }
            (
                "/api/v1/results/{id}" | "/api/v1/objectives/{id}" | "/api/v1/activity-types/{id}",
                _,
            ) => {
                json!({"description": format!("Matrix {serial}")})
            }
            ("/api/v1/targets", _) => {
                json!({"measure_id": f.records["objective:a"], "period": "2026-11", "scope": "organization", "value": "50"})
            }
            ("/api/v1/values", _) => {
                json!({"measure_id": f.records["share:a"], "seller_id": f.id("seller1"), "period": "2026-11", "value": "3.5"})
            }
            ("/api/v1/activities", _) => {
                json!({"type_id": f.records["type:a"], "seller_id": f.id(target.key), "occurred_on": today})
            }
            ("/api/v1/activities/{id}/score", _) => json!({"levels": []}),
            ("/api/v1/call-plans", _) => {
                json!({"seller_id": f.id(target.key), "planned_for": today, "objective": "Matrix call"})
            }
            ("/api/v1/call-plans/{id}", _) => {
                json!({"planned_for": today, "objective": "Matrix call"})
            }
            ("/api/v1/call-plans/{id}/outcome", _) => {
                json!({"next_step_won": true, "outcome": "Matrix outcome"})
            }
            ("/api/v1/call-plans/{id}/feedback", _) => json!({"feedback": "Matrix feedback"}),
            ("/api/v1/opportunities/{id}/plan", _) => json!({"evidence": {"needs": "Matrix need"}}),
            ("/api/v1/opportunities/{id}/plan/stage", _) => json!({"stage": "identify_needs"}),
            ("/api/v1/opportunities/{id}/plan/negotiation", _) => json!({}),
            ("/api/v1/rhythm/preview" | "/api/v1/rhythm/apply", _) => {
                json!({"hours": 60, "day_start": "08:00", "day_end": "18:00", "months": 1, "coaching_days": ["mon"]})
            }
            ("/api/v1/email-preferences", _) => {
                json!({"kinds": [{"kind": "action_items", "on": true}]})
            }
            ("/api/v1/email-settings", _) => json!({"required": [], "prep_reminder_hours": 24}),
            ("/api/v1/cadence", _) => {
                json!({"kinds": [{"kind": "account", "every_weeks": 4, "minutes": 60}]})
            }
            ("/api/v1/territory-plans/{seller_id}", _) => json!({
                "scheme": {"criteria": [{"measure": "potential", "weight": 5}], "a_share": 20, "b_share": 30},
                "call_pattern": {"a": "2", "b": "1", "c": "0.3"}
            }),
            ("/api/v1/territory-plans/{seller_id}/tiers/{account_id}", _) => {
                json!({"tier": "a", "reason": "Matrix reason"})
            }
            ("/api/v1/sessions", _) => {
                json!({"kind": "account", "seller_id": f.id(target.key), "starts_at": (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339()})
            }
            ("/api/v1/sessions/{id}", _) => json!({"desired_outcome": "Matrix outcome"}),
            ("/api/v1/sessions/{id}/transitions", _) => json!({"to": "hold"}),
            ("/api/v1/sessions/{id}/focus", _) => json!({"focus": "strategic"}),
            ("/api/v1/accounts/{id}/plan", _) => json!({
                "assessment": "Matrix assessment",
                "people": [{"name": "Matrix Person", "role": "decision_maker", "stance": "neutral", "relationship": "good"}],
                "actions": [{"activity": "Matrix step", "status": "planned"}]
            }),
            ("/api/v1/sessions/{id}/prepared", _) => json!({"prep_minutes": 10}),
            ("/api/v1/sessions/{id}/agenda", _) => {
                json!({"section": "focus", "title": "Matrix item", "minutes": 0})
            }
            ("/api/v1/agenda-items/{id}", _) => json!({"decision": "Matrix decision"}),
            ("/api/v1/sessions/{id}/notes", _) => json!({"body": "matrix", "shared": false}),
            ("/api/v1/notes/{id}", _) => json!({"shared": false}),
            ("/api/v1/sessions/{id}/questions", _) => json!({"text": "Matrix question?"}),
            ("/api/v1/sessions/{id}/questions/{question_id}", _) => json!({"asked": true}),
            ("/api/v1/sessions/{id}/observation", _) => {
                json!({"checks": {"prepared": true}, "comment": ""})
            }
            ("/api/v1/sessions/{id}/feedback", _) => json!({"rating": 4, "would_pay": true}),
            ("/api/v1/action-items", _) => {
                json!({"session_id": f.records[target.key], "title": "Matrix next step", "due_on": (chrono::Utc::now().date_naive() + chrono::Duration::days(7)).to_string()})
            }
            ("/api/v1/action-items/{id}", _) => json!({"title": "Matrix action"}),
            ("/api/v1/coaching-settings", _) => {
                json!({"feedback_min_answers": 5, "prep_working_days": 2, "crm_fresh_days": 7, "deal_criteria": ""})
            }
            ("/api/v1/question-bank", _) => json!({"kind": "call", "text": "Matrix bank?"}),
            ("/api/v1/agenda-templates/{kind}", _) => {
                json!({"desired_outcome": "Matrix", "items": [
                {"section": "review", "title": "Review", "minutes": 5},
                {"section": "focus", "title": "Focus", "minutes": 20},
                {"section": "next_steps", "title": "Next", "minutes": 5}]})
            }
            ("/api/v1/users", _) => {
                json!({"email": unique_email, "name": format!("New {serial}"), "roles": ["seller"], "manager_id": f.id(target.key)})
            }
            (_, "body") => json!({"manager_id": f.id(target.key)}),
            _ => json!({"name": current.as_ref().map(|u| u.name.clone()).unwrap_or_default()}),
        };
        return rb.json(&body);
    }
    let mut form: Vec<(String, String)> = vec![("_csrf".into(), actor.csrf.clone())];
    match template {
        "/login" => form.extend([
            ("email".into(), "seller1@a.test".into()),
            ("password".into(), "not-the-password".into()),
        ]),
        "/profile" => {
            let me = actor.person.map(|p| &f.people[p]);
            let user = match me {
                Some(p) => store.user(&p.org, &p.id).await.ok(),
                None => None,
            };
            form.push((
                "name".into(),
                user.as_ref()
                    .map(|u| u.name.clone())
                    .unwrap_or_else(|| "X".into()),
            ));
            form.push((
                "time_zone".into(),
                user.map(|u| u.time_zone).unwrap_or_else(|| "UTC".into()),
            ));
        }
        "/profile/password" => form.extend([
            ("current".into(), "wrong-current".into()),
            ("new_password".into(), "new-password-1".into()),
            ("confirm".into(), "new-password-1".into()),
        ]),
        "/profile/tokens" => form.push(("name".into(), "matrix".into())),
        "/rhythm/apply" => form.extend([
            ("hours".into(), "60".into()),
            ("from".into(), "08:00".into()),
            ("to".into(), "18:00".into()),
            ("months".into(), "1".into()),
            ("day".into(), "mon".into()),
        ]),
        "/import/{id}" => form.push(("action".into(), "check".into())),
        "/model/targets" | "/model/targets/remove" => form.extend([
            ("period".into(), "2026-11".into()),
            ("measure_id".into(), f.records["objective:a"].clone()),
            ("scope".into(), "org".into()),
            ("value".into(), "50".into()),
        ]),
        "/model/values" => form.extend([
            ("period".into(), "2026-11".into()),
            ("measure_id".into(), f.records["share:a"].clone()),
            ("seller_id".into(), f.id("seller1").to_owned()),
            ("value".into(), "4.5".into()),
        ]),
        "/activities" => form.extend([
            ("type_id".into(), f.records["type:a"].clone()),
            ("seller_id".into(), f.id(target.key).to_owned()),
            (
                "occurred_on".into(),
                chrono::Utc::now().date_naive().to_string(),
            ),
        ]),
        "/call-plans" | "/call-plans/{id}" => form.extend([
            (
                "seller_id".into(),
                f.id(target.key.rsplit(':').next().unwrap_or(target.key))
                    .to_owned(),
            ),
            (
                "planned_for".into(),
                chrono::Utc::now().date_naive().to_string(),
            ),
            ("objective".into(), "Matrix call".into()),
        ]),
        "/call-plans/{id}/outcome" => form.extend([
            ("won".into(), "yes".into()),
            ("outcome".into(), "Matrix outcome".into()),
        ]),
        "/call-plans/{id}/feedback" => form.push(("feedback".into(), "Matrix feedback".into())),
        "/opportunities/{id}/plan" => form.push(("needs".into(), "Matrix need".into())),
        "/territory/{seller_id}" => form.extend([
            ("measure_0".into(), "potential".into()),
            ("weight_0".into(), "5".into()),
            ("a_share".into(), "20".into()),
            ("b_share".into(), "30".into()),
            ("calls_a".into(), "2".into()),
            ("calls_b".into(), "1".into()),
            ("calls_c".into(), "0.3".into()),
        ]),
        "/territory/{seller_id}/tiers/{account_id}" => form.extend([
            ("tier".into(), "a".into()),
            ("reason".into(), "Matrix reason".into()),
        ]),
        "/opportunities/{id}/plan/stage" => form.push(("stage".into(), "identify_needs".into())),
        "/settings/coaching/formal-plans" => form.extend([
            ("min_amount".into(), "50000".into()),
            ("currency".into(), "EUR".into()),
            ("min_importance".into(), "high".into()),
            ("min_complexity".into(), "high".into()),
            ("from_stage".into(), "identify_needs".into()),
        ]),
        "/sessions" => form.extend([
            ("seller_id".into(), f.id(target.key).to_owned()),
            ("kind".into(), "account".into()),
            (
                "day".into(),
                (chrono::Utc::now().date_naive() + chrono::Duration::days(4)).to_string(),
            ),
            ("time".into(), "10:00".into()),
        ]),
        "/sessions/{id}/status" => form.push(("to".into(), "hold".into())),
        "/sessions/{id}/plan" => form.push(("desired_outcome".into(), "Matrix outcome".into())),
        "/sessions/{id}/phase" => form.push(("phase".into(), "seeking".into())),
        "/sessions/{id}/focus" => form.push(("focus".into(), "tactical".into())),
        "/accounts/{id}/plan" => form.extend([
            ("assessment".into(), "Matrix assessment".into()),
            ("person_name_0".into(), "Matrix Person".into()),
            ("person_role_0".into(), "influencer".into()),
            ("person_stance_0".into(), "neutral".into()),
            ("person_relationship_0".into(), "weak".into()),
        ]),
        "/sessions/{id}/questions" => form.push(("text".into(), "Matrix question?".into())),
        "/sessions/{id}/questions/{question_id}" => form.push(("action".into(), "asked".into())),
        "/sessions/{id}/agenda" => form.extend([
            ("section".into(), "focus".into()),
            ("title".into(), "Matrix item".into()),
            ("minutes".into(), "0".into()),
        ]),
        "/sessions/{id}/agenda/{item_id}" => form.extend([
            ("action".into(), "decide".into()),
            ("decision".into(), "Matrix decision".into()),
        ]),
        "/sessions/{id}/notes" => form.push(("body".into(), "matrix".into())),
        "/sessions/{id}/notes/{note_id}" => form.push((
            "body".into(),
            format!("private zqnote{}x", record_owner(target.key)),
        )),
        "/sessions/{id}/prepared" => form.push(("prep_minutes".into(), "10".into())),
        "/sessions/{id}/observer" => form.push(("action".into(), "join".into())),
        "/sessions/{id}/observation" => form.extend([
            ("check_prepared".into(), "yes".into()),
            ("comment".into(), String::new()),
        ]),
        "/sessions/{id}/feedback" => form.extend([
            ("rating".into(), "4".into()),
            ("would_pay".into(), "yes".into()),
        ]),
        "/sessions/{id}/action-items" => form.extend([
            ("title".into(), "Matrix next step".into()),
            (
                "due_on".into(),
                (chrono::Utc::now().date_naive() + chrono::Duration::days(7)).to_string(),
            ),
        ]),
        "/action-items/{id}" => form.push(("status".into(), "open".into())),
        "/settings/email" => form.extend([
            ("prep_reminder_hours".into(), "24".into()),
            ("required_invitation".into(), "1".into()),
        ]),
        "/settings/coaching" => form.extend([
            ("feedback_min_answers".into(), "5".into()),
            ("prep_working_days".into(), "2".into()),
            ("crm_fresh_days".into(), "7".into()),
            ("deal_criteria".into(), String::new()),
            ("band_low_hours".into(), "2".into()),
            ("band_high_hours".into(), "6".into()),
        ]),
        "/settings/coaching/questions" => form.extend([
            ("kind".into(), "call".into()),
            ("text".into(), "Matrix bank?".into()),
        ]),
        "/settings/coaching/templates" => form.extend([
            ("kind".into(), "call".into()),
            ("desired_outcome".into(), "Matrix".into()),
            (
                "items".into(),
                "review | Review | 5\nfocus | Focus | 20\nnext_steps | Next | 5".into(),
            ),
        ]),
        "/settings/stages" | "/settings/stages/remove" => {
            form.extend([
                ("crm_stage".into(), "Matrix Stage".into()),
                ("stage".into(), "assess_solutions".into()),
            ]);
        }
        "/people" => form.extend([
            ("name".into(), format!("New {serial}")),
            ("email".into(), unique_email),
            ("role".into(), "seller".into()),
            ("manager_id".into(), f.id(target.key).to_owned()),
            ("time_zone".into(), "UTC".into()),
            ("password".into(), "first-password".into()),
        ]),
        "/people/{id}" => {
            if let Some(u) = &current {
                form.push(("name".into(), u.name.clone()));
                form.push(("email".into(), u.email.clone()));
                for r in u.roles.names() {
                    form.push(("role".into(), r.to_owned()));
                }
                form.push((
                    "manager_id".into(),
                    u.manager_id.clone().unwrap_or_default(),
                ));
                form.push(("time_zone".into(), u.time_zone.clone()));
            }
        }
        _ => {}
    }
    rb.form(&form)
}

/// Sessions for T1: one per seller, led by their manager, opened, with an
/// agenda item, an action item, a prepared question, an observation (org A)
/// and a private note by each side carrying a canary only its author may see.
/// Returns the note canaries with their authors.
async fn coaching_fixture(app: &TestApp, f: &mut Fixture) -> Vec<(String, &'static str)> {
    use coach_store::coaching::{NewActionItem, NewSession, Transition};
    let store = &app.store;
    let mut canaries = Vec::new();
    for seller in ["seller1", "victim", "seller3", "seller4", "seller_b"] {
        let manager = manager_of(seller);
        let org = f.people[seller].org.clone();
        let s = store
            .create_coaching_session(
                &org,
                NewSession {
                    kind: coach_core::coaching::SessionKind::Account,
                    manager_id: f.id(manager).to_owned(),
                    seller_id: f.id(seller).to_owned(),
                    starts_at: chrono::Utc::now() + chrono::Duration::days(2),
                    minutes: None,
                    ad_hoc: false,
                    series_id: None,
                    desired_outcome: None,
                },
                f.id(manager),
            )
            .await
            .unwrap();
        let q = store
            .prepare_question(&org, &s.id, "What changed?", true)
            .await
            .unwrap();
        store
            .transition(&org, &s.id, None, Transition::Open)
            .await
            .unwrap();
        let item = store
            .agenda(&org, &s.id)
            .await
            .unwrap()
            .into_iter()
            .find(|i| i.section == coach_core::coaching::Section::Focus)
            .unwrap();
        let action = store
            .create_action_item(
                &org,
                NewActionItem {
                    session_id: s.id.clone(),
                    owner_id: None,
                    title: "Send the plan".into(),
                    subject: None,
                    due_on: chrono::Utc::now().date_naive() + chrono::Duration::days(5),
                },
                f.id(seller),
            )
            .await
            .unwrap();
        let mine = format!("zqnote{seller}x");
        let note = store
            .add_note(&org, &s.id, f.id(seller), &format!("private {mine}"), false)
            .await
            .unwrap();
        let theirs = format!("zqnote{manager}on{seller}x");
        store
            .add_note(
                &org,
                &s.id,
                f.id(manager),
                &format!("private {theirs}"),
                false,
            )
            .await
            .unwrap();
        canaries.push((mine, seller));
        canaries.push((theirs, manager));
        if let Some(director) = director_over(manager) {
            store
                .set_observer(&org, &s.id, Some(f.id(director)))
                .await
                .unwrap();
            let checks = std::collections::BTreeMap::from([("prepared".to_owned(), true)]);
            store
                .file_observation(&org, &s.id, f.id(director), &checks, "Good questions")
                .await
                .unwrap();
            store.set_observer(&org, &s.id, None).await.unwrap();
        }
        f.records.insert(format!("session:{seller}"), s.id);
        f.records.insert(format!("item:{seller}"), item.id);
        f.records.insert(format!("action:{seller}"), action.id);
        f.records.insert(format!("note:{seller}"), note.id);
        f.records.insert(format!("question:{seller}"), q.id);
        let deal = f.records[&format!("opportunity:{seller}")].clone();
        let plan = store
            .create_call_plan(
                &org,
                coach_store::call_plans::NewCallPlan {
                    seller_id: f.id(seller).to_owned(),
                    opportunity_id: Some(deal),
                    session_id: None,
                    planned_for: chrono::Utc::now().date_naive(),
                    text: coach_store::call_plans::PlanText {
                        objective: "Agree the criteria".into(),
                        ..Default::default()
                    },
                },
                f.id(seller),
            )
            .await
            .unwrap();
        store
            .record_call_outcome(&org, &plan.id, true, "They agreed", None)
            .await
            .unwrap();
        f.records.insert(format!("plan:{seller}"), plan.id);
    }
    for (key, org) in [("bank:a", f.org_a.clone()), ("bank:b", f.org_b.clone())] {
        let q = store
            .add_question(
                &org,
                coach_core::coaching::SessionKind::Call,
                None,
                true,
                "Matrix bank question?",
            )
            .await
            .unwrap();
        f.records.insert(key.to_owned(), q.id);
    }
    canaries
}

/// Puts back a row an allowed DELETE cell removed, with the same id.
async fn revive(app: &TestApp, f: &Fixture, template: &str, target: &Target) {
    let now = "2026-01-01T00:00:00.000000Z";
    let sql = match template {
        "/api/v1/notes/{id}" | "/sessions/{id}/notes/{note_id}" => {
            let seller = record_owner(target.key);
            let p = &f.people[seller];
            format!(
                "INSERT INTO session_notes (org_id, id, session_id, author_id, shared, body, version, created_at, updated_at) \
                 SELECT '{org}', '{id}', '{session}', '{author}', 0, 'private zqnote{seller}x', 1, '{now}', '{now}' \
                 WHERE NOT EXISTS (SELECT 1 FROM session_notes WHERE org_id = '{org}' AND id = '{id}')",
                org = p.org,
                id = f.records[&format!("note:{seller}")],
                session = f.records[&format!("session:{seller}")],
                author = p.id,
            )
        }
        "/api/v1/sessions/{id}/questions/{question_id}"
        | "/sessions/{id}/questions/{question_id}" => {
            let seller = record_owner(target.key);
            format!(
                "INSERT INTO session_questions (org_id, id, session_id, position, text, open_ended, asked, created_at) \
                 SELECT '{org}', '{id}', '{session}', 1, 'What changed?', 1, 0, '{now}' \
                 WHERE NOT EXISTS (SELECT 1 FROM session_questions WHERE org_id = '{org}' AND id = '{id}')",
                org = f.people[seller].org,
                id = f.records[&format!("question:{seller}")],
                session = f.records[&format!("session:{seller}")],
            )
        }
        "/api/v1/question-bank/{id}" | "/settings/coaching/questions/{id}/delete" => {
            let org = if target.key == "bank:a" {
                &f.org_a
            } else {
                &f.org_b
            };
            format!(
                "INSERT INTO question_bank (org_id, id, kind, stage, open_ended, text, position, created_at) \
                 SELECT '{org}', '{id}', 'call', NULL, 1, 'Matrix bank question?', 999, '{now}' \
                 WHERE NOT EXISTS (SELECT 1 FROM question_bank WHERE org_id = '{org}' AND id = '{id}')",
                id = f.records[target.key],
            )
        }
        _ => return,
    };
    app.store.execute_raw(&sql).await.unwrap();
}

/// Puts back what an allowed cell changed, so cells stay independent.
async fn restore(app: &TestApp, f: &Fixture, template: &str, target: &Target) {
    if matches!(
        template,
        "/api/v1/sessions/{id}/observer" | "/sessions/{id}/observer"
    ) {
        let seller = record_owner(target.key);
        app.store
            .set_observer(&f.people[seller].org, &f.records[target.key], None)
            .await
            .unwrap();
    }
    if template.ends_with("/deactivate") || template.ends_with("/reactivate") {
        let p = &f.people[target.key];
        let on = coach_store::UserPatch {
            active: Some(true),
            ..Default::default()
        };
        app.store
            .update_user(&p.org, &p.id, on, None)
            .await
            .unwrap();
    }
}

async fn prepare(app: &TestApp, f: &Fixture, template: &str, target: &Target) {
    revive(app, f, template, target).await;
    if matches!(
        template,
        "/api/v1/sessions/{id}/observer" | "/sessions/{id}/observer"
    ) {
        let seller = record_owner(target.key);
        let director = director_over(manager_of(seller)).map(|d| f.id(d).to_owned());
        app.store
            .set_observer(
                &f.people[seller].org,
                &f.records[target.key],
                director.as_deref(),
            )
            .await
            .unwrap();
    }
    if template == "/model/targets/remove" {
        let november: coach_core::roa::Period = "2026-11".parse().unwrap();
        app.store
            .set_target(
                &f.org_a,
                &f.records["objective:a"],
                november,
                coach_store::roa::TargetScope::Organization,
                "50",
                f.id("admin"),
            )
            .await
            .unwrap();
    }
    if template == "/settings/stages/remove" {
        for org in [&f.org_a, &f.org_b] {
            app.store
                .set_crm_stage(
                    org,
                    "Matrix Stage",
                    coach_core::crm::BuyingStage::IdentifyNeeds,
                )
                .await
                .unwrap();
        }
    }
    if template.ends_with("/reactivate") {
        let p = &f.people[target.key];
        let off = coach_store::UserPatch {
            active: Some(false),
            ..Default::default()
        };
        app.store
            .update_user(&p.org, &p.id, off, None)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn every_route_answers_every_actor_as_the_oracle_says_and_leaks_no_canary() {
    let app = TestApp::spawn().await;
    let mut f = seed(&app).await;
    for (key, org, owner) in [
        ("upload:a", &f.org_a, "seller1@a.test"),
        ("upload:b", &f.org_b, "seller-b@b.test"),
    ] {
        let admin = if key == "upload:a" {
            "admin"
        } else {
            "admin_b"
        };
        let csv = format!("source_id,name,owner\nU-1,Uploaded account,{owner}\n");
        let id = app
            .store
            .save_upload(
                org,
                &f.people[admin].id,
                "accounts",
                "accounts.csv",
                csv.as_bytes(),
            )
            .await
            .unwrap();
        f.records.insert(key.to_owned(), id);
    }
    let note_canaries = coaching_fixture(&app, &mut f).await;
    let rules = rules();
    let served: BTreeSet<(String, String)> = coach_web::route_list().into_iter().collect();
    let covered: BTreeSet<(String, String)> = rules
        .keys()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    let missing: Vec<_> = served.difference(&covered).collect();
    let stale: Vec<_> = covered.difference(&served).collect();
    assert!(
        missing.is_empty(),
        "routes with no row in the oracle: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "oracle rows for routes that do not exist: {stale:?}"
    );

    let actors = actors(&app, &f).await;
    let canaries: BTreeMap<&str, &str> = f
        .people
        .iter()
        .map(|(k, p)| (p.canary.as_str(), *k))
        .collect();
    let mut cells = 0usize;
    let mut wrong = Vec::new();
    let mut leaks = Vec::new();
    let mut serial = 0usize;
    // Sign-out ends the session, so its cells run last.
    let mut order: Vec<_> = rules.iter().collect();
    order.sort_by_key(|((m, p), _)| (*m == "POST" && *p == "/logout", *p, *m));
    for ((method, template), rule) in order {
        for target in &rule.targets {
            for actor in &actors {
                serial += 1;
                prepare(&app, &f, template, target).await;
                let response = request(&app, &f, actor, method, template, target, serial)
                    .await
                    .send()
                    .await
                    .unwrap();
                let got = classify(&response);
                let expected = (rule.expect)(actor, target);
                cells += 1;
                if got != expected {
                    wrong.push(format!("{method} {template} [{} in {}] as {}: expected {expected:?}, got {got:?} ({})", target.key, target.placement, actor.name, response.status()));
                }
                if response.status() == StatusCode::OK {
                    let body = response.text().await.unwrap_or_default();
                    // A feed shows what its owner may see, whoever reads it.
                    let viewer = if *template == "/calendar/{file}" {
                        f.people.get_key_value(target.key).map(|(k, _)| *k)
                    } else {
                        actor.person.filter(|_| actor.kind != Kind::Nobody)
                    };
                    let allowed: BTreeSet<&str> = match viewer {
                        // Besides those below: the people above them, who
                        // coach or observe them and show in their sessions.
                        Some(p) => visible(p)
                            .into_iter()
                            .chain(own_manager(p))
                            .chain(own_manager(p).and_then(director_over))
                            .collect(),
                        None => BTreeSet::new(),
                    };
                    for (canary, owner) in &canaries {
                        if body.contains(canary) && !allowed.contains(owner) {
                            leaks.push(format!(
                                "{method} {template} [{}] as {} shows {owner}",
                                target.key, actor.name
                            ));
                        }
                    }
                    let me = viewer;
                    for (canary, author) in &note_canaries {
                        if body.contains(canary.as_str()) && me != Some(*author) {
                            leaks.push(format!(
                                "{method} {template} [{}] as {} shows {author}'s private note",
                                target.key, actor.name
                            ));
                        }
                    }
                }
                restore(&app, &f, template, target).await;
            }
        }
    }
    println!(
        "T1: {cells} cells ({} routes × {} actors × their targets); {} wrong; {} leaked canaries",
        rules.len(),
        actors.len(),
        wrong.len(),
        leaks.len()
    );
    assert!(
        wrong.is_empty(),
        "{} wrong cells:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert!(
        leaks.is_empty(),
        "{} leaked canaries:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
}
