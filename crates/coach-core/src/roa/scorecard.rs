//! The seller scorecard (R2–R5): for a period, each activity against its
//! quantitative and qualitative standard, the objectives those activities
//! drive and the results those drive, with the flags a manager acts on; and
//! adoption, the share of sellers meeting each standard week by week.

use super::{ActivityGroup, MeasureLevel, Metric, Per, Period, Rubric, Unit, Week};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// One version of an activity type's standards.
#[derive(Debug, Clone, PartialEq)]
pub struct StandardFacts {
    /// Its version number (1, 2, …).
    pub seq: i64,
    /// The day it took effect.
    pub from: NaiveDate,
    /// How many per period.
    pub count: u32,
    /// The period.
    pub per: Per,
    /// The team it applies to (the leader's id), or every seller.
    pub team: Option<String>,
    /// What good looks like.
    pub rubric: Rubric,
}

impl StandardFacts {
    /// Whether it applies to a seller who reports to `manager`.
    pub fn applies_to(&self, manager: Option<&str>) -> bool {
        self.team.as_deref().is_none_or(|t| manager == Some(t))
    }
}

/// An activity type as the scorecard reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityFacts {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its group.
    pub group: ActivityGroup,
    /// Whether sellers are held to it now.
    pub active: bool,
    /// The objectives it drives.
    pub drives: Vec<String>,
    /// Its standards, oldest first.
    pub standards: Vec<StandardFacts>,
}

impl ActivityFacts {
    /// The standard in force on `day`.
    pub fn standard_on(&self, day: NaiveDate) -> Option<&StandardFacts> {
        self.standards.iter().rev().find(|s| s.from <= day)
    }

    /// The standard with this version number.
    pub fn standard(&self, seq: i64) -> Option<&StandardFacts> {
        self.standards.iter().find(|s| s.seq == seq)
    }
}

/// A result or objective as the scorecard reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureFacts {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Result or objective.
    pub level: MeasureLevel,
    /// Its unit.
    pub unit: Unit,
    /// Where its values come from.
    pub metric: Metric,
    /// For an objective: the results it drives.
    pub drives: Vec<String>,
}

/// The organization's model.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelView {
    /// Activity types, in display order.
    pub activity_types: Vec<ActivityFacts>,
    /// Results and objectives, in display order.
    pub measures: Vec<MeasureFacts>,
}

/// A quality score of one activity.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreFacts {
    /// The activity type.
    pub type_id: String,
    /// The day of the activity.
    pub occurred_on: NaiveDate,
    /// The standard it was judged against (the one in force on that day).
    pub standard_seq: i64,
    /// One level per criterion.
    pub levels: Vec<u8>,
}

/// The value of a measure for a seller and period.
#[derive(Debug, Clone, PartialEq)]
pub enum MeasureValue {
    /// Sums of money by currency.
    Money(BTreeMap<String, Decimal>),
    /// `won` of `of` closed deals.
    Rate {
        /// Deals won.
        won: u64,
        /// Deals closed.
        of: u64,
    },
    /// A count.
    Count(u64),
    /// A value entered by a person (or sent through the API).
    Entered(Decimal),
    /// No value yet.
    Missing,
}

impl MeasureValue {
    /// The value as one number, if it is one: a single currency's sum, a rate
    /// in percent (of at least one deal), a count, an entered value.
    pub fn number(&self) -> Option<Decimal> {
        match self {
            MeasureValue::Money(sums) if sums.len() == 1 => sums.values().next().copied(),
            MeasureValue::Money(sums) if sums.is_empty() => Some(Decimal::ZERO),
            MeasureValue::Rate { won, of } if *of > 0 => {
                Some(Decimal::from(*won) * Decimal::from(100) / Decimal::from(*of))
            }
            MeasureValue::Count(n) => Some(Decimal::from(*n)),
            MeasureValue::Entered(v) => Some(*v),
            _ => None,
        }
    }
}

/// What the scorecard knows about one seller.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SellerFacts {
    /// Their id.
    pub id: String,
    /// Their manager's id.
    pub manager_id: Option<String>,
    /// How many activities of each type they performed each day.
    pub activities: Vec<(String, NaiveDate, u64)>,
    /// Quality scores of their activities.
    pub scores: Vec<ScoreFacts>,
    /// Measure values for the period.
    pub values: BTreeMap<String, MeasureValue>,
    /// Targets that apply to them for the period.
    pub targets: BTreeMap<String, Decimal>,
}

