//! The rhythm planner's questions and answers, shared by the planner page
//! and the API (coaching-model R10–R19): what a manager asks, from a form,
//! a query or JSON over their saved settings; the plan it gives; applying
//! it.

use crate::auth::Actor;
use crate::error::AppError;
use crate::state::AppState;
use chrono::{NaiveTime, Weekday};
use coach_core::coaching::SessionKind;
use coach_core::rhythm::{Plan, plan};
use coach_store::rhythm::{RhythmAsk, RhythmSettings};
use coach_store::series::Applied;

pub(crate) const DAYS: [(Weekday, &str, &str); 5] = [
    (Weekday::Mon, "mon", "Mon"),
    (Weekday::Tue, "tue", "Tue"),
    (Weekday::Wed, "wed", "Wed"),
    (Weekday::Thu, "thu", "Thu"),
    (Weekday::Fri, "fri", "Fri"),
];

/// The page's question: its query's answers, else the saved settings.
pub(crate) struct Asked {
    pub(crate) hours: u32,
    pub(crate) from: NaiveTime,
    pub(crate) to: NaiveTime,
    pub(crate) months: u32,
    pub(crate) weekly_calls: bool,
    pub(crate) days: Vec<Weekday>,
    pub(crate) cuts: Vec<SessionKind>,
    pub(crate) error: Option<String>,
}

pub(crate) fn asked(query: &[(String, String)], saved: &RhythmSettings) -> Asked {
    let submitted = query.iter().any(|(k, _)| k == "hours");
    let mut a = Asked {
        hours: (saved.minutes / 60).clamp(1, 60),
        from: saved.day.0,
        to: saved.day.1,
        months: 3,
        weekly_calls: saved.weekly_calls && !submitted,
        days: if submitted {
            Vec::new()
        } else {
            saved.coaching_days.clone()
        },
        cuts: Vec::new(),
        error: None,
    };
    let mut bad = |m: &str| {
        if a.error.is_none() {
            a.error = Some(m.to_owned());
        }
    };
    for (k, v) in query {
        match k.as_str() {
            "hours" => match v.trim().parse() {
                Ok(h) if (1..=60).contains(&h) => a.hours = h,
                _ => bad("Hours a week: expected 1 to 60."),
            },
            "months" => match v.trim().parse() {
                Ok(m) if (1..=12).contains(&m) => a.months = m,
                _ => bad("Months: expected 1 to 12."),
            },
            "from" | "to" => match NaiveTime::parse_from_str(v.trim(), "%H:%M") {
                Ok(t) if k == "from" => a.from = t,
                Ok(t) => a.to = t,
                Err(_) => bad("The working day: expected times such as 09:00 and 17:00."),
            },
            "calls" => a.weekly_calls = v == "weekly",
            "day" => match DAYS.iter().find(|(_, code, _)| code == v) {
                Some((d, _, _)) if !a.days.contains(d) => a.days.push(*d),
                Some(_) => {}
                None => bad("Coaching days: expected Monday to Friday."),
            },
            "cut" => match v.parse::<SessionKind>() {
                Ok(kind) if a.cuts.len() < 12 => a.cuts.push(kind),
                Ok(_) => bad("At most 12 cuts."),
                Err(_) => bad("That cut is not one the planner offers."),
            },
            _ => {}
        }
    }
    if a.from >= a.to {
        bad("The working day must end after it starts.");
        a.from = NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default();
        a.to = NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default();
    }
    a
}

/// The answers as fields, with these cuts.
pub(crate) fn fields(a: &Asked, cuts: &[SessionKind]) -> Vec<(String, String)> {
    let mut q = vec![
        ("hours".to_owned(), a.hours.to_string()),
        ("from".to_owned(), a.from.format("%H:%M").to_string()),
        ("to".to_owned(), a.to.format("%H:%M").to_string()),
        ("months".to_owned(), a.months.to_string()),
    ];
    if a.weekly_calls {
        q.push(("calls".to_owned(), "weekly".to_owned()));
    }
    for (d, code, _) in DAYS {
        if a.days.contains(&d) {
            q.push(("day".to_owned(), code.to_owned()));
        }
    }
    for c in cuts {
        q.push(("cut".to_owned(), c.as_str().to_owned()));
    }
    q
}

/// The settings these answers make, over the saved ones.
pub(crate) fn settings_of(a: &Asked, saved: &RhythmSettings) -> RhythmSettings {
    RhythmSettings {
        day: (a.from, a.to),
        minutes: a.hours * 60,
        coaching_days: a.days.clone(),
        weekly_calls: a.weekly_calls,
        ..saved.clone()
    }
}

pub(crate) type Planned = (
    Result<Plan, coach_core::rhythm::Refusal>,
    coach_core::rhythm::Input,
    std::collections::BTreeMap<String, String>,
);

/// The planner's input and its answer for these answers; `None` without a team.
pub(crate) async fn planned(
    state: &AppState,
    actor: &Actor,
    a: &Asked,
    saved: &RhythmSettings,
) -> Result<Option<Planned>, AppError> {
    let ask = RhythmAsk {
        start: None,
        weeks: (a.months * 52).div_ceil(12),
        settings: settings_of(a, saved),
        cuts: a.cuts.clone(),
    };
    let input = state
        .store()
        .rhythm_input(&actor.org.id, &actor.user, &ask)
        .await?;
    Ok(input.map(|(input, names)| (plan(&input), input, names)))
}

