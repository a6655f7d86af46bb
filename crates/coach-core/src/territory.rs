//! Territory plans (coaching-model R6): a specific, not complicated
//! prioritization scheme (a few weighted criteria over what Coach knows of
//! each account) ranks a seller's customers into tiers A, B and C; a call
//! pattern says how often each tier is called on; targeted messaging per
//! segment; and plan against execution, month by month, from the call
//! records: checking that sellers do what they said they would.

use crate::FieldError;
use crate::records::vocabulary;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

vocabulary! {
    /// What an account is measured by in a prioritization scheme.
    Measure, "an account measure" {
        /// The account's potential, from the CRM.
        Potential = "potential", "Account potential", [],
        /// The amount of its open deals.
        Pipeline = "pipeline", "Open pipeline", [],
        /// The amount won in the last twelve months.
        Won = "won", "Won in the last 12 months", [],
        /// Whether it is a key account.
        KeyAccount = "key_account", "Key account", [],
        /// How many calls it had in the last 90 days.
        Engagement = "engagement", "Calls in the last 90 days", [],
    }
}

vocabulary! {
    /// A customer's tier.
    Tier, "a tier" {
        /// The first priority.
        A = "a", "A", [],
        /// The second.
        B = "b", "B", [],
        /// The rest.
        C = "c", "C", [],
    }
}

/// Every tier, in order.
pub const TIERS: [Tier; 3] = [Tier::A, Tier::B, Tier::C];

/// A criterion of the scheme and its weight (1–10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    /// What is measured.
    pub measure: Measure,
    /// How much it counts.
    pub weight: u32,
}

/// The most criteria a scheme has: specific, not complicated (R6).
pub const CRITERIA_MAX: usize = 4;

/// A prioritization scheme: weighted criteria, and the share of accounts in
/// tiers A and B (the rest are C).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scheme {
    /// The criteria.
    pub criteria: Vec<Criterion>,
    /// Per cent of accounts in tier A.
    pub a_share: u32,
    /// Per cent in tier B.
    pub b_share: u32,
}

impl Default for Scheme {
    /// Potential first, then pipeline and key accounts; a fifth in A, three
    /// tenths in B.
    fn default() -> Self {
        Scheme {
            criteria: vec![
                Criterion {
                    measure: Measure::Potential,
                    weight: 5,
                },
                Criterion {
                    measure: Measure::Pipeline,
                    weight: 3,
                },
                Criterion {
                    measure: Measure::KeyAccount,
                    weight: 2,
                },
            ],
            a_share: 20,
            b_share: 30,
        }
    }
}

impl Scheme {
    /// Checks a scheme: one to four different criteria, weights 1–10, and
    /// shares that leave room for tier C.
    pub fn checked(self) -> Result<Scheme, FieldError> {
        if self.criteria.is_empty() || self.criteria.len() > CRITERIA_MAX {
            return Err(FieldError::new(
                "criteria",
                format!("expected 1 to {CRITERIA_MAX} criteria: specific, not complicated (R6)"),
            ));
        }
        for (i, c) in self.criteria.iter().enumerate() {
            if !(1..=10).contains(&c.weight) {
                return Err(FieldError::new("criteria", "expected weights from 1 to 10"));
            }
            if self.criteria[..i].iter().any(|o| o.measure == c.measure) {
                return Err(FieldError::new(
                    "criteria",
                    format!("{} is in the scheme twice", c.measure.label()),
                ));
            }
        }
        if self.a_share == 0 || self.b_share == 0 || self.a_share + self.b_share >= 100 {
            return Err(FieldError::new(
                "a_share",
                "expected shares for A and B above 0 that leave some accounts in C",
            ));
        }
        Ok(self)
    }
}

/// What Coach knows of an account, for the scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// The account's id.
    pub id: String,
    /// Its potential.
    pub potential: Decimal,
    /// Its open pipeline.
    pub pipeline: Decimal,
    /// Won in the last twelve months.
    pub won: Decimal,
    /// Whether it is a key account.
    pub key_account: bool,
    /// Calls in the last 90 days.
    pub calls: u32,
}

impl Facts {
    fn value(&self, m: Measure) -> Decimal {
        match m {
            Measure::Potential => self.potential,
            Measure::Pipeline => self.pipeline,
            Measure::Won => self.won,
            Measure::KeyAccount => Decimal::from(u8::from(self.key_account)),
            Measure::Engagement => Decimal::from(self.calls),
        }
    }
}

/// Each account's score, 0–100: the weighted mean of its measures, each
/// relative to the highest of the seller's accounts.
pub fn scores(scheme: &Scheme, accounts: &[Facts]) -> BTreeMap<String, u32> {
    let total: u32 = scheme.criteria.iter().map(|c| c.weight).sum();
    let highest: Vec<Decimal> = scheme
        .criteria
        .iter()
        .map(|c| {
            accounts
                .iter()
                .map(|a| a.value(c.measure))
                .max()
                .unwrap_or_default()
        })
        .collect();
    accounts
        .iter()
        .map(|a| {
            let sum: Decimal = scheme
                .criteria
                .iter()
                .zip(&highest)
                .filter(|(_, h)| **h > Decimal::ZERO)
                .map(|(c, h)| a.value(c.measure).max(Decimal::ZERO) / *h * Decimal::from(c.weight))
                .sum();
            let score = if total == 0 {
                Decimal::ZERO
            } else {
                sum * Decimal::from(100) / Decimal::from(total)
            };
            (a.id.clone(), score.round().try_into().unwrap_or(0))
        })
        .collect()
}

