//! Coaching analytics: what high-performing managers do differently (R14,
//! R15, R18, R25, R29, R31, R34, R39–R41, R43), measured for every manager,
//! and the outcomes of deals by how they were coached, each with its sample
//! size and a 95% interval (R45). Pure: the store loads the facts, the web
//! shows the figures.

mod outcomes;
pub mod synth;
#[cfg(test)]
mod tests;
mod window;

pub use outcomes::{
    Coached, DealFact, ManagerResult, OutcomeGroup, Outcomes, PracticeSplit, classify, outcomes,
    practice_splits, stage_on,
};
pub use window::{Band, BandPlace, DEFAULT_DAYS, MAX_WINDOW_DAYS, PRESETS, Window};

use crate::coaching::{
    ActionStatus, FeedbackAnswer, FeedbackView, SessionKind, SessionStatus, feedback_view,
    kept_rate,
};
use crate::crm::BuyingStage;
use crate::stats::{Comparison, Frequency, Mean, Rate, compare_rates, median_interval};
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};

/// A focused-discussion agenda item as the analytics see it.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemFact {
    /// Minutes it took (the room's timer), or was given when not timed.
    pub minutes: u32,
    /// Checking numbers rather than coaching (R15).
    pub inspection: bool,
    /// For an item about a deal: its buying stage at the session (R25).
    pub stage: Option<BuyingStage>,
}

/// A coaching session as the analytics see it.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionFact {
    /// Its id, for links to the records behind a figure.
    pub id: String,
    /// The manager who coached.
    pub manager_id: String,
    /// The seller coached.
    pub seller_id: String,
    /// Its kind.
    pub kind: SessionKind,
    /// Where it is in its life.
    pub status: SessionStatus,
    /// Held without being scheduled ahead (R14).
    pub ad_hoc: bool,
    /// Moved from its first time (R14).
    pub moved: bool,
    /// Its day in the organization's time zone.
    pub day: NaiveDate,
    /// Its length in minutes.
    pub minutes: u32,
    /// The manager's preparation in minutes (R18).
    pub prep_minutes: u32,
    /// The agenda was agreed at the opening (R34).
    pub agenda_agreed: bool,
    /// The agenda was reviewed at the close (R34).
    pub agenda_reviewed: bool,
    /// It ended with at least one next step (R41).
    pub next_steps: bool,
    /// A director observed it (R43).
    pub observed: bool,
    /// Its focused-discussion items.
    pub items: Vec<ItemFact>,
}

/// An action item as the analytics see it (R39).
#[derive(Debug, Clone, PartialEq)]
pub struct ActionFact {
    /// The seller it belongs to.
    pub seller_id: String,
    /// Its state.
    pub status: ActionStatus,
    /// When it is due.
    pub due_on: NaiveDate,
    /// When it was closed.
    pub closed_on: Option<NaiveDate>,
    /// When it was made.
    pub created_on: NaiveDate,
}

/// A seller's answer after a session (R40).
#[derive(Debug, Clone, PartialEq)]
pub struct FeedbackFact {
    /// The manager it is about.
    pub manager_id: String,
    /// The day it was given.
    pub day: NaiveDate,
    /// The answer.
    pub answer: FeedbackAnswer,
}

/// A call from the CRM (R29).
#[derive(Debug, Clone, PartialEq)]
pub struct CallFact {
    /// The seller who made it.
    pub seller_id: String,
    /// Its day.
    pub day: NaiveDate,
    /// Marked of high importance.
    pub important: bool,
    /// A call plan of the seller for the same deal on the same day exists.
    pub planned: bool,
}

/// A planned call (R31).
#[derive(Debug, Clone, PartialEq)]
pub struct PlanFact {
    /// The seller.
    pub seller_id: String,
    /// The day planned for.
    pub day: NaiveDate,
    /// The deal's buying stage.
    pub stage: Option<BuyingStage>,
    /// Someone above the seller attended.
    pub observed: bool,
}