pub(crate) async fn saved(state: &AppState, actor: &Actor) -> Result<RhythmSettings, AppError> {
    Ok(state
        .store()
        .rhythm_settings(&actor.org.id, &actor.user.id)
        .await?)
}

/// Applies the plan these answers make and saves them as the manager's
/// settings; or says, as a manager reads it, why nothing was applied.
pub(crate) async fn apply_asked(
    state: &AppState,
    actor: &Actor,
    a: &Asked,
    saved: &RhythmSettings,
) -> Result<Result<Applied, String>, AppError> {
    match planned(state, actor, a, saved).await? {
        None => Ok(Err(
            "No sellers report to you, so there is no rhythm to apply.".to_owned(),
        )),
        Some((Err(_), _, _)) => Ok(Err(
            "This plan does not fit, so nothing was applied: accept a cut or give more hours."
                .to_owned(),
        )),
        Some((Ok(p), input, _)) => {
            let done = state
                .store()
                .apply_rhythm(
                    &actor.org.id,
                    &actor.user.id,
                    input.availability.time_zone,
                    &p,
                    &actor.user.id,
                    chrono::Utc::now(),
                )
                .await?;
            state
                .store()
                .set_rhythm_settings(&actor.org.id, &actor.user.id, &settings_of(a, saved))
                .await?;
            Ok(Ok(done))
        }
    }
}

/// The most a calendar read from a URL may weigh.
const CALENDAR_LIMIT: usize = 5 * 1024 * 1024;

/// Whether an address is in this server's own network.
fn private(ip: std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.octets()[0] == 100 && (64..128).contains(&v4.octets()[1])
        }
        std::net::IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
                || v6
                    .to_ipv4_mapped()
                    .is_some_and(|v4| private(std::net::IpAddr::V4(v4)))
        }
    }
}

/// Reads a calendar (events or free/busy) from a manager's URL: `http` or
/// `https`, at most 5 MB, 10 seconds, no redirects, and (unless the server
/// allows it) not into its own network; the address checked is the one
/// connected to. Says what went wrong as a manager reads it.
pub(crate) async fn read_calendar_url(state: &AppState, raw: &str) -> Result<String, String> {
    let url = reqwest::Url::parse(raw.trim())
        .map_err(|_| "That is not a web address: expected one starting with https://".to_owned())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("Expected an address starting with https:// (or http://).".to_owned());
    }
    let port = url.port_or_known_default().unwrap_or(443);
    let named = url
        .host_str()
        .ok_or_else(|| "That address has no host.".to_owned())?;
    let host = named
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let addrs: Vec<std::net::SocketAddr> = match host.parse::<std::net::IpAddr>() {
        Ok(ip) => vec![(ip, port).into()],
        Err(_) => tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|_| format!("{host} could not be found."))?
            .collect(),
    };
    let Some(addr) = addrs.first().copied() else {
        return Err(format!("{host} could not be found."));
    };
    if !state.config().allow_private_calendar_urls && addrs.iter().any(|a| private(a.ip())) {
        return Err(
            "That address is inside this server's own network, which Coach does not read."
                .to_owned(),
        );
    }
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .resolve(&host, addr)
        .build()
        .map_err(|_| "Coach could not read calendars just now.".to_owned())?;
    let mut response = client
        .get(url)
        .header(reqwest::header::ACCEPT, "text/calendar")
        .send()
        .await
        .map_err(|e| {
            if e.is_timeout() {
                "The calendar did not answer within 10 seconds.".to_owned()
            } else {
                "The calendar could not be reached.".to_owned()
            }
        })?;
    let status = response.status();
    if status.is_redirection() {
        return Err("That address sends Coach elsewhere: give the address it leads to.".to_owned());
    }
    if !status.is_success() {
        return Err(format!(
            "The calendar answered {status}: check the address, and that it is shared."
        ));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|_| "The calendar stopped answering part way.".to_owned())?
    {
        if body.len() + chunk.len() > CALENDAR_LIMIT {
            return Err("That calendar is over 5 MB; share a shorter range.".to_owned());
        }
        body.extend_from_slice(&chunk);
    }
    String::from_utf8(body).map_err(|_| "The calendar is not UTF-8 text.".to_owned())
}

/// The managers with sellers: the teams a policy can be set for.
pub(crate) async fn teams(
    state: &AppState,
    actor: &Actor,
) -> Result<Vec<(String, String)>, AppError> {
    let people = state
        .store()
        .users(
            &actor.org.id,
            &coach_store::UserFilter {
                active: Some(true),
                ..coach_store::UserFilter::default()
            },
        )
        .await?;
    let leads: std::collections::BTreeSet<&str> = people
        .iter()
        .filter(|u| u.roles.has(coach_core::Role::Seller))
        .filter_map(|u| u.manager_id.as_deref())
        .collect();
    let mut out: Vec<(String, String)> = people
        .iter()
        .filter(|u| leads.contains(u.id.as_str()))
        .map(|u| (u.id.clone(), u.name.clone()))
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}
