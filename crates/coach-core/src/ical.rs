//! iCalendar (RFC 5545): the feeds Coach writes and the calendars it reads.
//!
//! A feed holds coaching series as one event with an `RRULE` and an
//! override per session (`RECURRENCE-ID`, its own times, agenda and room
//! link), dropped sessions as `EXDATE`, single sessions and preparation
//! blocks as plain events, and a `VTIMEZONE` for every time zone a series
//! uses. Text goes through the `icalendar` crate's escaping after control
//! characters are taken out, so no title can add a line or an event (T14).
//!
//! Reading: the busy times of an exported calendar (Google, Outlook) or a
//! free/busy reply, recurring events expanded, for the rhythm planner.

use chrono::{DateTime, Duration, NaiveDateTime, Offset as _, TimeZone as _, Utc};
use chrono_tz::{OffsetComponents as _, OffsetName as _, Tz};
use icalendar::{
    CalendarDateTime, Component as _, DatePerhapsTime, EventLike as _, EventStatus, Property,
};
use std::fmt::Write as _;

/// One event: a single session or a preparation block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Stable across feeds and changes.
    pub uid: String,
    /// The title.
    pub summary: String,
    /// The agenda, plain text.
    pub description: String,
    /// The session's page.
    pub url: String,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Bumped on every change the attendee should see.
    pub sequence: u32,
}

/// One session of a series: its slot in the rule and what it became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// The slot the rule gives (the `RECURRENCE-ID`).
    pub slot: DateTime<Utc>,
    /// The session; `None` when it was dropped (an `EXDATE`).
    pub event: Option<Event>,
}

/// A coaching series: every so many weeks at a local time in a time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recurring {
    /// Stable: the series' id.
    pub uid: String,
    /// The title of the series.
    pub summary: String,
    /// What the series is for.
    pub description: String,
    /// Its time zone: the rule keeps local time across daylight saving.
    pub time_zone: Tz,
    /// The first slot.
    pub first: DateTime<Utc>,
    /// Minutes per session.
    pub minutes: u32,
    /// Every so many weeks.
    pub every_weeks: u32,
    /// How many slots.
    pub count: u32,
    /// Bumped when the series changes.
    pub sequence: u32,
    /// The slots that have a session or were dropped.
    pub instances: Vec<Instance>,
}

/// Takes out control characters (a lone carriage return would end a line
/// for some readers); keeps line feeds, which the writer escapes.
fn clean(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .map(|c| if c == '\r' { '\n' } else { c })
        .filter(|c| *c == '\n' || *c == '\t' || !c.is_control())
        .collect()
}

/// A value that is not text (a URI, an id): no control character at all,
/// since nothing escapes it.
fn one_line(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}

fn local(tz: Tz, at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&tz).naive_local()
}

fn zoned(tz: Tz, at: DateTime<Utc>) -> CalendarDateTime {
    CalendarDateTime::WithTimezone {
        date_time: local(tz, at),
        tzid: tz.name().to_string(),
    }
}

fn zoned_property(key: &str, tz: Tz, at: DateTime<Utc>) -> Property {
    let mut p = Property::new(key, local(tz, at).format("%Y%m%dT%H%M%S").to_string());
    p.add_parameter("TZID", tz.name());
    p
}

fn event(e: &Event, stamp: DateTime<Utc>) -> icalendar::Event {
    let mut out = icalendar::Event::new();
    out.uid(&one_line(&e.uid))
        .timestamp(stamp)
        .summary(&clean(&e.summary))
        .description(&clean(&e.description))
        .url(&one_line(&e.url))
        .sequence(e.sequence)
        .starts(e.starts_at)
        .ends(e.ends_at)
        .status(EventStatus::Confirmed);
    out
}

const WEEKDAYS: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

