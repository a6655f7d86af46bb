//! Email: the kinds of message Coach sends and when each is due, in the
//! recipient's time zone and working hours. Reminders keep the rhythm (R14):
//! the seller's preparation before its deadline (R27), both sides the day
//! before a session with its agenda (R35), owners of action items before
//! they are due (R39), the manager's weekly digest and the director's
//! monthly one (R43). Pure rules; the store queues messages and the web
//! writes and sends them.

use crate::records::vocabulary;
use chrono::{
    DateTime, Datelike as _, Duration, NaiveDate, NaiveTime, TimeZone as _, Utc, Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

vocabulary! {
    /// The kinds of message, as a person chooses them on their profile.
    EmailKind, "a kind of email" {
        /// A session booked, moved or called off, and a new rhythm, with a
        /// calendar attachment (R14).
        Invitation = "invitation", "Invitations and changes", ["invitations"],
        /// The seller's preparation before its deadline (R27).
        PrepReminder = "prep_reminder", "Preparation reminders", ["preparation"],
        /// The day before a session, with its agenda (R35).
        SessionReminder = "session_reminder", "Session reminders", ["sessions"],
        /// Action items due soon or overdue (R39).
        ActionItems = "action_items", "Action items due", ["actions"],
        /// A manager's week: sessions, missing preparation, overdue
        /// commitments, kept-as-scheduled (R14, R39).
        WeeklyDigest = "weekly_digest", "Weekly digest (managers)", ["weekly"],
        /// A director's month: their managers' coaching (R43).
        MonthlyDigest = "monthly_digest", "Monthly digest (directors)", ["monthly"],
    }
}

impl EmailKind {
    /// Whether a person with `roles` can get this kind at all: the weekly
    /// digest goes to managers, the monthly one to directors.
    pub fn applies_to(self, roles: &crate::Roles) -> bool {
        match self {
            EmailKind::WeeklyDigest => roles.has(crate::Role::Manager),
            EmailKind::MonthlyDigest => roles.has(crate::Role::Director),
            _ => true,
        }
    }

    /// What the person gets, in a line, for the profile and the previews.
    pub fn description(self) -> &'static str {
        match self {
            EmailKind::Invitation => {
                "A calendar invitation when a session is booked, moved or called off, and when a new rhythm is planned."
            }
            EmailKind::PrepReminder => {
                "Before the preparation deadline of a session, while the preparation is still open (R27)."
            }
            EmailKind::SessionReminder => {
                "On the working day before a session, with its agenda (R35)."
            }
            EmailKind::ActionItems => {
                "At the start of a working day, when action items are due within two days or overdue (R39)."
            }
            EmailKind::WeeklyDigest => {
                "On Monday morning: the team's sessions this week, preparation still missing, overdue commitments, and kept-as-scheduled this month."
            }
            EmailKind::MonthlyDigest => {
                "On the first working day of the month: each manager's coaching last month (R43)."
            }
        }
    }
}

/// A person's working day: their time zone and hours, Monday to Friday.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkingHours {
    /// Their time zone.
    pub tz: Tz,
    /// When their working day starts, local time.
    pub start: NaiveTime,
    /// When it ends.
    pub end: NaiveTime,
}

impl WorkingHours {
    /// Nine to five in `tz`.
    pub fn nine_to_five(tz: Tz) -> WorkingHours {
        WorkingHours {
            tz,
            start: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
            end: NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default(),
        }
    }

    /// The instant `time` on `day`, local; on a daylight-saving gap, the
    /// first instant after it.
    pub fn at(&self, day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
        let local = day.and_time(time);
        match self.tz.from_local_datetime(&local) {
            chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
            chrono::LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
            chrono::LocalResult::None => self.at(day, time + Duration::hours(1)),
        }
    }

    /// The local day of an instant.
    pub fn day_of(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.tz).date_naive()
    }

    /// The start of the working day `day`.
    pub fn day_start(&self, day: NaiveDate) -> DateTime<Utc> {
        self.at(day, self.start)
    }

    /// The latest working moment at or before `at`: `at` itself in working
    /// hours, else the end of the last working day before it.
    pub fn latest_working_moment(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        let local = at.with_timezone(&self.tz);
        let day = local.date_naive();
        let time = local.time();
        if is_working_day(day) && time >= self.start && time <= self.end {
            return at;
        }
        let mut day = if is_working_day(day) && time > self.end {
            day
        } else {
            previous_working_day(day)
        };
        // A working day whose end is not before `at` cannot happen here, but
        // stay safe on odd hours (start after end).
        while self.at(day, self.end) > at {
            day = previous_working_day(day);
        }
        self.at(day, self.end)
    }
}

/// Monday to Friday.
pub fn is_working_day(day: NaiveDate) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The working day before `day`.
pub fn previous_working_day(day: NaiveDate) -> NaiveDate {
    let mut d = day - Duration::days(1);
    while !is_working_day(d) {
        d -= Duration::days(1);
    }
    d
}

/// When the reminder of a session goes (R35): at the start of the working
/// day before the session's day, in the recipient's time.
pub fn session_reminder_at(hours: &WorkingHours, starts_at: DateTime<Utc>) -> DateTime<Utc> {
    hours.day_start(previous_working_day(hours.day_of(starts_at)))
}

/// The seller's preparation deadline (R27): the end of their working day on
/// the day it is due.
pub fn prep_deadline(hours: &WorkingHours, due_on: NaiveDate) -> DateTime<Utc> {
    hours.at(due_on, hours.end)
}

/// When the preparation reminder goes (R27): `lead_hours` before the
/// deadline, moved earlier into working hours when that falls outside them.
pub fn prep_reminder_at(hours: &WorkingHours, due_on: NaiveDate, lead_hours: u32) -> DateTime<Utc> {
    hours.latest_working_moment(
        prep_deadline(hours, due_on) - Duration::hours(i64::from(lead_hours)),
    )
}

