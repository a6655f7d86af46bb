//! Writing a queued message from the records as they are when it is sent:
//! a session moved twice before its invitation went out is sent at its
//! latest time; a reminder for a session already prepared is dropped.

use super::letter::{Letter, Line, Section};
use crate::error::AppError;
use crate::pages::calendar::{agenda_text, calendar_of, session_event, session_url};
use crate::state::AppState;
use chrono::{DateTime, Datelike as _, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use coach_core::Role;
use coach_core::coaching::{ActionStatus, SessionStatus, kept_rate};
use coach_core::email::{EmailKind, WorkingHours, first_working_day_of_week};
use coach_core::ical::{Event, Method, Occurrence, Party, invitation};
use coach_core::stats::Rate;
use coach_store::User;
use coach_store::coaching::{ActionFilter, ActionItem, Session, SessionFilter};
use coach_store::email::Queued;

/// What to do with a queued message.
#[derive(Debug)]
pub(crate) enum Composed {
    /// Send this.
    Send(Box<Letter>),
    /// Give it up, for this reason.
    Drop(&'static str),
}

fn link(state: &AppState, path: &str) -> String {
    format!("{}{path}", state.config().base_url.trim_end_matches('/'))
}

fn tz_of(user: &User) -> Tz {
    user.time_zone.parse().unwrap_or(chrono_tz::UTC)
}

/// "Tue 1 Dec, 10:00".
pub(crate) fn when(tz: Tz, at: DateTime<Utc>) -> String {
    at.with_timezone(&tz).format("%a %-d %b, %H:%M").to_string()
}

/// The first instant of a local day.
fn start_of(tz: Tz, day: NaiveDate) -> DateTime<Utc> {
    WorkingHours::nine_to_five(tz).at(day, chrono::NaiveTime::MIN)
}

/// "Tue 1 Dec".
fn day(d: NaiveDate) -> String {
    d.format("%a %-d %b").to_string()
}

/// "Tue 1 Dec, 10:00–11:00 (Europe/Berlin)".
fn span(tz: Tz, s: &Session) -> String {
    format!(
        "{}–{} ({})",
        when(tz, s.starts_at),
        s.ends_at().with_timezone(&tz).format("%H:%M"),
        tz.name()
    )
}

/// A rate with its sample and interval, or "not enough data yet" (R45).
pub(crate) fn rate_text(rate: Rate, of: &str) -> String {
    if !rate.enough_data() {
        return format!(
            "not enough data yet ({} {of}; at least {} are needed)",
            rate.n,
            coach_core::stats::MIN_SAMPLE
        );
    }
    let (low, high) = rate.interval().unwrap_or((0.0, 0.0));
    format!(
        "{:.0}% of {} {of} (95% interval {:.0}–{:.0}%)",
        rate.value().unwrap_or(0.0) * 100.0,
        rate.n,
        low * 100.0,
        high * 100.0
    )
}

/// The other side of a session, seen by `me`.
fn other(s: &Session, me: &str) -> String {
    if s.seller_id == me {
        s.manager_name.clone()
    } else {
        s.seller_name.clone()
    }
}

/// Builds the message for `q`, or says why it is not sent.
pub(crate) async fn compose(
    state: &AppState,
    q: &Queued,
    now: DateTime<Utc>,
    preview: bool,
) -> Result<Composed, AppError> {
    let store = state.store();
    if q.expires_at < now && !preview {
        return Ok(Composed::Drop("its moment passed before it could be sent"));
    }
    let user = match store.user(&q.org_id, &q.recipient_id).await {
        Ok(u) => u,
        Err(coach_store::StoreError::NotFound) => return Ok(Composed::Drop("the person is gone")),
        Err(e) => return Err(e.into()),
    };
    if !user.active {
        return Ok(Composed::Drop("the person was deactivated"));
    }
    let required = store
        .email_settings(&q.org_id)
        .await?
        .required
        .contains(&q.kind);
    let chosen = || async {
        store
            .email_preferences(&q.org_id, &user.id)
            .await
            .map(|p| p.get(&q.kind).copied().unwrap_or(true))
    };
    if !preview && !required && !chosen().await? {
        return Ok(Composed::Drop("the person turned this kind of email off"));
    }
    let unsubscribe = if required {
        None
    } else if preview {
        Some(link(state, "/email/unsubscribe/…"))
    } else {
        let secret = store
            .unsubscribe_secret(&q.org_id, &user.id, q.kind)
            .await?;
        Some(link(state, &format!("/email/unsubscribe/{secret}")))
    };
    let base = Letter {
        to_name: user.name.clone(),
        to_email: user.email.clone(),
        subject: String::new(),
        intro: Vec::new(),
        sections: Vec::new(),
        button: None,
        why: String::new(),
        unsubscribe,
        preferences: link(state, "/profile#email"),
        calendar: None,
    };
    let letter = match (q.kind, q.detail.as_str()) {
        (EmailKind::Invitation, "rhythm") => rhythm(state, q, &user, base, now).await?,
        (EmailKind::Invitation, _) => invitation_letter(state, q, &user, base, now).await?,
        (EmailKind::PrepReminder, _) => prep_reminder(state, q, &user, base).await?,
        (EmailKind::SessionReminder, _) => session_reminder(state, q, &user, base, now).await?,
        (EmailKind::ActionItems, _) => action_items(state, q, &user, base, now).await?,
        (EmailKind::WeeklyDigest, _) => weekly_digest(state, q, &user, base, now).await?,
        (EmailKind::MonthlyDigest, _) => monthly_digest(state, q, &user, base, now).await?,
    };
    Ok(letter)
}

/// The letter with its button and the line that says why the person gets
/// it.
fn done(mut l: Letter, button: &str, url: String, why: &str) -> Composed {
    l.button = Some((button.to_owned(), url));
    l.why = why.to_owned();
    Composed::Send(Box::new(l))
}

/// The seller's open action items, for the review (R35, R39).
async fn open_items_section(
    state: &AppState,
    org_id: &str,
    seller_id: &str,
    heading: &str,
    today: NaiveDate,
) -> Result<Section, AppError> {
    Ok(Section {
        heading: heading.to_owned(),
        lines: open_items(state, org_id, seller_id)
            .await?
            .iter()
            .map(|i| item_line(state, i, today, false))
            .collect(),
        empty: "None open.".to_owned(),
    })
}

async fn session_of(state: &AppState, q: &Queued) -> Result<Option<Session>, AppError> {
    match state.store().coaching_session(&q.org_id, &q.about).await {
        Ok(s) => Ok(Some(s)),
        Err(coach_store::StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn party(name: &str, email: &str) -> Party {
    Party {
        name: name.to_owned(),
        email: email.to_owned(),
    }
}

/// The session as a calendar occurrence: the series' UID and slot for a
/// session of a series, as in the feed.
async fn occurrence(
    state: &AppState,
    org_id: &str,
    s: &Session,
    me: &str,
) -> Result<Occurrence, AppError> {
    let agenda = state.store().agenda(org_id, &s.id).await?;
    let mut event: Event = session_event(state, s, &agenda_text(s, &agenda), me);
    let mut recurrence = None;
    if let (Some(series_id), Some(slot)) = (&s.series_id, s.slot_at) {
        let series = state
            .store()
            .series_by_ids(org_id, std::slice::from_ref(series_id))
            .await?;
        if let Some(r) = series.first() {
            event.uid = format!("{}@coach", r.id);
            recurrence = Some((r.time_zone, slot));
        }
    }
    Ok(Occurrence { event, recurrence })
}

async fn invitation_letter(
    state: &AppState,
    q: &Queued,
    user: &User,
    mut l: Letter,
    now: DateTime<Utc>,
) -> Result<Composed, AppError> {
    let Some(s) = session_of(state, q).await? else {
        return Ok(Composed::Drop("the session is gone"));
    };
    let tz = tz_of(user);
    let cancel = q.detail == "cancel";
    if !cancel && !s.status.is_upcoming() {
        return Ok(Composed::Drop("the session is no longer to come"));
    }
    let with = other(&s, &user.id);
    let kind = s.kind.label();
    let store = state.store();
    let manager = store.user(&q.org_id, &s.manager_id).await?;
    let seller = store.user(&q.org_id, &s.seller_id).await?;
    let occ = occurrence(state, &q.org_id, &s, &user.id).await?;
    let method = if cancel {
        Method::Cancel
    } else {
        Method::Request
    };
    l.calendar = Some((
        method,
        invitation(
            method,
            &[],
            &[occ],
            &party(&manager.name, &manager.email),
            &[party(&seller.name, &seller.email)],
            now,
        ),
    ));
    let at = span(tz, &s);
    if cancel {
        l.subject = format!(
            "Called off: {kind} coaching with {with}, {}",
            when(tz, s.starts_at)
        );
        l.intro.push(format!(
            "{kind} coaching with {with} on {at} is called off."
        ));
        if !s.cancel_reason.trim().is_empty() {
            l.intro.push(format!("Why: {}", s.cancel_reason.trim()));
        }
        l.intro
            .push("The attached update takes it off your calendar.".to_owned());
    } else {
        let verb = if s.moved() { "Moved" } else { "Booked" };
        l.subject = format!(
            "{verb}: {kind} coaching with {with}, {}",
            when(tz, s.starts_at)
        );
        l.intro.push(format!("{kind} coaching with {with}: {at}."));
        if let Some(first) = s.original_starts_at {
            l.intro
                .push(format!("It was first planned for {}.", when(tz, first)));
        }
        if !s.desired_outcome.trim().is_empty() {
            l.intro.push(format!(
                "What you both want from it: {}",
                s.desired_outcome.trim()
            ));
        }
        l.sections.push(agenda_section(state, &q.org_id, &s).await?);
        l.intro
            .push("The attached invitation puts it in your calendar.".to_owned());
    }
    Ok(done(
        l,
        "Open the session",
        session_url(state, &s.id),
        "You get this because you take part in this session.",
    ))
}

async fn agenda_section(state: &AppState, org_id: &str, s: &Session) -> Result<Section, AppError> {
    let items = state.store().agenda(org_id, &s.id).await?;
    Ok(Section {
        heading: "Agenda (R35)".to_owned(),
        lines: items
            .iter()
            .map(|i| Line::new(i.title.clone()).note(format!("{} min", i.minutes)))
            .collect(),
        empty: "No agenda yet.".to_owned(),
    })
}

async fn rhythm(
    state: &AppState,
    q: &Queued,
    user: &User,
    mut l: Letter,
    now: DateTime<Utc>,
) -> Result<Composed, AppError> {
    let store = state.store();
    let manager = store.user(&q.org_id, &q.about).await?;
    let series: Vec<_> = store
        .series_of_manager(&q.org_id, &manager.id, false)
        .await?
        .into_iter()
        .filter(|r| user.id == manager.id || r.seller_id == user.id)
        .collect();
    if series.is_empty() {
        return Ok(Composed::Drop("the rhythm was planned again since"));
    }
    let uids: Vec<String> = series.iter().map(|r| format!("{}@coach", r.id)).collect();
    // The sessions of this manager's series with the person, as the feed
    // shows them.
    let sessions = store
        .coaching_sessions(
            &q.org_id,
            &SessionFilter {
                manager_id: Some(manager.id.clone()),
                seller_id: (user.id != manager.id).then(|| user.id.clone()),
                from: Some(crate::pages::calendar::since(now)),
                limit: Some(20_000),
                ..Default::default()
            },
        )
        .await?;
    let (recurring, _) = calendar_of(state, &q.org_id, user, &sessions, now).await?;
    let recurring: Vec<_> = recurring
        .into_iter()
        .filter(|r| uids.contains(&r.uid))
        .collect();
    let tz = tz_of(user);
    // The sellers' names, one by one: a team is a handful of people, and a
    // list of the organization would read everyone.
    let mut names: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    for r in &series {
        if !names.contains_key(&r.seller_id) {
            let seller = store.user(&q.org_id, &r.seller_id).await?;
            names.insert(seller.id, seller.name);
        }
    }
    let name_of = |id: &str| names.get(id).cloned().unwrap_or_default();
    let lines = series
        .iter()
        .map(|r| {
            let first = (0..r.slot_count)
                .filter_map(|n| r.slot(n))
                .find(|at| *at > now);
            let who = if user.id == manager.id {
                format!("{}: ", name_of(&r.seller_id))
            } else {
                String::new()
            };
            Line::new(format!(
                "{who}{} coaching, {}, {} minutes",
                r.kind.label(),
                coach_core::rhythm::every_text(r.every_weeks),
                r.minutes
            ))
            .note(match first {
                Some(at) => format!("next {}", when(tz, at)),
                None => "no sessions to come".to_owned(),
            })
        })
        .collect();
    let seller_parties: Vec<Party> = if user.id == manager.id {
        Vec::new()
    } else {
        vec![party(&user.name, &user.email)]
    };
    let method = if user.id == manager.id {
        Method::Publish
    } else {
        Method::Request
    };
    l.calendar = Some((
        method,
        invitation(
            method,
            &recurring,
            &[],
            &party(&manager.name, &manager.email),
            &seller_parties,
            now,
        ),
    ));
    if user.id == manager.id {
        l.subject = "Your coaching rhythm is planned".to_owned();
        l.intro.push(format!(
            "Your coaching rhythm is on the calendar: {} series with your team (R14). Each session has its agenda and your preparation time (R18, R35).",
            series.len()
        ));
    } else {
        l.subject = format!("Your coaching rhythm with {}", manager.name);
        l.intro.push(format!(
            "{} planned your coaching for the coming months (R14). Each session has its agenda (R35); you prepare before it (R27).",
            manager.name
        ));
    }
    l.sections.push(Section {
        heading: "The series".to_owned(),
        lines,
        empty: String::new(),
    });
    l.intro
        .push("The attached invitation puts every series in your calendar.".to_owned());
    Ok(done(
        l,
        "See your sessions",
        link(state, "/sessions"),
        "You get this because a coaching rhythm you are part of was planned.",
    ))
}

async fn open_items(
    state: &AppState,
    org_id: &str,
    seller_id: &str,
) -> Result<Vec<ActionItem>, AppError> {
    Ok(state
        .store()
        .action_items(
            org_id,
            &ActionFilter {
                seller_id: Some(seller_id.to_owned()),
                statuses: Some(vec![ActionStatus::Open]),
                limit: Some(50),
                ..Default::default()
            },
        )
        .await?)
}

fn item_line(state: &AppState, i: &ActionItem, today: NaiveDate, for_seller: bool) -> Line {
    let due = if i.due_on < today {
        format!("overdue since {}", day(i.due_on))
    } else {
        format!("due {}", day(i.due_on))
    };
    let note = if for_seller {
        format!("{due}, {}", i.seller_name)
    } else {
        due
    };
    Line::new(i.title.clone())
        .note(note)
        .link(link(state, &format!("/action-items#item-{}", i.id)))
}

async fn prep_reminder(
    state: &AppState,
    q: &Queued,
    user: &User,
    mut l: Letter,
) -> Result<Composed, AppError> {
    let Some(s) = session_of(state, q).await? else {
        return Ok(Composed::Drop("the session is gone"));
    };
    if s.status != SessionStatus::Scheduled || s.seller_prepared_at.is_some() {
        return Ok(Composed::Drop(
            "the preparation is done or the session is off",
        ));
    }
    let tz = tz_of(user);
    l.subject = format!(
        "Prepare by {}: {} coaching with {}",
        day(s.prep_due_on),
        s.kind.label(),
        s.manager_name
    );
    l.intro.push(format!(
        "{} coaching with {} is on {}. Your preparation is due by the end of {} (R27).",
        s.kind.label(),
        s.manager_name,
        span(tz, &s),
        day(s.prep_due_on)
    ));
    let mut steps = vec![Line::new("Bring updates on your open action items (R39).")];
    if s.kind == coach_core::coaching::SessionKind::Opportunity {
        steps.insert(
            0,
            Line::new("Update the CRM for the deals you want to discuss (R27)."),
        );
        steps.insert(
            1,
            Line::new("Pick up to three deals, early stages first (R25, R26)."),
        );
    }
    l.sections.push(Section {
        heading: "To prepare".to_owned(),
        lines: steps,
        empty: String::new(),
    });
    let today = Utc::now().with_timezone(&tz).date_naive();
    l.sections.push(
        open_items_section(
            state,
            &q.org_id,
            &s.seller_id,
            "Your open action items",
            today,
        )
        .await?,
    );
    Ok(done(
        l,
        "Prepare now",
        session_url(state, &s.id),
        "You get this because your preparation for a coaching session is still open.",
    ))
}

async fn session_reminder(
    state: &AppState,
    q: &Queued,
    user: &User,
    mut l: Letter,
    now: DateTime<Utc>,
) -> Result<Composed, AppError> {
    let Some(s) = session_of(state, q).await? else {
        return Ok(Composed::Drop("the session is gone"));
    };
    if !s.status.is_upcoming() || s.starts_at <= now {
        return Ok(Composed::Drop("the session is no longer to come"));
    }
    let tz = tz_of(user);
    let with = other(&s, &user.id);
    let today = now.with_timezone(&tz).date_naive();
    let on = s.starts_at.with_timezone(&tz).date_naive();
    let when_word = if on == today + Duration::days(1) {
        "Tomorrow".to_owned()
    } else if on == today {
        "Today".to_owned()
    } else {
        format!("On {}", on.format("%A"))
    };
    l.subject = format!(
        "{when_word}: {} coaching with {with} at {}",
        s.kind.label(),
        s.starts_at.with_timezone(&tz).format("%H:%M")
    );
    l.intro.push(format!(
        "{} coaching with {with}: {}.",
        s.kind.label(),
        span(tz, &s)
    ));
    if !s.desired_outcome.trim().is_empty() {
        l.intro.push(format!(
            "What you both want from it: {}",
            s.desired_outcome.trim()
        ));
    }
    l.intro
        .push(match (s.seller_prepared_at, s.seller_id == user.id) {
            (Some(_), true) => "You have prepared.".to_owned(),
            (Some(_), false) => format!("{} has prepared.", s.seller_name),
            (None, true) => "Your preparation is still open (R27).".to_owned(),
            (None, false) => format!("{}'s preparation is still open (R27).", s.seller_name),
        });
    l.sections.push(agenda_section(state, &q.org_id, &s).await?);
    l.sections.push(
        open_items_section(
            state,
            &q.org_id,
            &s.seller_id,
            "Action items to review (R35, R39)",
            today,
        )
        .await?,
    );
    Ok(done(
        l,
        "Open the session",
        session_url(state, &s.id),
        "You get this the working day before each of your coaching sessions.",
    ))
}

async fn action_items(
    state: &AppState,
    q: &Queued,
    user: &User,
    mut l: Letter,
    now: DateTime<Utc>,
) -> Result<Composed, AppError> {
    let tz = tz_of(user);
    let today = now.with_timezone(&tz).date_naive();
    let items = state
        .store()
        .action_items(
            &q.org_id,
            &ActionFilter {
                owner_id: Some(user.id.clone()),
                statuses: Some(vec![ActionStatus::Open]),
                due_before: Some(today + Duration::days(3)),
                limit: Some(200),
                ..Default::default()
            },
        )
        .await?;
    if items.is_empty() {
        return Ok(Composed::Drop("nothing is due"));
    }
    let (overdue, soon): (Vec<&ActionItem>, Vec<&ActionItem>) =
        items.iter().partition(|i| i.due_on < today);
    let mine = |i: &&ActionItem| i.seller_id != user.id;
    l.subject = match (overdue.len(), soon.len()) {
        (0, n) => format!("{n} action item{} due soon", plural(n)),
        (o, 0) => format!("{o} action item{} overdue", plural(o)),
        (o, n) => format!("{o} action item{} overdue, {n} due soon", plural(o)),
    };
    l.intro.push(
        "These are the commitments you own. Doing what you said you would is what the next session reviews first (R39)."
            .to_owned(),
    );
    let for_others = items.iter().any(|i| mine(&i));
    if !overdue.is_empty() {
        l.sections.push(Section {
            heading: "Overdue".to_owned(),
            lines: overdue
                .iter()
                .map(|i| item_line(state, i, today, for_others))
                .collect(),
            empty: String::new(),
        });
    }
    if !soon.is_empty() {
        l.sections.push(Section {
            heading: "Due in the next two days".to_owned(),
            lines: soon
                .iter()
                .map(|i| item_line(state, i, today, for_others))
                .collect(),
            empty: String::new(),
        });
    }
    Ok(done(
        l,
        "Open your action items",
        link(state, "/action-items"),
        "You get this on a working morning when action items you own are due or overdue.",
    ))
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

async fn team_of(state: &AppState, org_id: &str, manager_id: &str) -> Result<Vec<User>, AppError> {
    Ok(state
        .store()
        .users(
            org_id,
            &coach_store::UserFilter {
                manager_id: Some(manager_id.to_owned()),
                active: Some(true),
                ..Default::default()
            },
        )
        .await?)
}

async fn weekly_digest(
    state: &AppState,
    q: &Queued,
    user: &User,
    mut l: Letter,
    now: DateTime<Utc>,
) -> Result<Composed, AppError> {
    let store = state.store();
    let tz = tz_of(user);
    let today = now.with_timezone(&tz).date_naive();
    let monday = first_working_day_of_week(today);
    let week_start = start_of(tz, monday);
    let week_end = start_of(tz, monday + Duration::days(7));
    let month_start = start_of(tz, today.with_day(1).unwrap_or(today));
    let sessions = store
        .coaching_sessions(
            &q.org_id,
            &SessionFilter {
                manager_id: Some(user.id.clone()),
                from: Some(month_start.min(week_start)),
                until: Some(week_end),
                limit: Some(5000),
                ..Default::default()
            },
        )
        .await?;
    let team = team_of(state, &q.org_id, &user.id).await?;
    if team.is_empty() {
        return Ok(Composed::Drop("the person has no team"));
    }
    let week: Vec<&Session> = sessions
        .iter()
        .filter(|s| s.starts_at >= week_start && s.starts_at < week_end)
        .filter(|s| s.status != SessionStatus::Cancelled)
        .collect();
    let unprepared: Vec<&&Session> = week
        .iter()
        .filter(|s| s.status == SessionStatus::Scheduled && s.seller_prepared_at.is_none())
        .collect();
    let rate = kept_rate(
        sessions
            .iter()
            .filter(|s| s.starts_at >= month_start && s.starts_at <= now)
            .map(|s| (s.status, s.ad_hoc)),
    );
    let team_ids: Vec<String> = team.iter().map(|u| u.id.clone()).collect();
    let overdue = store
        .action_items(
            &q.org_id,
            &ActionFilter {
                people: Some(team_ids),
                statuses: Some(vec![ActionStatus::Open]),
                due_before: Some(today),
                limit: Some(500),
                ..Default::default()
            },
        )
        .await?;
    l.subject = format!(
        "Your team's week: {} session{}, {} overdue commitment{}",
        week.len(),
        plural(week.len()),
        overdue.len(),
        plural(overdue.len())
    );
    l.intro.push(format!(
        "Kept as scheduled this month (R14): {}.",
        rate_text(rate, "scheduled sessions so far")
    ));
    l.sections.push(Section {
        heading: format!("Sessions this week ({})", week.len()),
        lines: week
            .iter()
            .map(|s| {
                Line::new(format!("{} coaching: {}", s.kind.label(), s.seller_name))
                    .note(when(tz, s.starts_at))
                    .link(session_url(state, &s.id))
            })
            .collect(),
        empty: "No sessions this week.".to_owned(),
    });
    l.sections.push(Section {
        heading: format!("Preparation still missing ({})", unprepared.len()),
        lines: unprepared
            .iter()
            .map(|s| {
                Line::new(s.seller_name.clone())
                    .note(format!(
                        "due {}, for {}",
                        day(s.prep_due_on),
                        when(tz, s.starts_at)
                    ))
                    .link(session_url(state, &s.id))
            })
            .collect(),
        empty: "Everyone has prepared, or nothing is due.".to_owned(),
    });
    let shown = 10;
    let mut lines: Vec<Line> = overdue
        .iter()
        .take(shown)
        .map(|i| item_line(state, i, today, true))
        .collect();
    if overdue.len() > shown {
        lines.push(Line::new(format!("and {} more", overdue.len() - shown)));
    }
    l.sections.push(Section {
        heading: format!("Overdue commitments on your team ({})", overdue.len()),
        lines,
        empty: "None.".to_owned(),
    });
    Ok(done(
        l,
        "Open Coach",
        link(state, "/"),
        "You get this on Monday mornings as a manager with a team.",
    ))
}

async fn monthly_digest(
    state: &AppState,
    q: &Queued,
    user: &User,
    mut l: Letter,
    now: DateTime<Utc>,
) -> Result<Composed, AppError> {
    let store = state.store();
    let tz = tz_of(user);
    let today = now.with_timezone(&tz).date_naive();
    let this_month = today.with_day(1).unwrap_or(today);
    let last_month = (this_month - Duration::days(1))
        .with_day(1)
        .unwrap_or(this_month);
    let (from, until) = (start_of(tz, last_month), start_of(tz, this_month));
    let managers: Vec<User> = team_of(state, &q.org_id, &user.id)
        .await?
        .into_iter()
        .filter(|u| u.roles.has(Role::Manager))
        .collect();
    if managers.is_empty() {
        return Ok(Composed::Drop(
            "the person has no managers reporting to them",
        ));
    }
    let mut lines = Vec::new();
    for m in &managers {
        let sessions = store
            .coaching_sessions(
                &q.org_id,
                &SessionFilter {
                    manager_id: Some(m.id.clone()),
                    from: Some(from),
                    until: Some(until),
                    limit: Some(5000),
                    ..Default::default()
                },
            )
            .await?;
        let held = sessions
            .iter()
            .filter(|s| s.status == SessionStatus::Held)
            .count();
        let observed = sessions
            .iter()
            .filter(|s| s.status == SessionStatus::Held && s.observer_id.is_some())
            .count();
        let rate = kept_rate(sessions.iter().map(|s| (s.status, s.ad_hoc)));
        lines.push(
            Line::new(m.name.clone())
                .note(format!(
                    "{held} held, {observed} observed (R43); kept as scheduled: {}",
                    rate_text(rate, "scheduled sessions")
                ))
                .link(link(state, "/scorecard/team")),
        );
    }
    l.subject = format!("Your managers' coaching in {}", last_month.format("%B %Y"));
    l.intro.push(format!(
        "How each of your managers coached in {} (R14, R43). A rate with fewer sessions than it needs says so rather than show a number (R45).",
        last_month.format("%B")
    ));
    l.sections.push(Section {
        heading: "Your managers".to_owned(),
        lines,
        empty: String::new(),
    });
    Ok(done(
        l,
        "Open the scorecard",
        link(state, "/scorecard"),
        "You get this on the first working day of each month as a director.",
    ))
}
