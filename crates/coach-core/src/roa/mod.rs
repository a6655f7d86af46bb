//! The ROA model (coaching-model R1–R5, R44): business **results** are driven
//! by sales **objectives**, which are driven by sales **activities**. Managers
//! coach activities, because activities are all they can manage (R1). Every
//! activity type carries a quantitative standard (how many, per what period,
//! for which sellers) and a qualitative one (a rubric: what good looks like);
//! it cannot be active without both (R4).

mod defaults;
mod period;
mod scorecard;
#[cfg(test)]
mod tests;

pub use defaults::{DefaultActivity, DefaultMeasure, DefaultModel, default_model};
pub use period::{Period, Week};
pub use scorecard::{
    ActivityFacts, ActivityLine, Adoption, AdoptionWeek, Expected, MeasureFacts, MeasureLine,
    MeasureValue, ModelView, ScoreFacts, Scorecard, SellerFacts, StandardFacts, adoption,
    scorecard,
};

use crate::FieldError;
use crate::records::vocabulary;
use serde::{Deserialize, Serialize};

vocabulary! {
    /// The four kinds of sales activity, which are also the four kinds of
    /// coaching (R6–R9).
    ActivityGroup, "an activity group" {
        /// Managing many customers and prospects: priorities, call patterns,
        /// targeted messaging (R6).
        Territory = "territory", "Territory", [],
        /// Key accounts: assessment, goals, people, plans (R7).
        Account = "account", "Account", ["key account"],
        /// Moving a deal through the buyer's stages (R8).
        Opportunity = "opportunity", "Opportunity", ["deal"],
        /// Customer calls: planning and holding them (R9).
        Call = "call", "Call", ["sales call"],
    }
}

vocabulary! {
    /// Where a measure sits in the chain (R2).
    MeasureLevel, "a level" {
        /// A business result: revenue, profit, market share.
        Result = "result", "Business result", ["results"],
        /// A sales objective (KPI): close rate, pipeline created, penetration.
        Objective = "objective", "Sales objective", ["objectives", "kpi"],
    }
}

vocabulary! {
    /// What a measure counts in.
    Unit, "a unit" {
        /// An amount of money, in the organization's currencies.
        Money = "money", "Money", ["amount", "currency"],
        /// A share, in percent.
        Percent = "percent", "Percent", ["%", "rate", "share"],
        /// A plain number.
        Count = "count", "Number", ["number"],
    }
}

vocabulary! {
    /// Where a measure's values come from: computed from Coach's own CRM data,
    /// or entered (and imported through the API) by people.
    Metric, "a source" {
        /// Amounts of the seller's deals won with a close date in the period.
        RevenueWon = "revenue_won", "Revenue won (from won deals)", ["revenue"],
        /// Amounts of the seller's deals created in the period.
        PipelineCreated = "pipeline_created", "Pipeline created (from new deals)", ["pipeline"],
        /// Deals won out of deals closed (won or lost) in the period.
        CloseRate = "close_rate", "Close rate (won of closed deals)", ["win rate"],
        /// Number of deals won in the period.
        DealsWon = "deals_won", "Deals won", ["wins"],
        /// Entered per seller and period, or sent through the API.
        Entered = "entered", "Entered by hand or through the API", ["manual", "imported"],
    }
}

impl Metric {
    /// The unit a computed metric is in; `None` for entered values.
    pub fn unit(self) -> Option<Unit> {
        match self {
            Metric::RevenueWon | Metric::PipelineCreated => Some(Unit::Money),
            Metric::CloseRate => Some(Unit::Percent),
            Metric::DealsWon => Some(Unit::Count),
            Metric::Entered => None,
        }
    }
}

vocabulary! {
    /// The period a quantitative standard counts over.
    Per, "a period" {
        /// Each calendar week (Monday to Sunday).
        Week = "week", "week", ["weekly", "a week", "per week"],
        /// Each calendar month.
        Month = "month", "month", ["monthly", "a month", "per month"],
        /// Each calendar quarter.
        Quarter = "quarter", "quarter", ["quarterly", "a quarter", "per quarter"],
    }
}

/// The CRM records that count as an activity of a type by themselves, without
/// anyone logging them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CrmSource {
    /// Calls of this kind, for their owner on their day.
    Call(crate::records::CallKind),
    /// Opportunities, for their owner on the day they were created.
    OpportunityOpened,
}

impl CrmSource {
    /// Every source, in display order.
    pub fn all() -> Vec<CrmSource> {
        let mut all: Vec<CrmSource> = crate::records::CallKind::ALL
            .iter()
            .map(|k| CrmSource::Call(*k))
            .collect();
        all.push(CrmSource::OpportunityOpened);
        all
    }

    /// The stable name in the database and the API: `call:demo`,
    /// `opportunity:opened`.
    pub fn key(self) -> String {
        match self {
            CrmSource::Call(k) => format!("call:{}", k.as_str()),
            CrmSource::OpportunityOpened => "opportunity:opened".to_owned(),
        }
    }

    /// How people read it.
    pub fn label(self) -> String {
        match self {
            CrmSource::Call(k) => format!("Calls: {}", k.label()),
            CrmSource::OpportunityOpened => "Opportunities opened".to_owned(),
        }
    }
}

impl std::str::FromStr for CrmSource {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("opportunity:opened") {
            return Ok(CrmSource::OpportunityOpened);
        }
        t.strip_prefix("call:")
            .and_then(|k| k.parse().ok())
            .map(CrmSource::Call)
            .ok_or_else(|| {
                format!(
                    "a CRM source (call:meeting, call:phone, call:video, call:demo, call:presentation, opportunity:opened); got {}",
                    crate::tabular::quote(s)
                )
            })
    }
}