/// How many activities a standard asks for over a period: `num / den`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expected {
    /// Numerator.
    pub num: u64,
    /// Denominator.
    pub den: u64,
    /// The standard's count.
    pub count: u32,
    /// The standard's period.
    pub per: Per,
}

impl Expected {
    /// Whether `done` reaches it.
    pub fn met_by(&self, done: u64) -> bool {
        done * self.den >= self.num
    }

    /// The number, to one decimal when it is not whole: "8.6".
    pub fn display(&self) -> String {
        if self.den == 0 || self.num.is_multiple_of(self.den) {
            (self.num / self.den.max(1)).to_string()
        } else {
            let tenths = (self.num * 10 + self.den / 2) / self.den;
            format!("{}.{}", tenths / 10, tenths % 10)
        }
    }
}

/// One activity type on a seller's scorecard.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityLine {
    /// The activity type.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its group.
    pub group: ActivityGroup,
    /// Activities in the period.
    pub count: u64,
    /// What the standard in force asks for the whole period, if one applies.
    pub expected: Option<Expected>,
    /// What it asks for by now, when the period is still running.
    pub due_by_now: Option<Expected>,
    /// Whether the count meets the quantitative standard (by now, if the
    /// period is running).
    pub quantity_met: Option<bool>,
    /// Activities scored for quality.
    pub scored: u64,
    /// Of those, the ones that met the rubric in force when they happened.
    pub scored_good: u64,
    /// Whether at least half of the scored activities met it.
    pub quality_met: Option<bool>,
    /// The objectives it drives.
    pub drives: Vec<String>,
    /// Whether one of those is an objective the seller has a target on (R3).
    pub measured: bool,
}

impl ActivityLine {
    /// Below its quantitative or qualitative standard.
    pub fn below_standard(&self) -> bool {
        self.quantity_met == Some(false) || self.quality_met == Some(false)
    }
}

/// One result or objective on a seller's scorecard.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureLine {
    /// The measure.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its unit.
    pub unit: Unit,
    /// Where its value comes from.
    pub metric: Metric,
    /// The value.
    pub value: MeasureValue,
    /// The seller's target, if they have one.
    pub target: Option<Decimal>,
    /// Whether the value reaches the target.
    pub target_met: Option<bool>,
    /// What it drives (an objective's results).
    pub drives: Vec<String>,
    /// What drives it (activity types for objectives, objectives for results).
    pub driven_by: Vec<String>,
}

/// The scorecard of one seller for one period.
#[derive(Debug, Clone, PartialEq)]
pub struct Scorecard {
    /// The period.
    pub period: Period,
    /// Whether the period is still running.
    pub running: bool,
    /// Activity lines, in the model's order.
    pub activities: Vec<ActivityLine>,
    /// Objectives.
    pub objectives: Vec<MeasureLine>,
    /// Results.
    pub results: Vec<MeasureLine>,
}

impl Scorecard {
    /// Activities that drive nothing the seller is measured on (R3).
    pub fn unaligned(&self) -> impl Iterator<Item = &ActivityLine> {
        self.activities.iter().filter(|a| !a.measured)
    }
}

fn target_met(value: &MeasureValue, target: Option<Decimal>) -> Option<bool> {
    Some(value.number()? >= target?)
}