/// Everything the practice figures of a set of sellers come from.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Sessions.
    pub sessions: Vec<SessionFact>,
    /// Action items.
    pub actions: Vec<ActionFact>,
    /// Feedback answers.
    pub feedback: Vec<FeedbackFact>,
    /// CRM calls.
    pub calls: Vec<CallFact>,
    /// Call plans.
    pub plans: Vec<PlanFact>,
}

impl Facts {
    /// The facts about `sellers` only (sessions, items, calls and plans)
    /// and the feedback on `managers`.
    pub fn only(&self, sellers: &BTreeSet<&str>, managers: &BTreeSet<&str>) -> Facts {
        Facts {
            sessions: self
                .sessions
                .iter()
                .filter(|s| sellers.contains(s.seller_id.as_str()))
                .cloned()
                .collect(),
            actions: self
                .actions
                .iter()
                .filter(|a| sellers.contains(a.seller_id.as_str()))
                .cloned()
                .collect(),
            feedback: self
                .feedback
                .iter()
                .filter(|f| managers.contains(f.manager_id.as_str()))
                .cloned()
                .collect(),
            calls: self
                .calls
                .iter()
                .filter(|c| sellers.contains(c.seller_id.as_str()))
                .cloned()
                .collect(),
            plans: self
                .plans
                .iter()
                .filter(|p| sellers.contains(p.seller_id.as_str()))
                .cloned()
                .collect(),
        }
    }
}

/// Minutes and their share of a whole.
#[derive(Debug, Clone, PartialEq)]
pub struct Share<K> {
    /// What the minutes went to.
    pub key: K,
    /// Minutes.
    pub minutes: u64,
    /// Items or sessions counted.
    pub n: u64,
    /// The share of all minutes, 0–1.
    pub share: f64,
}

fn shares<K: Ord + Copy>(parts: &BTreeMap<K, (u64, u64)>) -> Vec<Share<K>> {
    let total: u64 = parts.values().map(|(m, _)| m).sum();
    parts
        .iter()
        .map(|(k, (m, n))| Share {
            key: *k,
            minutes: *m,
            n: *n,
            share: if total == 0 {
                0.0
            } else {
                *m as f64 / total as f64
            },
        })
        .collect()
}

/// One seller's coaching in a window.
#[derive(Debug, Clone, PartialEq)]
pub struct SellerPractice {
    /// The seller.
    pub seller_id: String,
    /// Sessions held.
    pub held: u64,
    /// Sessions held per month.
    pub sessions_per_month: f64,
    /// Minutes of coaching held per month (R15).
    pub minutes_per_month: f64,
    /// Where that falls against the band (R15).
    pub band: BandPlace,
    /// Sessions kept as scheduled (R14).
    pub kept: Rate,
    /// Commitments done by their due date (R39).
    pub on_time: Rate,
    /// Commitments open past their due date today.
    pub overdue: u64,
}