/// The most criteria a rubric has, and the most levels a criterion has.
pub const LEVELS_MAX: usize = 6;

/// The qualitative standard of an activity type (R4): criteria, each with
/// levels from weakest to strongest that say what each looks like, and the
/// level that counts as good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rubric {
    /// The criteria an activity is judged on.
    pub criteria: Vec<Criterion>,
    /// The level (1 = the first, weakest) from which an activity meets the
    /// standard: the mean of its criteria's levels must reach it.
    pub good_level: u8,
}

/// One criterion of a rubric.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    /// What is judged, e.g. "Open-ended questions".
    pub name: String,
    /// What each level looks like, weakest first (2 to 6 levels).
    pub levels: Vec<String>,
}

fn text(field: &'static str, raw: &str, max: usize, what: &str) -> Result<String, FieldError> {
    crate::validate::validate_line(field, raw, max, what)
}

impl Rubric {
    /// Checks the rubric and trims its texts: 1–6 criteria, each named, with
    /// 2–6 described levels, all criteria with the same number of levels, and
    /// a good level among them.
    pub fn validated(self) -> Result<Rubric, FieldError> {
        if self.criteria.is_empty() || self.criteria.len() > LEVELS_MAX {
            return Err(FieldError::new(
                "rubric",
                format!(
                    "expected 1–{LEVELS_MAX} criteria that say what good looks like (R4); got {}",
                    self.criteria.len()
                ),
            ));
        }
        let levels = self.criteria[0].levels.len();
        let mut criteria = Vec::with_capacity(self.criteria.len());
        for (i, c) in self.criteria.into_iter().enumerate() {
            let name = text("rubric", &c.name, 80, &format!("criterion {} named", i + 1))?;
            if c.levels.len() != levels || !(2..=LEVELS_MAX).contains(&levels) {
                return Err(FieldError::new(
                    "rubric",
                    format!(
                        "expected every criterion to describe the same 2–{LEVELS_MAX} levels; {name:?} has {}",
                        c.levels.len()
                    ),
                ));
            }
            let described = c
                .levels
                .iter()
                .enumerate()
                .map(|(j, l)| {
                    text(
                        "rubric",
                        l,
                        300,
                        &format!("level {} of {name:?} described", j + 1),
                    )
                })
                .collect::<Result<Vec<_>, _>>()?;
            criteria.push(Criterion {
                name,
                levels: described,
            });
        }
        if self.good_level == 0 || usize::from(self.good_level) > levels {
            return Err(FieldError::new(
                "good_level",
                format!(
                    "expected the level that counts as good, 1–{levels}; got {}",
                    self.good_level
                ),
            ));
        }
        Ok(Rubric {
            criteria,
            good_level: self.good_level,
        })
    }

    /// How many levels each criterion has.
    pub fn levels(&self) -> usize {
        self.criteria.first().map_or(0, |c| c.levels.len())
    }

    /// Checks a score: one level (1-based) per criterion.
    pub fn check_score(&self, levels: &[u8]) -> Result<(), FieldError> {
        if levels.len() != self.criteria.len() {
            return Err(FieldError::new(
                "levels",
                format!(
                    "expected one level for each of the {} criteria; got {}",
                    self.criteria.len(),
                    levels.len()
                ),
            ));
        }
        let max = self.levels();
        if let Some((i, l)) = levels
            .iter()
            .enumerate()
            .find(|(_, l)| **l == 0 || usize::from(**l) > max)
        {
            return Err(FieldError::new(
                "levels",
                format!(
                    "expected a level from 1 to {max} for {:?}; got {l}",
                    self.criteria[i].name
                ),
            ));
        }
        Ok(())
    }

    /// Whether a score meets the standard: the mean of its levels reaches
    /// the good level.
    pub fn meets(&self, levels: &[u8]) -> bool {
        !levels.is_empty()
            && levels.iter().map(|l| u32::from(*l)).sum::<u32>()
                >= u32::from(self.good_level) * levels.len() as u32
    }
}

/// The quantitative standard of an activity type (R4): how many, per what
/// period, for which sellers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantity {
    /// How many activities per period (1–1000).
    pub count: u32,
    /// The period.
    pub per: Per,
}

impl Quantity {
    /// Checks the numbers.
    pub fn new(count: i64, per: Per) -> Result<Quantity, FieldError> {
        match u32::try_from(count) {
            Ok(c @ 1..=1000) => Ok(Quantity { count: c, per }),
            _ => Err(FieldError::new(
                "quantity",
                format!("expected how many per {per}: a whole number from 1 to 1000; got {count}"),
            )),
        }
    }
}

/// Checks a measure's or an activity type's name.
pub fn validate_model_name(raw: &str) -> Result<String, FieldError> {
    text("name", raw, 80, "a name")
}

/// Checks a description (may be empty).
pub fn validate_description(raw: &str) -> Result<String, FieldError> {
    let t = raw.trim();
    if t.chars().count() > 1000
        || t.chars().any(|c| {
            (c.is_control() && c != '\n' && c != '\r') || crate::validate::is_bidi_control(c)
        })
    {
        return Err(FieldError::new(
            "description",
            "expected at most 1000 printable characters",
        ));
    }
    Ok(t.to_owned())
}

/// Checks a note on a logged activity (may be empty).
pub fn validate_note(raw: &str) -> Result<String, FieldError> {
    validate_description(raw)
        .map_err(|_| FieldError::new("note", "expected at most 1000 printable characters"))
}