/// The scorecard of `seller` for `period`, read on `today`.
pub fn scorecard(
    model: &ModelView,
    seller: &SellerFacts,
    period: Period,
    today: NaiveDate,
) -> Scorecard {
    let running = period.contains(today);
    let as_of = if running { today } else { period.last_day() };
    let mut activities = Vec::new();
    for t in &model.activity_types {
        let count = seller
            .activities
            .iter()
            .filter(|(id, day, _)| *id == t.id && period.contains(*day))
            .map(|(_, _, n)| n)
            .sum::<u64>();
        let standard = t
            .standard_on(as_of)
            .filter(|s| t.active && s.applies_to(seller.manager_id.as_deref()));
        let scores: Vec<&ScoreFacts> = seller
            .scores
            .iter()
            .filter(|s| s.type_id == t.id && period.contains(s.occurred_on))
            .collect();
        if standard.is_none() && count == 0 && scores.is_empty() {
            continue;
        }
        let expected = standard.map(|s| {
            let (num, den) = period.expected(s.count, s.per);
            Expected {
                num,
                den,
                count: s.count,
                per: s.per,
            }
        });
        let due_by_now = expected.filter(|_| running).map(|e| {
            let elapsed = u64::try_from((today - period.start()).num_days() + 1).unwrap_or(0);
            let days = u64::try_from(period.days()).unwrap_or(1).max(1);
            Expected {
                num: e.num * elapsed,
                den: e.den * days,
                ..e
            }
        });
        let quantity_met = due_by_now.or(expected).map(|e| e.met_by(count));
        let scored = scores.len() as u64;
        let scored_good = scores
            .iter()
            .filter(|s| {
                t.standard(s.standard_seq)
                    .is_some_and(|st| st.rubric.meets(&s.levels))
            })
            .count() as u64;
        let quality_met = (scored > 0).then_some(scored_good * 2 >= scored);
        let measured = t.drives.iter().any(|o| seller.targets.contains_key(o));
        activities.push(ActivityLine {
            id: t.id.clone(),
            name: t.name.clone(),
            group: t.group,
            count,
            expected,
            due_by_now,
            quantity_met,
            scored,
            scored_good,
            quality_met,
            drives: t.drives.clone(),
            measured,
        });
    }
    let line = |m: &MeasureFacts, driven_by: Vec<String>| {
        let value = seller
            .values
            .get(&m.id)
            .cloned()
            .unwrap_or(MeasureValue::Missing);
        let target = seller.targets.get(&m.id).copied();
        MeasureLine {
            id: m.id.clone(),
            name: m.name.clone(),
            unit: m.unit,
            metric: m.metric,
            target_met: target_met(&value, target),
            value,
            target,
            drives: m.drives.clone(),
            driven_by,
        }
    };
    let objectives = model
        .measures
        .iter()
        .filter(|m| m.level == MeasureLevel::Objective)
        .map(|m| {
            let by = activities
                .iter()
                .filter(|a| a.drives.contains(&m.id))
                .map(|a| a.id.clone())
                .collect();
            line(m, by)
        })
        .collect::<Vec<_>>();
    let results = model
        .measures
        .iter()
        .filter(|m| m.level == MeasureLevel::Result)
        .map(|m| {
            let by = objectives
                .iter()
                .filter(|o| o.drives.contains(&m.id))
                .map(|o| o.id.clone())
                .collect();
            line(m, by)
        })
        .collect();
    Scorecard {
        period,
        running,
        activities,
        objectives,
        results,
    }
}

/// One week of an activity type's adoption.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdoptionWeek {
    /// The week.
    pub week: Week,
    /// Sellers on pace for the standard in force that week.
    pub met: u64,
    /// Sellers the standard applied to.
    pub of: u64,
}

/// An activity type's adoption over time (R5).
#[derive(Debug, Clone, PartialEq)]
pub struct Adoption {
    /// The activity type.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Week by week, oldest first.
    pub weeks: Vec<AdoptionWeek>,
}

/// For each active activity type, week by week: of the sellers its standard
/// (in force that week) applies to, how many were on pace with it. A weekly
/// standard is met within the week; a monthly or quarterly one when the count
/// since the period began reaches the share of it the days elapsed call for.
pub fn adoption(model: &ModelView, sellers: &[SellerFacts], weeks: &[Week]) -> Vec<Adoption> {
    // Each seller's days of each type, read once.
    let by_type: Vec<BTreeMap<&str, Vec<(NaiveDate, u64)>>> = sellers
        .iter()
        .map(|s| {
            let mut m: BTreeMap<&str, Vec<(NaiveDate, u64)>> = BTreeMap::new();
            for (t, d, n) in &s.activities {
                m.entry(t.as_str()).or_default().push((*d, *n));
            }
            m
        })
        .collect();
    model
        .activity_types
        .iter()
        .filter(|t| t.active)
        .map(|t| {
            let weeks = weeks
                .iter()
                .map(|w| {
                    let (mut met, mut of) = (0, 0);
                    if let Some(s) = t.standard_on(w.sunday()) {
                        let (from, to) = w.window(s.per);
                        for (seller, days) in sellers.iter().zip(&by_type) {
                            if !s.applies_to(seller.manager_id.as_deref()) {
                                continue;
                            }
                            of += 1;
                            let done = days.get(t.id.as_str()).map_or(0, |v| {
                                v.iter()
                                    .filter(|(d, _)| from <= *d && *d <= to)
                                    .map(|(_, n)| n)
                                    .sum::<u64>()
                            });
                            if w.on_pace(s.per, s.count, done) {
                                met += 1;
                            }
                        }
                    }
                    AdoptionWeek { week: *w, met, of }
                })
                .collect();
            Adoption {
                id: t.id.clone(),
                name: t.name.clone(),
                weeks,
            }
        })
        .collect()
}