/// A manager's (or team's, or organization's) coaching practice in a
/// window: every figure the research found high performers differ on.
#[derive(Debug, Clone, PartialEq)]
pub struct Practice {
    /// The window.
    pub window: Window,
    /// Sellers counted.
    pub sellers: u64,
    /// Sessions held.
    pub held: u64,
    /// Sessions held per seller-month, with the exact Poisson interval
    /// (R14).
    pub sessions_per_seller_month: Frequency,
    /// Length of held sessions in minutes (R14: fewer, longer).
    pub length: Option<Mean>,
    /// Sessions kept as scheduled, of those over (R14).
    pub kept: Rate,
    /// Held sessions that were ad hoc (R14).
    pub ad_hoc: Rate,
    /// Coaching hours per seller-month: the sessions' frequency weighed by
    /// their mean length (R15).
    pub hours_per_seller_month: Frequency,
    /// The band those hours are judged against.
    pub band: Band,
    /// Sellers whose coaching is in the band (R15).
    pub in_band: Rate,
    /// Sellers below and above the band.
    pub below_band: u64,
    /// Sellers above the band.
    pub above_band: u64,
    /// Minutes of held sessions by kind.
    pub by_kind: Vec<Share<SessionKind>>,
    /// Minutes of deal items in opportunity sessions by the deal's stage
    /// (R25).
    pub by_stage: Vec<Share<BuyingStage>>,
    /// Deal items at an early stage, of deal items with a known stage (R25).
    pub early: Rate,
    /// Focused-discussion items checking numbers, of all (R15).
    pub inspection: Rate,
    /// Minutes of those items, of all focused minutes (R15).
    pub inspection_minutes_share: Option<f64>,
    /// Held sessions whose agenda was agreed at the opening (R34).
    pub agenda_agreed: Rate,
    /// Held sessions whose agenda was reviewed at the close (R34).
    pub agenda_reviewed: Rate,
    /// Held sessions closed with a next step (R41).
    pub next_steps: Rate,
    /// Commitments that came due in the window, done by their due date
    /// (R39).
    pub on_time: Rate,
    /// Days open of commitments still open today: the median and its
    /// interval (R39).
    pub open_age: Option<(f64, (f64, f64))>,
    /// Open commitments.
    pub open: u64,
    /// Commitments open past their due date today.
    pub overdue: u64,
    /// Held sessions with the manager's preparation recorded (R18).
    pub prepared: Rate,
    /// Minutes of preparation per minute of coaching, over held sessions
    /// with preparation recorded (R18: almost as much).
    pub prep_per_coaching: Option<f64>,
    /// Calls marked important that had a plan (R29).
    pub calls_planned: Rate,
    /// Planned early-stage calls attended by someone above the seller
    /// (R31).
    pub observed_early: Rate,
    /// Planned late-stage calls attended (R31).
    pub observed_late: Rate,
    /// Early minus late.
    pub observed_early_vs_late: Option<Comparison>,
    /// Feedback, under the minimum-answers rule (R40).
    pub feedback: FeedbackView,
    /// Held sessions a director observed (R43).
    pub observations: Rate,
    /// Each seller.
    pub per_seller: Vec<SellerPractice>,
}

/// What a practice is computed with.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// The window.
    pub window: Window,
    /// The organization's today.
    pub today: NaiveDate,
    /// The moderate band (R15).
    pub band: Band,
    /// Feedback shown from this many answers (R40).
    pub min_answers: usize,
}