/// The tiers the scheme gives: accounts by score, highest first (ties by
/// id), the first `a_share` per cent in A (at least one), the next
/// `b_share` per cent in B, the rest in C.
pub fn tiers(scheme: &Scheme, scores: &BTreeMap<String, u32>) -> BTreeMap<String, Tier> {
    let mut ranked: Vec<(&String, u32)> = scores.iter().map(|(id, s)| (id, *s)).collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let n = ranked.len();
    let share = |pct: u32| (n * pct as usize).div_ceil(100);
    let a = share(scheme.a_share).max(usize::from(n > 0));
    let b = share(scheme.b_share);
    ranked
        .into_iter()
        .enumerate()
        .map(|(i, (id, _))| {
            let tier = if i < a {
                Tier::A
            } else if i < a + b {
                Tier::B
            } else {
                Tier::C
            };
            (id.clone(), tier)
        })
        .collect()
}

/// How often each tier is called on, in calls per account per month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallPattern {
    /// Tier A.
    pub a: Decimal,
    /// Tier B.
    pub b: Decimal,
    /// Tier C.
    pub c: Decimal,
}

impl Default for CallPattern {
    /// Twice a month for A, monthly for B, once a quarter for C.
    fn default() -> Self {
        CallPattern {
            a: Decimal::from(2),
            b: Decimal::ONE,
            c: Decimal::new(3, 1),
        }
    }
}

impl CallPattern {
    /// The calls per account per month of a tier.
    pub fn of(&self, tier: Tier) -> Decimal {
        match tier {
            Tier::A => self.a,
            Tier::B => self.b,
            Tier::C => self.c,
        }
    }

    /// Checks a pattern: 0–20 calls a month, not more often for a lower tier.
    pub fn checked(self) -> Result<CallPattern, FieldError> {
        let max = Decimal::from(20);
        for (field, v) in [
            ("calls_a", self.a),
            ("calls_b", self.b),
            ("calls_c", self.c),
        ] {
            if v < Decimal::ZERO || v > max {
                return Err(FieldError::new(
                    field,
                    "expected 0 to 20 calls per account a month",
                ));
            }
        }
        if self.b > self.a || self.c > self.b {
            return Err(FieldError::new(
                "calls_b",
                "expected a lower tier to be called on no more often than a higher one",
            ));
        }
        Ok(CallPattern {
            a: self.a.normalize(),
            b: self.b.normalize(),
            c: self.c.normalize(),
        })
    }
}

/// One tier's plan against execution in one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TierMonth {
    /// The tier.
    pub tier: Tier,
    /// Accounts in it.
    pub accounts: u32,
    /// Calls the pattern asks for (accounts × calls per month), rounded to tenths.
    pub planned: Decimal,
    /// Calls made on its accounts.
    pub made: u32,
    /// Accounts that had at least one call.
    pub reached: u32,
}

impl TierMonth {
    /// Calls made as a share of those planned, in per cent (none planned: none).
    pub fn percent(&self) -> Option<u32> {
        (self.planned > Decimal::ZERO).then(|| {
            (Decimal::from(self.made) * Decimal::from(100) / self.planned)
                .round()
                .try_into()
                .unwrap_or(0)
        })
    }
}

/// The first day of the month `back` months before `today`'s.
pub fn month_start(today: NaiveDate, back: u32) -> NaiveDate {
    let months = today.year() * 12 + today.month0() as i32 - back as i32;
    NaiveDate::from_ymd_opt(months.div_euclid(12), months.rem_euclid(12) as u32 + 1, 1)
        .unwrap_or(today)
}

/// Plan against execution for the `months` months up to `today`'s, oldest
/// first: per tier, the calls the pattern asks for and the calls made on
/// the tier's accounts (R6). Calls on accounts outside the territory are
/// left out.
pub fn execution(
    today: NaiveDate,
    months: u32,
    tiers: &BTreeMap<String, Tier>,
    pattern: &CallPattern,
    calls: &[(String, NaiveDate)],
) -> Vec<(NaiveDate, Vec<TierMonth>)> {
    let first = month_start(today, months.saturating_sub(1));
    let index = |day: NaiveDate| -> Option<usize> {
        let back = (today.year() - day.year()) * 12 + today.month0() as i32 - day.month0() as i32;
        (day >= first && back >= 0 && back < months as i32)
            .then(|| (months as i32 - 1 - back) as usize)
    };
    let tier_index = |t: Tier| TIERS.iter().position(|x| *x == t).unwrap_or(2);
    // Per month and tier: calls made, and the accounts reached.
    let mut made = vec![[0u32; 3]; months as usize];
    let mut reached: Vec<[std::collections::BTreeSet<&str>; 3]> =
        (0..months).map(|_| Default::default()).collect();
    for (account, day) in calls {
        let (Some(m), Some(tier)) = (index(*day), tiers.get(account)) else {
            continue;
        };
        let t = tier_index(*tier);
        made[m][t] += 1;
        reached[m][t].insert(account.as_str());
    }
    let mut members = [0u32; 3];
    for tier in tiers.values() {
        members[tier_index(*tier)] += 1;
    }
    (0..months as usize)
        .map(|m| {
            let start = month_start(today, months - 1 - m as u32);
            let rows = TIERS
                .into_iter()
                .enumerate()
                .map(|(t, tier)| TierMonth {
                    tier,
                    accounts: members[t],
                    planned: (Decimal::from(members[t]) * pattern.of(tier))
                        .round_dp(1)
                        .normalize(),
                    made: made[m][t],
                    reached: u32::try_from(reached[m][t].len()).unwrap_or(u32::MAX),
                })
                .collect();
            (start, rows)
        })
        .collect()
}

/// Targeted messaging for one segment (R6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// The segment, as the CRM names it.
    pub segment: String,
    /// What to say to win customers in it.
    pub message: String,
}

#[cfg(test)]
mod tests;
