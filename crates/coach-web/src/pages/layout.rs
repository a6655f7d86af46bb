//! The page shell (navigation by role, the signed-in person, the sign-out
//! form) and small helpers shared by the page views.

use crate::auth::Actor;
use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use coach_core::Role;

/// One link of the main navigation.
#[derive(Debug, Clone)]
pub(crate) struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

/// What the layout of every signed-in page shows.
#[derive(Debug, Clone)]
pub(crate) struct Shell {
    pub user_name: String,
    pub initials: String,
    pub org_name: String,
    pub nav: Vec<NavItem>,
    pub csrf: String,
    pub notice: Option<&'static str>,
    pub on_profile: bool,
    pub email_enabled: bool,
    /// Whether the scorecard tabs offer the team view (leaders and admins).
    pub nav_team: bool,
    /// Whether the scorecard tabs offer the person's own scorecard (sellers).
    pub nav_mine: bool,
    /// Whether the person is an admin (settings tabs).
    pub is_admin: bool,
    /// Whether the person leads people (the rhythm planner's tab).
    pub leads: bool,
}

impl Shell {
    /// The shell for `actor` on the page at `current` (a nav href).
    pub(crate) fn new(actor: &Actor, current: &str, email_enabled: bool) -> Shell {
        let roles = &actor.user.roles;
        let mut nav = vec![NavItem {
            href: "/",
            label: "Home",
            active: current == "/",
        }];
        if roles.has(Role::Admin) || roles.leads() {
            let label = if roles.has(Role::Admin) {
                "People"
            } else {
                "My people"
            };
            nav.push(NavItem {
                href: "/people",
                label,
                active: current == "/people",
            });
            nav.push(NavItem {
                href: "/teams",
                label: "Teams",
                active: current == "/teams",
            });
        }
        nav.push(NavItem {
            href: "/sessions",
            label: "Coaching",
            active: current == "/sessions",
        });
        nav.push(NavItem {
            href: "/scorecard",
            label: "Scorecard",
            active: current == "/scorecard",
        });
        nav.push(NavItem {
            href: "/analytics",
            label: "Analytics",
            active: current == "/analytics",
        });
        for (href, label) in [
            ("/accounts", "Accounts"),
            ("/opportunities", "Opportunities"),
            ("/calls", "Calls"),
        ] {
            nav.push(NavItem {
                href,
                label,
                active: current == href,
            });
        }
        if roles.has(Role::Admin) {
            nav.push(NavItem {
                href: "/settings/stages",
                label: "Settings",
                active: current == "/settings",
            });
        }
        Shell {
            user_name: actor.user.name.clone(),
            initials: initials(&actor.user.name),
            org_name: actor.org.name.clone(),
            nav,
            csrf: actor.csrf_token.clone().unwrap_or_default(),
            notice: None,
            on_profile: current == "/profile",
            email_enabled,
            nav_team: roles.has(Role::Admin) || roles.leads(),
            nav_mine: roles.has(Role::Seller),
            is_admin: roles.has(Role::Admin),
            leads: roles.leads(),
        }
    }

    /// Shows a fixed notice (never text from the request).
    pub(crate) fn with_notice(mut self, notice: Option<&'static str>) -> Shell {
        self.notice = notice;
        self
    }
}

/// The `?notice=` of a page reached by a redirect. Its value only selects one
/// of the page's fixed messages; it is never shown.
#[derive(Debug, serde::Deserialize, Default)]
pub(crate) struct NoticeQuery {
    #[serde(default)]
    pub notice: String,
}

/// "must be …" → "Must be …", for messages shown as sentences.
pub(crate) fn sentence(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// "Ana Lopez" → "AL".
pub(crate) fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .flat_map(char::to_uppercase)
        .collect()
}

/// The first word of a name.
pub(crate) fn first_name(name: &str) -> String {
    name.split_whitespace().next().unwrap_or(name).to_owned()
}

/// A date for people: "26 Nov 2026".
pub(crate) fn day(t: DateTime<Utc>) -> String {
    t.format("%-d %b %Y").to_string()
}

/// An instant for people, in their time zone: "3 Nov 2026, 15:00".
pub(crate) fn moment(t: DateTime<Utc>, time_zone: &str) -> String {
    let tz: chrono_tz::Tz = time_zone.parse().unwrap_or(chrono_tz::UTC);
    t.with_timezone(&tz).format("%-d %b %Y, %H:%M").to_string()
}

/// A calendar date for people: "31 Jan 2027".
pub(crate) fn date(d: chrono::NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

/// An exact amount for people, grouped in thousands: "EUR 12,500.00".
pub(crate) fn money(amount: &str, currency: Option<&str>) -> String {
    let (sign, digits) = match amount.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", amount),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let number = if fraction.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{fraction}")
    };
    match currency {
        Some(c) => format!("{c} {number}"),
        None => number,
    }
}

/// Role names and labels for pills: `("manager", "Manager")`.
pub(crate) fn role_pills(roles: &coach_core::Roles) -> Vec<(&'static str, &'static str)> {
    roles.iter().map(|r| (r.as_str(), r.label())).collect()
}

/// A handful of common time zones offered in forms (any IANA name is accepted).
pub(crate) const COMMON_ZONES: &[&str] = &[
    "UTC",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Amsterdam",
    "Europe/Stockholm",
    "Europe/Warsaw",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "America/Sao_Paulo",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Australia/Sydney",
];

/// Renders a template as an HTML response with `status`.
/// What a plan's page says when a save was made against an older version.
pub(crate) const PLAN_CHANGED: &str =
    "Someone changed this plan while you were editing. Here is the latest; make your change again.";

/// A form's page: 422 when it shows why the last submission was refused,
/// 200 otherwise.
pub(crate) fn form_page<T: Template>(view: &T, refused: bool) -> Response {
    let status = if refused {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    html(status, view)
}

pub(crate) fn html<T: Template>(status: StatusCode, view: &T) -> Response {
    match view.render() {
        Ok(body) => {
            let mut r = (status, body).into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            r
        }
        Err(e) => crate::error::AppError::Internal(format!("template: {e}")).into_response(),
    }
}

/// The error page (standalone: it must render even when nothing else works).
#[derive(Template)]
#[template(path = "error.html")]
pub(crate) struct ErrorPage {
    pub title: &'static str,
    pub message: String,
    pub status: u16,
}