fn series(r: &Recurring, stamp: DateTime<Utc>) -> Vec<icalendar::Event> {
    use chrono::Datelike as _;
    let tz = r.time_zone;
    let mut master = icalendar::Event::new();
    master
        .uid(&one_line(&r.uid))
        .timestamp(stamp)
        .summary(&clean(&r.summary))
        .description(&clean(&r.description))
        .sequence(r.sequence)
        .starts(zoned(tz, r.first))
        .ends(zoned(tz, r.first + Duration::minutes(i64::from(r.minutes))))
        .status(EventStatus::Confirmed)
        .append_property(Property::new(
            "RRULE",
            format!(
                "FREQ=WEEKLY;INTERVAL={};BYDAY={};COUNT={}",
                r.every_weeks.max(1),
                WEEKDAYS[local(tz, r.first).weekday().num_days_from_monday() as usize],
                r.count.max(1)
            ),
        ));
    let dropped: Vec<String> = r
        .instances
        .iter()
        .filter(|i| i.event.is_none())
        .map(|i| local(tz, i.slot).format("%Y%m%dT%H%M%S").to_string())
        .collect();
    if !dropped.is_empty() {
        let mut p = Property::new("EXDATE", dropped.join(","));
        p.add_parameter("TZID", tz.name());
        master.append_multi_property(p);
    }
    let mut out = vec![master.done()];
    for i in &r.instances {
        if let Some(e) = &i.event {
            let mut o = event(e, stamp);
            o.uid(&one_line(&r.uid))
                .starts(zoned(tz, e.starts_at))
                .ends(zoned(tz, e.ends_at))
                .append_property(zoned_property("RECURRENCE-ID", tz, i.slot));
            out.push(o.done());
        }
    }
    out
}

/// The offset in force at `at`, in seconds east of UTC.
fn offset_at(tz: Tz, at: DateTime<Utc>) -> i32 {
    tz.offset_from_utc_datetime(&at.naive_utc())
        .fix()
        .local_minus_utc()
}

fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.abs();
    format!("{sign}{:02}{:02}", s / 3600, (s % 3600) / 60)
}