/// Computes the practice of `sellers` from `facts`. Sellers with no
/// session still count: coaching nobody is part of the practice.
pub fn practice(facts: &Facts, sellers: &[String], rules: &Rules) -> Practice {
    let window = rules.window;
    let months = window.months();
    let in_window: Vec<&SessionFact> = facts
        .sessions
        .iter()
        .filter(|s| window.contains(s.day))
        .collect();
    let held: Vec<&SessionFact> = in_window
        .iter()
        .copied()
        .filter(|s| s.status == SessionStatus::Held)
        .collect();
    let rate = |pred: &dyn Fn(&SessionFact) -> bool| {
        Rate::new(
            held.iter().filter(|s| pred(s)).count() as u64,
            held.len() as u64,
        )
    };

    let mut per_seller = Vec::with_capacity(sellers.len());
    let (mut within, mut below, mut above) = (0u64, 0u64, 0u64);
    for seller in sellers {
        let mine: Vec<&&SessionFact> = in_window
            .iter()
            .filter(|s| &s.seller_id == seller)
            .collect();
        let held_n = mine
            .iter()
            .filter(|s| s.status == SessionStatus::Held)
            .count() as u64;
        let minutes: u64 = mine
            .iter()
            .filter(|s| s.status == SessionStatus::Held)
            .map(|s| u64::from(s.minutes))
            .sum();
        let minutes_per_month = minutes as f64 / months;
        let place = rules.band.place(minutes_per_month);
        match place {
            BandPlace::Below => below += 1,
            BandPlace::Within => within += 1,
            BandPlace::Above => above += 1,
        }
        let actions: Vec<&ActionFact> = facts
            .actions
            .iter()
            .filter(|a| &a.seller_id == seller)
            .collect();
        per_seller.push(SellerPractice {
            seller_id: seller.clone(),
            held: held_n,
            sessions_per_month: held_n as f64 / months,
            minutes_per_month,
            band: place,
            kept: kept(mine.iter().copied().copied(), rules.today),
            on_time: on_time(&actions, &window, rules.today),
            overdue: actions
                .iter()
                .filter(|a| crate::coaching::is_overdue(a.status, a.due_on, rules.today))
                .count() as u64,
        });
    }

    let mut by_kind: BTreeMap<SessionKind, (u64, u64)> = BTreeMap::new();
    for s in &held {
        let e = by_kind.entry(s.kind).or_default();
        e.0 += u64::from(s.minutes);
        e.1 += 1;
    }
    let mut by_stage: BTreeMap<BuyingStage, (u64, u64)> = BTreeMap::new();
    let (mut early, mut staged) = (0u64, 0u64);
    let (mut inspection_items, mut items, mut inspection_minutes, mut item_minutes) =
        (0u64, 0u64, 0u64, 0u64);
    for s in &held {
        for i in &s.items {
            items += 1;
            item_minutes += u64::from(i.minutes);
            if i.inspection {
                inspection_items += 1;
                inspection_minutes += u64::from(i.minutes);
            }
            if s.kind == SessionKind::Opportunity
                && let Some(stage) = i.stage
            {
                let e = by_stage.entry(stage).or_default();
                e.0 += u64::from(i.minutes);
                e.1 += 1;
                staged += 1;
                early += u64::from(stage.is_early());
            }
        }
    }

    let all_actions: Vec<&ActionFact> = facts.actions.iter().collect();
    let exposure = sellers.len() as f64 * months;
    let mean_hours = if held.is_empty() {
        0.0
    } else {
        held.iter().map(|s| f64::from(s.minutes)).sum::<f64>() / held.len() as f64 / 60.0
    };
    let mut ages: Vec<f64> = facts
        .actions
        .iter()
        .filter(|a| a.status == ActionStatus::Open && a.created_on <= rules.today)
        .map(|a| (rules.today - a.created_on).num_days() as f64)
        .collect();
    ages.sort_by(f64::total_cmp);

    let prepared: Vec<&&SessionFact> = held.iter().filter(|s| s.prep_minutes > 0).collect();
    let prep_minutes: u64 = prepared.iter().map(|s| u64::from(s.prep_minutes)).sum();
    let prep_coaching: u64 = prepared.iter().map(|s| u64::from(s.minutes)).sum();

    let calls: Vec<&CallFact> = facts
        .calls
        .iter()
        .filter(|c| c.important && window.contains(c.day))
        .collect();
    let plans: Vec<&PlanFact> = facts
        .plans
        .iter()
        .filter(|p| window.contains(p.day) && p.day <= rules.today)
        .collect();
    let observed_at = |early: bool| {
        let of: Vec<&&PlanFact> = plans
            .iter()
            .filter(|p| {
                p.stage
                    .is_some_and(|s| s.is_open() && s.is_early() == early)
            })
            .collect();
        Rate::new(
            of.iter().filter(|p| p.observed).count() as u64,
            of.len() as u64,
        )
    };
    let observed_early = observed_at(true);
    let observed_late = observed_at(false);

    let answers: Vec<FeedbackAnswer> = facts
        .feedback
        .iter()
        .filter(|f| window.contains(f.day))
        .map(|f| f.answer.clone())
        .collect();

    Practice {
        window,
        sellers: sellers.len() as u64,
        held: held.len() as u64,
        sessions_per_seller_month: Frequency::new(held.len() as u64, exposure, 1.0),
        length: Mean::of(
            &held
                .iter()
                .map(|s| f64::from(s.minutes))
                .collect::<Vec<_>>(),
        ),
        kept: kept(in_window.iter().copied(), rules.today),
        ad_hoc: rate(&|s| s.ad_hoc),
        hours_per_seller_month: Frequency::new(held.len() as u64, exposure, mean_hours),
        band: rules.band,
        in_band: Rate::new(within, sellers.len() as u64),
        below_band: below,
        above_band: above,
        by_kind: shares(&by_kind),
        by_stage: shares(&by_stage),
        early: Rate::new(early, staged),
        inspection: Rate::new(inspection_items, items),
        inspection_minutes_share: (item_minutes > 0)
            .then(|| inspection_minutes as f64 / item_minutes as f64),
        agenda_agreed: rate(&|s| s.agenda_agreed),
        agenda_reviewed: rate(&|s| s.agenda_reviewed),
        next_steps: rate(&|s| s.next_steps),
        on_time: on_time(&all_actions, &window, rules.today),
        open_age: median_interval(&ages),
        open: ages.len() as u64,
        overdue: facts
            .actions
            .iter()
            .filter(|a| crate::coaching::is_overdue(a.status, a.due_on, rules.today))
            .count() as u64,
        prepared: Rate::new(prepared.len() as u64, held.len() as u64),
        prep_per_coaching: (prep_coaching > 0).then(|| prep_minutes as f64 / prep_coaching as f64),
        calls_planned: Rate::new(
            calls.iter().filter(|c| c.planned).count() as u64,
            calls.len() as u64,
        ),
        observed_early,
        observed_late,
        observed_early_vs_late: compare_rates(observed_early, observed_late),
        feedback: feedback_view(&answers, rules.min_answers),
        observations: rate(&|s| s.observed),
        per_seller,
    }
}

