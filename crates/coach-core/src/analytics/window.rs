//! The days a dashboard looks at, and the moderate amount of coaching a
//! seller gets in a month (R15).

use crate::FieldError;
use chrono::{Datelike as _, Duration, NaiveDate};

/// The longest window the dashboards look at: ten years.
pub const MAX_WINDOW_DAYS: i64 = 3653;

/// The windows offered as one click: days back from today, and their names.
pub const PRESETS: [(i64, &str); 5] = [
    (30, "30 days"),
    (91, "3 months"),
    (182, "6 months"),
    (365, "12 months"),
    (730, "2 years"),
];

/// The window a dashboard shows when none is chosen: the last three months.
pub const DEFAULT_DAYS: i64 = 91;

/// The days a dashboard looks at, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// The first day.
    pub from: NaiveDate,
    /// The last day.
    pub to: NaiveDate,
}

impl Window {
    /// The `days` days up to and including `today`.
    pub fn last(days: i64, today: NaiveDate) -> Window {
        Window {
            from: today - Duration::days(days.max(1) - 1),
            to: today,
        }
    }

    /// Reads a window from the `from` and `to` of a request; a missing end
    /// defaults to today, a missing start to three months before the end.
    pub fn parse(from: &str, to: &str, today: NaiveDate) -> Result<Window, FieldError> {
        let day = |field: &'static str, raw: &str| -> Result<Option<NaiveDate>, FieldError> {
            let raw = raw.trim();
            if raw.is_empty() {
                return Ok(None);
            }
            NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| {
                    FieldError::new(
                        field,
                        format!(
                            "expected a date like 2026-03-31; got {}",
                            crate::tabular::quote(raw)
                        ),
                    )
                })
        };
        let to = day("to", to)?.unwrap_or(today);
        let from = day("from", from)?.unwrap_or(to - Duration::days(DEFAULT_DAYS - 1));
        if from > to {
            return Err(FieldError::new(
                "from",
                format!("expected a first day on or before the last day ({to})"),
            ));
        }
        if (to - from).num_days() >= MAX_WINDOW_DAYS {
            return Err(FieldError::new(
                "from",
                "expected a window of at most ten years",
            ));
        }
        Ok(Window { from, to })
    }

    /// How many days it holds.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// How many months it holds (a month being a twelfth of a year).
    pub fn months(&self) -> f64 {
        self.days() as f64 / (365.25 / 12.0)
    }

    /// Whether `day` is in it.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.to
    }

    /// The window of the same length just before this one.
    pub fn previous(&self) -> Window {
        let to = self.from - Duration::days(1);
        Window {
            from: to - Duration::days(self.days() - 1),
            to,
        }
    }

    /// The calendar months it touches, each cut to the window, oldest first.
    pub fn month_slices(&self) -> Vec<Window> {
        let mut out = Vec::new();
        let mut start = self.from;
        while start <= self.to {
            let next = if start.month() == 12 {
                NaiveDate::from_ymd_opt(start.year() + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(start.year(), start.month() + 1, 1)
            };
            let Some(next) = next else { break };
            let end = (next - Duration::days(1)).min(self.to);
            out.push(Window {
                from: start,
                to: end,
            });
            start = next;
        }
        out
    }

    /// For people: "1 Sep 2026 – 29 Nov 2026".
    pub fn label(&self) -> String {
        format!(
            "{} – {}",
            self.from.format("%-d %b %Y"),
            self.to.format("%-d %b %Y")
        )
    }
}

/// The organization's moderate amount of coaching per seller per month
/// (R15), in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Band {
    /// Less than this is too little.
    pub low_minutes: u32,
    /// More than this is too much.
    pub high_minutes: u32,
}

impl Default for Band {
    /// Two to six hours a month: about what the cadence defaults of R10–R13
    /// add up to, with calls as needed.
    fn default() -> Band {
        Band {
            low_minutes: 120,
            high_minutes: 360,
        }
    }
}

impl Band {
    /// Checks a band: 0 to 40 hours a month, the low end below the high.
    pub fn new(low_minutes: i64, high_minutes: i64) -> Result<Band, FieldError> {
        let check = |field: &'static str, v: i64| match u32::try_from(v) {
            Ok(m @ 0..=2400) => Ok(m),
            _ => Err(FieldError::new(
                field,
                format!("expected 0 to 2400 minutes a month; got {v}"),
            )),
        };
        let low = check("band_low_minutes", low_minutes)?;
        let high = check("band_high_minutes", high_minutes)?;
        if low >= high {
            return Err(FieldError::new(
                "band_high_minutes",
                format!("expected more than the low end ({low} minutes)"),
            ));
        }
        Ok(Band {
            low_minutes: low,
            high_minutes: high,
        })
    }

    /// Where `minutes_per_month` falls.
    pub fn place(&self, minutes_per_month: f64) -> BandPlace {
        if minutes_per_month < f64::from(self.low_minutes) {
            BandPlace::Below
        } else if minutes_per_month > f64::from(self.high_minutes) {
            BandPlace::Above
        } else {
            BandPlace::Within
        }
    }

    /// For people: "2–6 h".
    pub fn label(&self) -> String {
        format!(
            "{}–{} h",
            hours_text(f64::from(self.low_minutes) / 60.0),
            hours_text(f64::from(self.high_minutes) / 60.0)
        )
    }
}

fn hours_text(h: f64) -> String {
    if (h - h.round()).abs() < 0.05 {
        format!("{}", h.round())
    } else {
        format!("{h:.1}")
    }
}

/// Where a seller's coaching falls against the band (R15).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BandPlace {
    /// Less than the band.
    Below,
    /// In the band.
    Within,
    /// More than the band.
    Above,
}

impl BandPlace {
    /// For people.
    pub fn label(self) -> &'static str {
        match self {
            BandPlace::Below => "below the band",
            BandPlace::Within => "in the band",
            BandPlace::Above => "above the band",
        }
    }
}
