//! iCalendar (RFC 5545): the feeds Coach writes and the calendars it reads.
//!
//! A feed holds coaching series as one event with an `RRULE` and an
//! override per session (`RECURRENCE-ID`, its own times, agenda and room
//! link), dropped sessions as `EXDATE`, single sessions and preparation
//! blocks as plain events, and a `VTIMEZONE` for every time zone a series
//! uses. Text goes through the `icalendar` crate's escaping after control
//! characters are taken out, so no title can add a line or an event (T14).
//!
//! Reading calendars: [`busy_times`].

use chrono::{DateTime, Duration, NaiveDateTime, Offset as _, TimeZone as _, Utc};
use chrono_tz::{OffsetComponents as _, OffsetName as _, Tz};
use icalendar::{CalendarDateTime, Component as _, EventLike as _, EventStatus, Property};
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
    let mut out = String::with_capacity(text.len() + text.len() / 70);
    for line in unfold(text).split("\r\n").filter(|l| !l.is_empty()) {
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

/// Joins folded lines (RFC 5545 3.1).
fn unfold(text: &str) -> String {
    text.replace("\r\n ", "")
        .replace("\r\n\t", "")
        .replace("\n ", "")
        .replace("\n\t", "")
}

mod read;
pub use read::{ReadError, Span, busy_times};

#[cfg(test)]
mod tests;
