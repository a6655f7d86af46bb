//! One text form for instants, shared by both databases: UTC, fixed width,
//! microseconds, so that text order is time order.

use chrono::{DateTime, NaiveDateTime, Utc};

const FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6fZ";

/// Formats an instant for storage.
pub fn to_db(t: DateTime<Utc>) -> String {
    t.format(FORMAT).to_string()
}

/// Reads an instant written by [`to_db`].
pub fn from_db(s: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(s, FORMAT)
        .ok()
        .map(|n| n.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn stored_instants_round_trip_and_sort_as_text() {
        let a = Utc
            .with_ymd_and_hms(2026, 3, 1, 9, 5, 0)
            .single()
            .unwrap_or_default();
        let b = Utc
            .with_ymd_and_hms(2026, 11, 26, 13, 0, 0)
            .single()
            .unwrap_or_default();
        assert_eq!(from_db(&to_db(a)), Some(a));
        assert!(to_db(a) < to_db(b));
        assert_eq!(to_db(a), "2026-03-01T09:05:00.000000Z");
    }
}