/// A `VTIMEZONE` with every transition between `from` and `to`, each as its
/// own observance (no rules to get wrong), and the offset in force at `from`.
fn vtimezone(tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let mut changes = vec![(from, offset_at(tz, from), offset_at(tz, from))];
    let mut at = from;
    while at < to {
        let next = at + Duration::days(1);
        let (a, b) = (offset_at(tz, at), offset_at(tz, next));
        if a != b {
            // The first second with the new offset.
            let (mut lo, mut hi) = (at, next);
            while hi - lo > Duration::seconds(1) {
                let mid = lo + (hi - lo) / 2;
                if offset_at(tz, mid) == a {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            changes.push((hi, a, b));
        }
        at = next;
    }
    let mut out = String::new();
    let _ = write!(out, "BEGIN:VTIMEZONE\r\nTZID:{}\r\n", tz.name());
    for (when, from_offset, to_offset) in changes {
        let o = tz.offset_from_utc_datetime(&when.naive_utc());
        let kind = if o.dst_offset().is_zero() {
            "STANDARD"
        } else {
            "DAYLIGHT"
        };
        let start =
            (when.naive_utc() + Duration::seconds(i64::from(from_offset))).format("%Y%m%dT%H%M%S");
        let _ = write!(
            out,
            "BEGIN:{kind}\r\nDTSTART:{start}\r\nTZOFFSETFROM:{}\r\nTZOFFSETTO:{}\r\n",
            offset_text(from_offset),
            offset_text(to_offset)
        );
        if let Some(name) = o.abbreviation() {
            let name = clean(name).replace([',', ';', '\\', '\n'], "");
            let _ = write!(out, "TZNAME:{name}\r\n");
        }
        let _ = write!(out, "END:{kind}\r\n");
    }
    out.push_str("END:VTIMEZONE\r\n");
    out
}

/// A calendar named `name` with the series and single events.
pub fn feed(
    name: &str,
    recurring: &[Recurring],
    singles: &[Event],
    stamp: DateTime<Utc>,
) -> String {
    let mut cal = icalendar::Calendar::new();
    cal.name(&one_line(name));
    cal.append_property(Property::new("METHOD", "PUBLISH"));
    for r in recurring {
        for e in series(r, stamp) {
            cal.push(e);
        }
    }
    for e in singles {
        cal.push(event(e, stamp));
    }
    let text = cal.done().to_string();
    // The time zones go before the first event, as RFC 5545 readers expect.
    let mut zones: Vec<Tz> = recurring.iter().map(|r| r.time_zone).collect();
    zones.sort_by_key(|tz| tz.name());
    zones.dedup();
    let mut timezones = String::new();
    for tz in zones {
        let of_zone = recurring.iter().filter(|r| r.time_zone == tz);
        let first = of_zone
            .clone()
            .flat_map(|r| std::iter::once(r.first).chain(r.instances.iter().map(|i| i.slot)))
            .min()
            .unwrap_or(stamp);
        let last = of_zone
            .flat_map(|r| {
                let end =
                    r.first + Duration::weeks(i64::from(r.every_weeks.max(1)) * i64::from(r.count));
                std::iter::once(end).chain(
                    r.instances
                        .iter()
                        .filter_map(|i| i.event.as_ref().map(|e| e.ends_at)),
                )
            })
            .max()
            .unwrap_or(stamp);
        timezones.push_str(&vtimezone(
            tz,
            first - Duration::days(7),
            last + Duration::days(7),
        ));
    }
    let text = match text.find("BEGIN:VEVENT") {
        Some(at) => format!("{}{timezones}{}", &text[..at], &text[at..]),
        None => text,
    };
    fold(&text)
}

/// Folds every content line at 75 octets, never inside a character (RFC
/// 5545 3.1): the lines as written, unfolded first.
fn fold(text: &str) -> String {
    let mut logical: Vec<String> = Vec::new();
    for line in text.split("\r\n") {
        match (line.strip_prefix(' '), logical.last_mut()) {
            (Some(rest), Some(last)) => last.push_str(rest),
            _ => logical.push(line.to_owned()),
        }
    }
    let mut out = String::with_capacity(text.len() + text.len() / 70);
    for line in logical.iter().filter(|l| !l.is_empty()) {
        let mut room = 75;
        let mut used = 0;
        for c in line.chars() {
            if used + c.len_utf8() > room {
                out.push_str("\r\n ");
                room = 74;
                used = 0;
            }
            out.push(c);
            used += c.len_utf8();
        }
        out.push_str("\r\n");
    }
    out
}

/// A stretch of time: start and end.
pub type Span = (DateTime<Utc>, DateTime<Utc>);

/// What is wrong with a calendar a person gave us.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// Not iCalendar at all.
    #[error("this is not an iCalendar file ({0})")]
    NotICalendar(String),
    /// An event Coach cannot place in time.
    #[error("the event {event:?} has {problem}")]
    Event {
        /// Its title, or its UID.
        event: String,
        /// What is wrong.
        problem: String,
    },
}

fn instant(value: &DatePerhapsTime, tz: Tz) -> Option<DateTime<Utc>> {
    match value {
        DatePerhapsTime::Date(d) => tz
            .from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
            .earliest()
            .map(|t| t.with_timezone(&Utc)),
        DatePerhapsTime::DateTime(CalendarDateTime::Floating(n)) => tz
            .from_local_datetime(n)
            .earliest()
            .map(|t| t.with_timezone(&Utc)),
        DatePerhapsTime::DateTime(other) => other.try_into_utc(),
    }
}

fn free_busy_period(value: &str, tz: Tz) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let (a, b) = value.split_once('/')?;
    let parse = |v: &str| {
        NaiveDateTime::parse_from_str(v.trim_end_matches('Z'), "%Y%m%dT%H%M%S")
            .ok()
            .and_then(|n| {
                if v.ends_with('Z') {
                    Some(Utc.from_utc_datetime(&n))
                } else {
                    tz.from_local_datetime(&n)
                        .earliest()
                        .map(|t| t.with_timezone(&Utc))
                }
            })
    };
    let start = parse(a)?;
    let end = parse(b).or_else(|| iso_duration(b).map(|d| start + d))?;
    Some((start, end))
}

/// A duration such as `PT1H30M` or `P1D` (RFC 5545 3.3.6).
fn iso_duration(text: &str) -> Option<Duration> {
    let text = text.strip_prefix('+').unwrap_or(text);
    let rest = text.strip_prefix('P')?;
    let (mut total, mut number, mut in_time) = (Duration::zero(), 0i64, false);
    for c in rest.chars() {
        match c {
            'T' => in_time = true,
            '0'..='9' => {
                number = number
                    .checked_mul(10)?
                    .checked_add(i64::from(c as u8 - b'0'))?
            }
            'W' => (total, number) = (total + Duration::weeks(number), 0),
            'D' => (total, number) = (total + Duration::days(number), 0),
            'H' if in_time => (total, number) = (total + Duration::hours(number), 0),
            'M' if in_time => (total, number) = (total + Duration::minutes(number), 0),
            'S' if in_time => (total, number) = (total + Duration::seconds(number), 0),
            _ => return None,
        }
    }
    Some(total)
}

