//! Reading calendars people give Coach: the busy times of an exported
//! calendar (Google, Outlook) or a free/busy reply, recurring events
//! expanded, for the rhythm planner.

use super::unfold;
use chrono::{DateTime, Duration, NaiveDateTime, TimeZone as _, Utc};
use chrono_tz::Tz;
use icalendar::{CalendarDateTime, Component as _, DatePerhapsTime};

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
