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
    calendar("PUBLISH", Some(name), recurring, singles, None, stamp)
}

/// Someone taking part in a session: their name and address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    /// Their name.
    pub name: String,
    /// Their email address.
    pub email: String,
}

/// What an invitation asks of the calendar it reaches (RFC 5546).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Add the events, or change them to these times.
    Request,
    /// Take the events off.
    Cancel,
    /// Add the events; nobody is asked to answer (the organizer's copy).
    Publish,
}

/// One session in an invitation: the event, and for a session of a series
/// the series' time zone and its slot (so the calendar changes that one
/// occurrence of the series it already has from the feed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    /// The event, with the series' UID for a session of a series.
    pub event: Event,
    /// The series' time zone and the session's slot in it.
    pub recurrence: Option<(Tz, DateTime<Utc>)>,
}

/// An invitation by email (iTIP, RFC 5546): `method` for the series and
/// sessions, organized by `organizer` with `attendees`. The UIDs are the
/// feed's, so a calendar that has the feed and the invitation has one
/// event.
pub fn invitation(
    method: Method,
    recurring: &[Recurring],
    sessions: &[Occurrence],
    organizer: &Party,
    attendees: &[Party],
    stamp: DateTime<Utc>,
) -> String {
    let parties = Parties {
        organizer,
        attendees,
        cancel: method == Method::Cancel,
    };
    let singles: Vec<Event> = sessions.iter().map(|o| o.event.clone()).collect();
    let method = match method {
        Method::Request => "REQUEST",
        Method::Cancel => "CANCEL",
        Method::Publish => "PUBLISH",
    };
    let recurrences: Vec<Option<(Tz, DateTime<Utc>)>> =
        sessions.iter().map(|o| o.recurrence).collect();
    calendar_with(
        method,
        None,
        recurring,
        &singles,
        &recurrences,
        Some(&parties),
        stamp,
    )
}

struct Parties<'a> {
    organizer: &'a Party,
    attendees: &'a [Party],
    cancel: bool,
}

/// A name fit for a `CN` parameter: one line, no characters that end a
/// parameter.
fn common_name(name: &str) -> String {
    one_line(name)
        .chars()
        .map(|c| {
            if matches!(c, '"' | ';' | ':' | ',') {
                ' '
            } else {
                c
            }
        })
        .collect::<String>()
        .trim()
        .to_owned()
}

fn party(key: &str, p: &Party) -> Property {
    let mut prop = Property::new(key, format!("mailto:{}", one_line(&p.email)));
    prop.add_parameter("CN", &common_name(&p.name));
    prop
}

impl Parties<'_> {
    fn apply(&self, e: &mut icalendar::Event) {
        e.append_property(party("ORGANIZER", self.organizer));
        for a in self.attendees {
            let mut p = party("ATTENDEE", a);
            p.add_parameter("ROLE", "REQ-PARTICIPANT");
            e.append_multi_property(p);
        }
        if self.cancel {
            e.status(EventStatus::Cancelled);
        }
    }
}

fn calendar(
    method: &str,
    name: Option<&str>,
    recurring: &[Recurring],
    singles: &[Event],
    parties: Option<&Parties<'_>>,
    stamp: DateTime<Utc>,
) -> String {
    calendar_with(method, name, recurring, singles, &[], parties, stamp)
}

fn calendar_with(
    method: &str,
    name: Option<&str>,
    recurring: &[Recurring],
    singles: &[Event],
    recurrences: &[Option<(Tz, DateTime<Utc>)>],
    parties: Option<&Parties<'_>>,
    stamp: DateTime<Utc>,
) -> String {
    let mut cal = icalendar::Calendar::new();
    if let Some(name) = name {
        cal.name(&one_line(name));
    }
    cal.append_property(Property::new("METHOD", method));
    for r in recurring {
        for mut e in series(r, stamp) {
            if let Some(p) = parties {
                p.apply(&mut e);
            }
            cal.push(e);
        }
    }
    let mut zones: Vec<Tz> = recurring.iter().map(|r| r.time_zone).collect();
    for (i, e) in singles.iter().enumerate() {
        let mut out = event(e, stamp);
        if let Some(Some((tz, slot))) = recurrences.get(i) {
            out.starts(zoned(*tz, e.starts_at))
                .ends(zoned(*tz, e.ends_at))
                .append_property(zoned_property("RECURRENCE-ID", *tz, *slot));
            zones.push(*tz);
        }
        if let Some(p) = parties {
            p.apply(&mut out);
        }
        cal.push(out.done());
    }
    let text = cal.done().to_string();
    let spans: Vec<(Tz, DateTime<Utc>, DateTime<Utc>)> = singles
        .iter()
        .zip(recurrences)
        .filter_map(|(e, r)| r.map(|(tz, slot)| (tz, slot.min(e.starts_at), e.ends_at.max(slot))))
        .collect();
    // The time zones go before the first event, as RFC 5545 readers expect.
    zones.sort_by_key(|tz| tz.name());
    zones.dedup();
    let mut timezones = String::new();
    for tz in zones {
        let of_zone = recurring.iter().filter(|r| r.time_zone == tz);
        let singles_of_zone = spans.iter().filter(|(z, _, _)| *z == tz);
        let first = of_zone
            .clone()
            .flat_map(|r| std::iter::once(r.first).chain(r.instances.iter().map(|i| i.slot)))
            .chain(singles_of_zone.clone().map(|(_, from, _)| *from))
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
            .chain(singles_of_zone.map(|(_, _, to)| *to))
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