/// Commitments that came due in the window (up to today) and were not
/// dropped: how many were done by their due date (R39).
fn on_time(actions: &[&ActionFact], window: &Window, today: NaiveDate) -> Rate {
    let (mut hits, mut n) = (0u64, 0u64);
    for a in actions {
        if a.status == ActionStatus::Dropped || !window.contains(a.due_on) || a.due_on >= today {
            continue;
        }
        n += 1;
        hits +=
            u64::from(crate::coaching::done_on_time(a.status, a.due_on, a.closed_on) == Some(true));
    }
    Rate::new(hits, n)
}

/// The same practice figure in the window before, for a before/after
/// reading; always shown with the regression-to-the-mean warning.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Before.
    pub before: Rate,
    /// Now.
    pub after: Rate,
    /// Now minus before.
    pub comparison: Option<Comparison>,
}

impl Change {
    /// Compares two rates.
    pub fn of(before: Rate, after: Rate) -> Change {
        Change {
            before,
            after,
            comparison: compare_rates(after, before),
        }
    }
}

/// The warning every before/after reading carries (R45).
pub const REGRESSION_WARNING: &str = "A figure that was unusually low or high last time tends to move back towards the middle by itself (regression to the mean). A change after picking the worst or best is not proof that anything worked.";

/// One month of a practice, for a trend.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthPoint {
    /// The month (cut to the window).
    pub window: Window,
    /// Sessions held.
    pub held: u64,
    /// Kept as scheduled (R14).
    pub kept: Rate,
    /// Commitments done by their due date (R39).
    pub on_time: Rate,
}

/// The practice month by month.
pub fn trend(facts: &Facts, window: &Window, today: NaiveDate) -> Vec<MonthPoint> {
    let actions: Vec<&ActionFact> = facts.actions.iter().collect();
    window
        .month_slices()
        .into_iter()
        .map(|w| {
            let month = facts.sessions.iter().filter(|s| w.contains(s.day));
            MonthPoint {
                window: w,
                held: month
                    .clone()
                    .filter(|s| s.status == SessionStatus::Held)
                    .count() as u64,
                kept: kept(month, today),
                on_time: on_time(&actions, &w, today),
            }
        })
        .collect()
}

/// Kept as scheduled (R14) of the sessions up to `today`: [`kept_rate`],
/// which leaves out ad-hoc sessions and those still to come.
fn kept<'a>(sessions: impl Iterator<Item = &'a SessionFact>, today: NaiveDate) -> Rate {
    kept_rate(
        sessions
            .filter(|s| s.day <= today)
            .map(|s| (s.status, s.ad_hoc)),
    )
}