/// The busy times of a calendar between `from` and `to`, sorted: its
/// events (recurring ones expanded, overrides in place of the instances
/// they replace; cancelled and transparent events left out) and any
/// free/busy periods. Floating times and dates are read in `tz`.
pub fn busy_times(
    text: &str,
    tz: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Span>, ReadError> {
    let text = text.trim_start_matches('\u{feff}');
    if !text.trim_start().starts_with("BEGIN:VCALENDAR") {
        return Err(ReadError::NotICalendar(
            "it does not start with BEGIN:VCALENDAR".into(),
        ));
    }
    let cal: icalendar::Calendar = text.parse().map_err(ReadError::NotICalendar)?;
    let mut out = Vec::new();
    // Overrides, by UID and the slot they replace.
    let mut replaced: std::collections::BTreeSet<(String, DateTime<Utc>)> = Default::default();
    for e in cal.events() {
        if let (Some(uid), Some(slot)) = (e.get_uid(), e.get_recurrence_id())
            && let Some(at) = instant(&slot, tz)
        {
            replaced.insert((uid.to_string(), at));
        }
    }
    let rrule_tz: icalendar::Tz = tz.into();
    for ce in cal.calendar_events() {
        let e = ce.event();
        let label = e
            .get_summary()
            .or(e.get_uid())
            .unwrap_or("without a title")
            .to_string();
        let bad = |problem: &str| ReadError::Event {
            event: label.clone(),
            problem: problem.to_string(),
        };
        if e.property_value("STATUS") == Some("CANCELLED")
            || e.property_value("TRANSP") == Some("TRANSPARENT")
        {
            continue;
        }
        let Some(start) = e.get_start() else {
            return Err(bad("no start (DTSTART)"));
        };
        let Some(starts_at) = instant(&start, tz) else {
            return Err(bad("a start Coach cannot read (an unknown time zone?)"));
        };
        let length = match (e.get_end(), e.property_value("DURATION")) {
            (Some(end), _) => match instant(&end, tz) {
                Some(ends_at) => ends_at - starts_at,
                None => return Err(bad("an end Coach cannot read (an unknown time zone?)")),
            },
            (None, Some(d)) => {
                iso_duration(d).ok_or_else(|| bad("a duration Coach cannot read"))?
            }
            (None, None) if matches!(start, DatePerhapsTime::Date(_)) => Duration::days(1),
            (None, None) => Duration::zero(),
        };
        if length <= Duration::zero() {
            continue;
        }
        if e.property_value("RRULE").is_some() && e.get_recurrence_id().is_none() {
            let set = ce
                .get_recurrence()
                .map_err(|err| bad(&format!("a recurrence Coach cannot read ({err})")))?;
            let uid = e.get_uid().unwrap_or_default().to_string();
            let after = (from - length).with_timezone(&rrule_tz);
            let before = to.with_timezone(&rrule_tz);
            for at in set.after(after).before(before).all(5000).dates {
                let at = at.with_timezone(&Utc);
                if !replaced.contains(&(uid.clone(), at)) {
                    out.push((at, at + length));
                }
            }
        } else if starts_at < to && starts_at + length > from {
            out.push((starts_at, starts_at + length));
        }
    }
    // Free/busy replies (VFREEBUSY) list periods rather than events.
    for line in unfold(text).lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let name = key.split(';').next().unwrap_or_default();
        if !name.eq_ignore_ascii_case("FREEBUSY")
            || key.to_ascii_uppercase().contains("FBTYPE=FREE")
        {
            continue;
        }
        for period in value.split(',') {
            match free_busy_period(period.trim(), tz) {
                Some((s, e)) if e > s && s < to && e > from => out.push((s, e)),
                Some(_) => {}
                None => {
                    return Err(ReadError::Event {
                        event: "free/busy".into(),
                        problem: format!("a period Coach cannot read: {period:?}"),
                    });
                }
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn unfold(text: &str) -> String {
    text.replace("\r\n ", "")
        .replace("\r\n\t", "")
        .replace("\n ", "")
        .replace("\n\t", "")
}

#[cfg(test)]
mod tests;
