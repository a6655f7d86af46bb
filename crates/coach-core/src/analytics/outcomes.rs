//! Outcomes by coaching (R25, R45): win rate, cycle length and deal size of
//! closed deals by whether they were coached early, only late, or not at
//! all, and sellers' results against their managers' coaching practices.

use super::{BandPlace, Practice};
use crate::crm::BuyingStage;
use crate::stats::{Comparison, Mean, Rate, compare_rates, median_interval, welch};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// How a deal was coached before it closed (R25).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Coached {
    /// Discussed in a held session while at an early stage.
    Early,
    /// Discussed only at later stages (or at a stage not recorded).
    LateOnly,
    /// Never discussed in a held session.
    Not,
}

impl Coached {
    /// The three, in the order shown.
    pub const ALL: [Coached; 3] = [Coached::Early, Coached::LateOnly, Coached::Not];

    /// For people.
    pub fn label(self) -> &'static str {
        match self {
            Coached::Early => "Coached early",
            Coached::LateOnly => "Coached only late",
            Coached::Not => "Not coached",
        }
    }

    /// The stable name used in exports.
    pub fn as_str(self) -> &'static str {
        match self {
            Coached::Early => "early",
            Coached::LateOnly => "late_only",
            Coached::Not => "not_coached",
        }
    }
}

/// The stage a deal was at on `day`, from its stage history (oldest first):
/// the last change on or before that day, else the first stage recorded.
pub fn stage_on(history: &[(NaiveDate, BuyingStage)], day: NaiveDate) -> Option<BuyingStage> {
    history
        .iter()
        .take_while(|(at, _)| *at <= day)
        .last()
        .or(history.first())
        .map(|(_, s)| *s)
}

/// How a deal was coached, from the stages it was at in each held session
/// that discussed it before it closed.
pub fn classify(stages: impl IntoIterator<Item = Option<BuyingStage>>) -> Coached {
    let mut coached = Coached::Not;
    for stage in stages {
        if stage.is_some_and(BuyingStage::is_early) {
            return Coached::Early;
        }
        coached = Coached::LateOnly;
    }
    coached
}

/// A closed deal as the analytics see it.
#[derive(Debug, Clone, PartialEq)]
pub struct DealFact {
    /// Its id, for links.
    pub id: String,
    /// Its owner.
    pub seller_id: String,
    /// The owner's manager.
    pub manager_id: Option<String>,
    /// Won or lost.
    pub won: bool,
    /// Opened.
    pub created_on: Option<NaiveDate>,
    /// Closed.
    pub closed_on: NaiveDate,
    /// Its amount, in `currency`.
    pub amount: Option<f64>,
    /// Its currency.
    pub currency: Option<String>,
    /// How it was coached.
    pub coached: Coached,
}

/// The closed deals of one kind of coaching.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeGroup {
    /// Which.
    pub coached: Coached,
    /// Won, of closed.
    pub win: Rate,
    /// Days from opened to closed: the mean with its t interval.
    pub cycle: Option<Mean>,
    /// The median days and its interval.
    pub cycle_median: Option<(f64, (f64, f64))>,
    /// Amount of won deals in the main currency: the mean.
    pub size: Option<Mean>,
    /// The cycle lengths, for comparisons.
    cycles: Vec<f64>,
    /// The won amounts, for comparisons.
    sizes: Vec<f64>,
}

/// Outcomes of the deals closed in a window, by coaching.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcomes {
    /// Closed deals counted.
    pub deals: u64,
    /// The currency deal sizes are in: the most common one.
    pub currency: Option<String>,
    /// Deals in other currencies, left out of the sizes.
    pub other_currency: u64,
    /// Early, late only, not coached.
    pub groups: Vec<OutcomeGroup>,
    /// Win rate: coached early minus not coached.
    pub win_early_vs_not: Option<Comparison>,
    /// Win rate: coached early minus only late.
    pub win_early_vs_late: Option<Comparison>,
    /// Win rate: coached only late minus not coached.
    pub win_late_vs_not: Option<Comparison>,
    /// Cycle days: coached early minus not coached (Welch).
    pub cycle_early_vs_not: Option<Comparison>,
    /// Deal size: coached early minus not coached (Welch).
    pub size_early_vs_not: Option<Comparison>,
}