/// The first working day of the week of `day`.
pub fn first_working_day_of_week(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// The first working day of the month of `day`.
pub fn first_working_day_of_month(day: NaiveDate) -> NaiveDate {
    let mut d = day.with_day(1).unwrap_or(day);
    while !is_working_day(d) {
        d += Duration::days(1);
    }
    d
}

/// The hours of lead time a preparation reminder may have: 1 to 7 days.
pub fn validate_lead_hours(hours: i64) -> Result<u32, crate::FieldError> {
    match u32::try_from(hours) {
        Ok(h @ 1..=168) => Ok(h),
        _ => Err(crate::FieldError::new(
            "prep_reminder_hours",
            "expected a whole number of hours from 1 to 168",
        )),
    }
}

/// How long to wait before trying a message again after `attempts` failed
/// tries: one minute, doubling, at most six hours.
pub fn retry_after(attempts: u32) -> Duration {
    let minutes = 1i64 << attempts.saturating_sub(1).min(9);
    Duration::minutes(minutes.min(6 * 60))
}

/// How many times a message is tried before it is given up.
pub const MAX_ATTEMPTS: u32 = 8;

/// A value fit for a mail header: one line, no control characters (a line
/// break in a name cannot add a header, T15), at most `max` characters.
pub fn header_text(text: &str, max: usize) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .filter(|c| !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
        .collect();
    let words: Vec<&str> = one_line.split_whitespace().collect();
    let joined = words.join(" ");
    if joined.chars().count() <= max {
        joined
    } else {
        let mut cut: String = joined.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::{America, Europe};

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn the_session_reminder_goes_at_the_start_of_the_working_day_before() {
        let berlin = WorkingHours::nine_to_five(Europe::Berlin);
        // Wednesday 10:00 Berlin → Tuesday 09:00 Berlin (08:00 UTC in winter).
        assert_eq!(
            session_reminder_at(&berlin, utc("2026-12-02T09:00:00Z")),
            utc("2026-12-01T08:00:00Z")
        );
        // Monday → the Friday before.
        assert_eq!(
            session_reminder_at(&berlin, utc("2026-12-07T09:00:00Z")),
            utc("2026-12-04T08:00:00Z")
        );
        // The same session, seen from New York: the day before in New York.
        let ny = WorkingHours::nine_to_five(America::New_York);
        assert_eq!(
            session_reminder_at(&ny, utc("2026-12-02T09:00:00Z")),
            utc("2026-12-01T14:00:00Z")
        );
    }

    #[test]
    fn a_reminder_across_the_change_to_summer_time_keeps_local_hours() {
        let berlin = WorkingHours::nine_to_five(Europe::Berlin);
        // Monday 29 March 2027 (summer time from Sunday 28): Friday 26th 09:00 CET.
        assert_eq!(
            session_reminder_at(&berlin, utc("2027-03-29T08:00:00Z")),
            utc("2027-03-26T08:00:00Z")
        );
        // Tuesday 30th → Monday 29th 09:00 CEST = 07:00 UTC.
        assert_eq!(
            session_reminder_at(&berlin, utc("2027-03-30T08:00:00Z")),
            utc("2027-03-29T07:00:00Z")
        );
    }

    #[test]
    fn the_preparation_reminder_moves_earlier_into_working_hours() {
        let berlin = WorkingHours::nine_to_five(Europe::Berlin);
        // Due Thursday 3 Dec: deadline 17:00; 24 h before is Wednesday 17:00.
        assert_eq!(
            prep_reminder_at(&berlin, day("2026-12-03"), 24),
            utc("2026-12-02T16:00:00Z")
        );
        // 4 h before: Thursday 13:00.
        assert_eq!(
            prep_reminder_at(&berlin, day("2026-12-03"), 4),
            utc("2026-12-03T12:00:00Z")
        );
        // 12 h before is 05:00 Thursday, before the day starts: Wednesday 17:00.
        assert_eq!(
            prep_reminder_at(&berlin, day("2026-12-03"), 12),
            utc("2026-12-02T16:00:00Z")
        );
        // Due Monday, 24 h before is Sunday: the Friday's end.
        assert_eq!(
            prep_reminder_at(&berlin, day("2026-12-07"), 24),
            utc("2026-12-04T16:00:00Z")
        );
    }

    #[test]
    fn digests_go_on_the_first_working_day() {
        assert_eq!(
            first_working_day_of_week(day("2026-12-03")),
            day("2026-11-30")
        );
        assert_eq!(
            first_working_day_of_month(day("2026-11-17")),
            day("2026-11-02")
        );
        assert_eq!(
            first_working_day_of_month(day("2026-12-17")),
            day("2026-12-01")
        );
    }

    #[test]
    fn retries_back_off_to_six_hours() {
        assert_eq!(retry_after(1), Duration::minutes(1));
        assert_eq!(retry_after(2), Duration::minutes(2));
        assert_eq!(retry_after(4), Duration::minutes(8));
        assert_eq!(retry_after(30), Duration::hours(6));
    }

    #[test]
    fn header_text_is_one_line() {
        assert_eq!(
            header_text("Ann\r\nBcc: evil@example.com", 100),
            "Ann Bcc: evil@example.com"
        );
        assert_eq!(header_text("a\u{202E}b", 10), "ab");
        assert_eq!(header_text("abcdef", 4), "abc…");
    }

    #[test]
    fn lead_hours_are_bounded() {
        assert_eq!(validate_lead_hours(24), Ok(24));
        assert!(validate_lead_hours(0).is_err());
        assert!(validate_lead_hours(169).is_err());
    }
}
