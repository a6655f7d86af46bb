//! The periods the scorecard reads over: calendar months ("2026-11") and
//! quarters ("2026-Q4"), and the weeks (Monday to Sunday) adoption is counted
//! in (R5).

use super::Per;
use crate::FieldError;
use chrono::{Datelike, Days, NaiveDate};
use std::fmt;
use std::str::FromStr;

/// A calendar month or quarter: the days from `start` up to, not including,
/// `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    start: NaiveDate,
    end: NaiveDate,
    quarter: bool,
}

fn first_of(year: i32, month: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, 1)
}

fn months_later(d: NaiveDate, months: u32) -> NaiveDate {
    d.checked_add_months(chrono::Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

impl Period {
    /// The calendar month.
    pub fn month(year: i32, month: u32) -> Option<Period> {
        let start = first_of(year, month)?;
        Some(Period {
            start,
            end: months_later(start, 1),
            quarter: false,
        })
    }

    /// The calendar quarter (1–4).
    pub fn quarter(year: i32, quarter: u32) -> Option<Period> {
        if !(1..=4).contains(&quarter) {
            return None;
        }
        let start = first_of(year, (quarter - 1) * 3 + 1)?;
        Some(Period {
            start,
            end: months_later(start, 3),
            quarter: true,
        })
    }

    /// The month that contains `day`.
    pub fn month_of(day: NaiveDate) -> Period {
        Period::month(day.year(), day.month()).unwrap_or(Period {
            start: day,
            end: day,
            quarter: false,
        })
    }

    /// The quarter that contains `day`.
    pub fn quarter_of(day: NaiveDate) -> Period {
        Period::quarter(day.year(), day.month0() / 3 + 1).unwrap_or(Period {
            start: day,
            end: day,
            quarter: true,
        })
    }

    /// The first day.
    pub fn start(&self) -> NaiveDate {
        self.start
    }

    /// The day after the last day.
    pub fn end(&self) -> NaiveDate {
        self.end
    }

    /// The last day.
    pub fn last_day(&self) -> NaiveDate {
        self.end.pred_opt().unwrap_or(self.end)
    }

    /// Whether `day` falls in the period.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.start <= day && day < self.end
    }

    /// How many days it has.
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days()
    }

    /// Whether it is a quarter (else a month).
    pub fn is_quarter(&self) -> bool {
        self.quarter
    }

    /// The period before.
    pub fn previous(&self) -> Period {
        let day = self.start.pred_opt().unwrap_or(self.start);
        if self.quarter {
            Period::quarter_of(day)
        } else {
            Period::month_of(day)
        }
    }

    /// The period after.
    pub fn next(&self) -> Period {
        if self.quarter {
            Period::quarter_of(self.end)
        } else {
            Period::month_of(self.end)
        }
    }

    /// How people read it: "November 2026", "Q4 2026".
    pub fn label(&self) -> String {
        if self.quarter {
            format!("Q{} {}", self.start.month0() / 3 + 1, self.start.year())
        } else {
            self.start.format("%B %Y").to_string()
        }
    }

    /// How many activities a standard of `count` per `per` asks for over this
    /// period, as a fraction `(numerator, denominator)`: a weekly standard
    /// over a 30-day month asks for count × 30 / 7.
    pub fn expected(&self, count: u32, per: Per) -> (u64, u64) {
        let count = u64::from(count);
        let days = u64::try_from(self.days()).unwrap_or(0);
        match (per, self.quarter) {
            (Per::Week, _) => (count * days, 7),
            (Per::Month, false) | (Per::Quarter, true) => (count, 1),
            (Per::Month, true) => (count * 3, 1),
            (Per::Quarter, false) => (count, 3),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.quarter {
            write!(f, "{}-Q{}", self.start.year(), self.start.month0() / 3 + 1)
        } else {
            write!(f, "{}", self.start.format("%Y-%m"))
        }
    }
}

impl FromStr for Period {
    type Err = FieldError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            FieldError::new(
                "period",
                format!(
                    "expected a month as YYYY-MM or a quarter as YYYY-Qn, e.g. 2026-11 or 2026-Q4; got {}",
                    crate::tabular::quote(s)
                ),
            )
        };
        let (year, rest) = s.trim().split_once('-').ok_or_else(bad)?;
        let year: i32 = year.parse().map_err(|_| bad())?;
        if !(2000..=2200).contains(&year) {
            return Err(bad());
        }
        if let Some(q) = rest.strip_prefix(['Q', 'q']) {
            let q: u32 = q.parse().map_err(|_| bad())?;
            return Period::quarter(year, q).ok_or_else(bad);
        }
        if rest.len() != 2 {
            return Err(bad());
        }
        let m: u32 = rest.parse().map_err(|_| bad())?;
        Period::month(year, m).ok_or_else(bad)
    }
}

/// A week, Monday to Sunday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Week {
    /// Its Monday.
    pub monday: NaiveDate,
}

impl Week {
    /// The week that contains `day`.
    pub fn of(day: NaiveDate) -> Week {
        let back = u64::from(day.weekday().num_days_from_monday());
        Week {
            monday: day.checked_sub_days(Days::new(back)).unwrap_or(day),
        }
    }

    /// Its Sunday.
    pub fn sunday(&self) -> NaiveDate {
        self.monday
            .checked_add_days(Days::new(6))
            .unwrap_or(self.monday)
    }

    /// Whether `day` falls in the week.
    pub fn contains(&self, day: NaiveDate) -> bool {
        Week::of(day) == *self
    }

    /// The `n` weeks that end with the week of `last`, oldest first.
    pub fn ending(last: NaiveDate, n: usize) -> Vec<Week> {
        let end = Week::of(last);
        (0..n)
            .rev()
            .filter_map(|back| {
                end.monday
                    .checked_sub_days(Days::new(7 * back as u64))
                    .map(|monday| Week { monday })
            })
            .collect()
    }

    /// Whether a seller with `done` activities from the start of the
    /// standard's period up to this week's Sunday is on pace for `count` per
    /// `per`: a weekly standard wants the count within the week; a monthly or
    /// quarterly one wants the share of it the days elapsed call for.
    pub fn window(&self, per: Per) -> (NaiveDate, NaiveDate) {
        let sunday = self.sunday();
        let start = match per {
            Per::Week => self.monday,
            Per::Month => Period::month_of(sunday).start(),
            Per::Quarter => Period::quarter_of(sunday).start(),
        };
        (start, sunday)
    }

    /// Whether `done` activities in [`Week::window`] are on pace for the
    /// standard.
    pub fn on_pace(&self, per: Per, count: u32, done: u64) -> bool {
        let sunday = self.sunday();
        let count = u64::from(count);
        let (period_days, elapsed) = match per {
            Per::Week => return done >= count,
            Per::Month => {
                let p = Period::month_of(sunday);
                (p.days(), (sunday - p.start()).num_days() + 1)
            }
            Per::Quarter => {
                let p = Period::quarter_of(sunday);
                (p.days(), (sunday - p.start()).num_days() + 1)
            }
        };
        let (period_days, elapsed) = (
            u64::try_from(period_days).unwrap_or(1),
            u64::try_from(elapsed).unwrap_or(0),
        );
        done * period_days >= count * elapsed
    }

    /// "16 Nov".
    pub fn label(&self) -> String {
        self.monday.format("%-d %b").to_string()
    }
}