/// Outcomes of `deals`.
pub fn outcomes(deals: &[DealFact]) -> Outcomes {
    let mut currencies: BTreeMap<&str, u64> = BTreeMap::new();
    for d in deals.iter().filter(|d| d.won && d.amount.is_some()) {
        *currencies
            .entry(d.currency.as_deref().unwrap_or(""))
            .or_default() += 1;
    }
    let main = currencies
        .iter()
        .max_by_key(|(c, n)| (**n, std::cmp::Reverse(**c)))
        .map(|(c, _)| (*c).to_owned());
    let other_currency = currencies
        .iter()
        .filter(|(c, _)| Some(**c) != main.as_deref())
        .map(|(_, n)| n)
        .sum();
    let groups: Vec<OutcomeGroup> = Coached::ALL
        .iter()
        .map(|&coached| {
            let of: Vec<&DealFact> = deals.iter().filter(|d| d.coached == coached).collect();
            let cycles: Vec<f64> = of
                .iter()
                .filter_map(|d| d.created_on.map(|c| (d.closed_on - c).num_days() as f64))
                .filter(|d| *d >= 0.0)
                .collect();
            let sizes: Vec<f64> = of
                .iter()
                .filter(|d| {
                    d.won && d.currency.as_deref().unwrap_or("") == main.as_deref().unwrap_or("")
                })
                .filter_map(|d| d.amount)
                .collect();
            OutcomeGroup {
                coached,
                win: Rate::new(of.iter().filter(|d| d.won).count() as u64, of.len() as u64),
                cycle: Mean::of(&cycles),
                cycle_median: median_interval(&cycles),
                size: Mean::of(&sizes),
                cycles,
                sizes,
            }
        })
        .collect();
    let (early, late, not) = (&groups[0], &groups[1], &groups[2]);
    Outcomes {
        deals: deals.len() as u64,
        currency: main.filter(|c| !c.is_empty()),
        other_currency,
        win_early_vs_not: compare_rates(early.win, not.win),
        win_early_vs_late: compare_rates(early.win, late.win),
        win_late_vs_not: compare_rates(late.win, not.win),
        cycle_early_vs_not: welch(&early.cycles, &not.cycles),
        size_early_vs_not: welch(&early.sizes, &not.sizes),
        groups,
    }
}

/// A manager's practice beside their sellers' results.
#[derive(Debug, Clone, PartialEq)]
pub struct ManagerResult {
    /// The manager.
    pub manager_id: String,
    /// Their practice in the window.
    pub practice: Practice,
    /// Their sellers' deals won, of closed in the window.
    pub win: Rate,
}

/// Sellers' win rate split by a practice of their managers.
#[derive(Debug, Clone, PartialEq)]
pub struct PracticeSplit {
    /// What the split is.
    pub label: &'static str,
    /// The finding it tests.
    pub finding: &'static str,
    /// Managers who do it, and their sellers' win rate.
    pub with: (u64, Rate),
    /// Managers who do not.
    pub without: (u64, Rate),
    /// With minus without.
    pub comparison: Option<Comparison>,
}

/// A manager "keeps the rhythm" from this kept-as-scheduled share (R14).
pub const KEPT_THRESHOLD: f64 = 0.8;

/// Sellers' results against their managers' practices: coaching a moderate
/// amount (R15), keeping the rhythm (R14), aiming at early stages (R25).
pub fn practice_splits(results: &[ManagerResult]) -> Vec<PracticeSplit> {
    let split =
        |label: &'static str, finding: &'static str, test: &dyn Fn(&Practice) -> Option<bool>| {
            let (mut with, mut without) = ((0u64, 0u64, 0u64), (0u64, 0u64, 0u64));
            for r in results {
                let side = match test(&r.practice) {
                    Some(true) => &mut with,
                    Some(false) => &mut without,
                    None => continue,
                };
                side.0 += 1;
                side.1 += r.win.hits;
                side.2 += r.win.n;
            }
            let a = Rate::new(with.1, with.2);
            let b = Rate::new(without.1, without.2);
            PracticeSplit {
                label,
                finding,
                with: (with.0, a),
                without: (without.0, b),
                comparison: compare_rates(a, b),
            }
        };
    vec![
        split("Most sellers coached a moderate amount", "R15", &|p| {
            (p.sellers > 0).then(|| {
                p.per_seller
                    .iter()
                    .filter(|s| s.band == BandPlace::Within)
                    .count() as u64
                    * 2
                    > p.sellers
            })
        }),
        split("Keeps at least 80% of sessions as scheduled", "R14", &|p| {
            p.kept.value().map(|v| v >= KEPT_THRESHOLD)
        }),
        split("Most deal coaching at early stages", "R25", &|p| {
            p.early.value().map(|v| v > 0.5)
        }),
    ]
}
