//! A synthetic history of coaching for a roster of managers and sellers,
//! from a seed, with effects planted on purpose ("deals coached at early
//! stages win 10 points more", "manager 3 keeps 60% of sessions"), so tests
//! can check that the analytics find what was planted and nothing that was
//! not (R45). The demo and the benchmark use it too.
//!
//! Each team is made from its own seed, so a team's history is the same
//! whatever else the roster holds, and teams can be made one at a time.

use super::{
    ActionFact, CallFact, Coached, DealFact, Facts, FeedbackFact, ItemFact, PlanFact, SessionFact,
    classify, stage_on,
};
use crate::coaching::{ActionStatus, FeedbackAnswer, Section, SessionKind, SessionStatus};
use crate::crm::BuyingStage;
use crate::records::Level;
use chrono::{Datelike as _, Duration, NaiveDate, NaiveDateTime, Weekday};
use rand::seq::IndexedRandom as _;
use rand::{Rng as _, RngCore as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;

/// A manager and the sellers they coach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    /// The manager.
    pub manager_id: String,
    /// Their sellers.
    pub seller_ids: Vec<String>,
    /// The director above them, who observes now and then (R43).
    pub director_id: Option<String>,
}

/// The effects planted in a history.
#[derive(Debug, Clone, PartialEq)]
pub struct Plant {
    /// The chance a deal not coached early is won.
    pub base_win: f64,
    /// Added to the chance of winning for a deal coached at an early stage
    /// (R25): 0.10 is "ten points more".
    pub early_win_lift: f64,
    /// The share of scheduled sessions managers keep (R14).
    pub keep: f64,
    /// Managers that keep a different share: (the team's position, counting
    /// from 1, share).
    pub keep_by_team: Vec<(usize, f64)>,
}

impl Default for Plant {
    fn default() -> Plant {
        Plant {
            base_win: 0.3,
            early_win_lift: 0.0,
            keep: 0.85,
            keep_by_team: Vec::new(),
        }
    }
}

/// What to make.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// The seed of every random choice.
    pub seed: u64,
    /// The first day of the history.
    pub from: NaiveDate,
    /// The last day of the history (sessions after it are not made).
    pub to: NaiveDate,
    /// Scheduled sessions per seller per month.
    pub sessions_per_month: f64,
    /// Action items per held session, on average.
    pub actions_per_session: f64,
    /// Deals each seller closes in a year.
    pub deals_per_year: f64,
    /// The currency of deal amounts.
    pub currency: &'static str,
    /// What is planted.
    pub plant: Plant,
}

impl Options {
    /// A year up to `to`, at the rhythm the cadence defaults suggest.
    pub fn year_to(to: NaiveDate, seed: u64) -> Options {
        Options {
            seed,
            from: to - Duration::days(364),
            to,
            sessions_per_month: 2.0,
            actions_per_session: 2.0,
            deals_per_year: 12.0,
            currency: "EUR",
            plant: Plant::default(),
        }
    }
}

/// An agenda item made up.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Its section.
    pub section: Section,
    /// Its title.
    pub title: &'static str,
    /// Minutes given and taken.
    pub minutes: u32,
    /// Checking numbers (R15).
    pub inspection: bool,
    /// The deal it is about, by its position in the team's deals.
    pub deal: Option<usize>,
}

/// An action item made up.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: &'static str,
    /// Made on.
    pub created_on: NaiveDate,
    /// Due on.
    pub due_on: NaiveDate,
    /// Its state.
    pub status: ActionStatus,
    /// Closed on.
    pub closed_on: Option<NaiveDate>,
}

/// A session made up.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// Its id.
    pub id: String,
    /// The seller.
    pub seller_id: String,
    /// Its kind.
    pub kind: SessionKind,
    /// Its outcome.
    pub status: SessionStatus,
    /// Held without being scheduled.
    pub ad_hoc: bool,
    /// Moved from its first time.
    pub moved: bool,
    /// When it starts, UTC.
    pub starts_at: NaiveDateTime,
    /// Its length.
    pub minutes: u32,
    /// The manager's preparation (R18).
    pub prep_minutes: u32,
    /// Agenda agreed (R34).
    pub agreed: bool,
    /// Agenda reviewed (R34).
    pub reviewed: bool,
    /// A director observed (R43).
    pub observed: bool,
    /// Its agenda.
    pub items: Vec<Item>,
    /// The action items agreed.
    pub actions: Vec<Action>,
    /// The seller's feedback (R40).
    pub feedback: Option<FeedbackAnswer>,
}

/// A closed deal made up.
#[derive(Debug, Clone, PartialEq)]
pub struct Deal {
    /// Its id.
    pub id: String,
    /// Its owner.
    pub seller_id: String,
    /// Its name.
    pub name: String,
    /// Its amount in whole units.
    pub amount: i64,
    /// Opened.
    pub created_on: NaiveDate,
    /// Closed.
    pub closed_on: NaiveDate,
    /// Won.
    pub won: bool,
    /// Its stages, oldest first, the closed one last.
    pub stages: Vec<(NaiveDate, BuyingStage)>,
}

/// A call made up, with its plan when it had one.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// Its id.
    pub id: String,
    /// Its plan's id, when planned (R29).
    pub plan_id: Option<String>,
    /// The seller.
    pub seller_id: String,
    /// The deal, by position.
    pub deal: usize,
    /// Its day.
    pub day: NaiveDate,
    /// Its importance.
    pub importance: Level,
    /// The manager attended (R31).
    pub observed: bool,
}

/// One team's history.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    /// The team.
    pub team: Team,
    /// The currency of amounts.
    pub currency: &'static str,
    /// Sessions.
    pub sessions: Vec<Session>,
    /// Closed deals.
    pub deals: Vec<Deal>,
    /// Calls.
    pub calls: Vec<Call>,
}

const COMPANIES: &[&str] = &[
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Tailspin",
    "Litware",
    "Adatum",
    "Proseware",
    "Wingtip",
    "Lucerne",
    "Woodgrove",
    "Coho",
    "Alpine",
    "Fourth Coffee",
    "Humongous",
    "Margie's",
    "Trey Research",
    "Blue Yonder",
    "Relecloud",
];
const PRODUCTS: &[&str] = &[
    "renewal",
    "expansion",
    "pilot",
    "platform",
    "rollout",
    "upgrade",
];
const ACTIONS: &[&str] = &[
    "Confirm the decision-makers and the buying steps",
    "Send the criteria summary to the buyer",
    "Book the technical review",
    "Plan the next call with its objective",
    "Update the CRM before the next session",
    "Ask the sponsor about budget timing",
    "Map the competitors the buyer is considering",
    "Share the implementation outline",
];
const FOCUS: &[&str] = &[
    "Call pattern this month",
    "Where the territory is going",
    "Key account plan",
    "Preparing an important call",
];

fn id(rng: &mut ChaCha8Rng) -> String {
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

fn weekday_on_or_after(day: NaiveDate) -> NaiveDate {
    match day.weekday() {
        Weekday::Sat => day + Duration::days(2),
        Weekday::Sun => day + Duration::days(1),
        _ => day,
    }
}

/// Makes the history of the `position`-th team (counting from 1).
pub fn team_history(team: &Team, position: usize, options: &Options) -> History {
    let mut rng = ChaCha8Rng::seed_from_u64(
        options
            .seed
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .wrapping_add(position as u64),
    );
    let keep = options
        .plant
        .keep_by_team
        .iter()
        .find(|(p, _)| *p == position)
        .map_or(options.plant.keep, |(_, k)| *k);
    let span = (options.to - options.from).num_days().max(1);

    // Deals, their stages without the close.
    let mut deals: Vec<Deal> = Vec::new();
    for seller in &team.seller_ids {
        let expected = options.deals_per_year * span as f64 / 365.0;
        let count = expected.floor() as usize + usize::from(rng.random::<f64>() < expected.fract());
        for _ in 0..count {
            let cycle = rng.random_range(30..=180);
            let closed_on = options.from + Duration::days(rng.random_range(0..=span));
            let created_on = closed_on - Duration::days(cycle);
            let mut stages = Vec::with_capacity(5);
            let cuts = [
                0.0,
                rng.random_range(0.15..0.35),
                rng.random_range(0.4..0.6),
                rng.random_range(0.65..0.85),
            ];
            for (cut, stage) in cuts.iter().zip(&BuyingStage::ALL[..4]) {
                stages.push((
                    created_on + Duration::days((cycle as f64 * cut) as i64),
                    *stage,
                ));
            }
            deals.push(Deal {
                id: id(&mut rng),
                seller_id: seller.clone(),
                name: format!(
                    "{} {}",
                    COMPANIES.choose(&mut rng).unwrap_or(&"Acme"),
                    PRODUCTS.choose(&mut rng).unwrap_or(&"deal")
                ),
                amount: rng.random_range(5..=120) * 1000,
                created_on,
                closed_on,
                won: false,
                stages,
            });
        }
    }

    // Sessions, each seller on their own rhythm.
    let mut sessions = Vec::new();
    let gap = 30.44 / options.sessions_per_month.max(0.1);
    let kinds = [
        (SessionKind::Opportunity, 0.45),
        (SessionKind::TerritoryTactical, 0.2),
        (SessionKind::Account, 0.15),
        (SessionKind::Call, 0.15),
        (SessionKind::TerritoryStrategic, 0.05),
    ];
    for seller in &team.seller_ids {
        let mut at = rng.random_range(0.0..gap);
        while (at as i64) <= span {
            let day = weekday_on_or_after(options.from + Duration::days(at as i64));
            at += gap * rng.random_range(0.8..1.2);
            if day > options.to {
                break;
            }
            let mut pick = rng.random::<f64>();
            let kind = kinds
                .iter()
                .find(|(_, w)| {
                    pick -= w;
                    pick < 0.0
                })
                .map_or(SessionKind::Opportunity, |(k, _)| *k);
            let kept = rng.random::<f64>() < keep;
            sessions.push(session(
                &mut rng, team, seller, kind, day, kept, false, &deals, options,
            ));
            if rng.random::<f64>() < 0.08 {
                let day = weekday_on_or_after(day + Duration::days(rng.random_range(3..10)));
                if day <= options.to {
                    sessions.push(session(
                        &mut rng,
                        team,
                        seller,
                        SessionKind::Call,
                        day,
                        true,
                        true,
                        &deals,
                        options,
                    ));
                }
            }
        }
    }

    // How each deal was coached decides its chance (the planted effect).
    for (n, deal) in deals.iter_mut().enumerate() {
        let coached = coached(&sessions, n, deal);
        let p = options.plant.base_win
            + if coached == Coached::Early {
                options.plant.early_win_lift
            } else {
                0.0
            };
        deal.won = rng.random::<f64>() < p.clamp(0.0, 1.0);
        let last = if deal.won {
            BuyingStage::ClosedWon
        } else {
            BuyingStage::ClosedLost
        };
        deal.stages.push((deal.closed_on, last));
    }

    // Calls on the deals, some important, some planned, some attended.
    let mut calls = Vec::new();
    for (n, deal) in deals.iter().enumerate() {
        for _ in 0..rng.random_range(1..=3) {
            let life = (deal.closed_on - deal.created_on).num_days().max(1);
            let day =
                weekday_on_or_after(deal.created_on + Duration::days(rng.random_range(0..life)));
            if day > options.to {
                continue;
            }
            let importance = *[Level::High, Level::Medium, Level::Low]
                .choose(&mut rng)
                .unwrap_or(&Level::Low);
            let planned = rng.random::<f64>()
                < match importance {
                    Level::High => 0.7,
                    Level::Medium => 0.4,
                    Level::Low => 0.1,
                };
            let early = stage_on(&deal.stages, day).is_some_and(BuyingStage::is_early);
            let observed = planned && rng.random::<f64>() < if early { 0.35 } else { 0.2 };
            calls.push(Call {
                id: id(&mut rng),
                plan_id: planned.then(|| id(&mut rng)),
                seller_id: deal.seller_id.clone(),
                deal: n,
                day,
                importance,
                observed,
            });
        }
    }

    History {
        team: team.clone(),
        currency: options.currency,
        sessions,
        deals,
        calls,
    }
}

/// How the `n`-th deal was coached in `sessions`.
fn coached(sessions: &[Session], n: usize, deal: &Deal) -> Coached {
    classify(
        sessions
            .iter()
            .filter(|s| s.status == SessionStatus::Held && s.starts_at.date() < deal.closed_on)
            .filter(|s| s.items.iter().any(|i| i.deal == Some(n)))
            .map(|s| stage_on(&deal.stages, s.starts_at.date())),
    )
}

#[allow(clippy::too_many_arguments)]
fn session(
    rng: &mut ChaCha8Rng,
    team: &Team,
    seller: &str,
    kind: SessionKind,
    day: NaiveDate,
    kept: bool,
    ad_hoc: bool,
    deals: &[Deal],
    options: &Options,
) -> Session {
    let hour = rng.random_range(8..16);
    let starts_at = day.and_hms_opt(hour, 0, 0).unwrap_or_default();
    let minutes = kind.default_minutes();
    let status = if kept {
        SessionStatus::Held
    } else if rng.random::<f64>() < 0.6 {
        SessionStatus::Cancelled
    } else {
        SessionStatus::Missed
    };
    let mut s = Session {
        id: id(rng),
        seller_id: seller.to_owned(),
        kind,
        status,
        ad_hoc,
        moved: kept && !ad_hoc && rng.random::<f64>() < 0.1,
        starts_at,
        minutes,
        prep_minutes: 0,
        agreed: false,
        reviewed: false,
        observed: false,
        items: Vec::new(),
        actions: Vec::new(),
        feedback: None,
    };
    if status != SessionStatus::Held {
        return s;
    }
    s.prep_minutes = if rng.random::<f64>() < 0.75 {
        (f64::from(minutes) * rng.random_range(0.3..1.1)) as u32
    } else {
        0
    };
    s.agreed = rng.random::<f64>() < 0.9;
    s.reviewed = s.agreed && rng.random::<f64>() < 0.85;
    s.observed = team.director_id.is_some() && rng.random::<f64>() < 0.05;
    s.items.push(Item {
        section: Section::Review,
        title: "Review of earlier action items",
        minutes: 10,
        inspection: false,
        deal: None,
    });
    if kind == SessionKind::Opportunity {
        let open: Vec<usize> = deals
            .iter()
            .enumerate()
            .filter(|(_, d)| d.seller_id == seller && d.created_on <= day && day < d.closed_on)
            .map(|(n, _)| n)
            .collect();
        let take = rng.random_range(1..=2).min(open.len());
        for n in open.choose_multiple(rng, take) {
            s.items.push(Item {
                section: Section::Focus,
                title: "Deal review",
                minutes: 20,
                inspection: false,
                deal: Some(*n),
            });
        }
    }
    if rng.random::<f64>() < 0.2 {
        s.items.push(Item {
            section: Section::Focus,
            title: "Pipeline numbers check",
            minutes: 10,
            inspection: true,
            deal: None,
        });
    }
    if s.items.len() < 2 {
        s.items.push(Item {
            section: Section::Focus,
            title: FOCUS.choose(rng).unwrap_or(&"Focus"),
            minutes: 25,
            inspection: false,
            deal: None,
        });
    }
    if rng.random::<f64>() < 0.85 {
        s.items.push(Item {
            section: Section::NextSteps,
            title: "Next steps, summarized by the seller",
            minutes: 5,
            inspection: false,
            deal: None,
        });
        let mean = options.actions_per_session;
        let count = mean.floor() as usize + usize::from(rng.random::<f64>() < mean.fract());
        for _ in 0..count {
            let due_on = day + Duration::days(rng.random_range(5..21));
            let roll = rng.random::<f64>();
            let (status, closed_on) = if due_on > options.to {
                (ActionStatus::Open, None)
            } else if roll < 0.7 {
                (
                    ActionStatus::Done,
                    Some(due_on - Duration::days(rng.random_range(0..4))),
                )
            } else if roll < 0.88 {
                (
                    ActionStatus::Done,
                    Some(due_on + Duration::days(rng.random_range(1..8))),
                )
            } else if roll < 0.95 {
                (ActionStatus::Dropped, Some(due_on))
            } else {
                (ActionStatus::Open, None)
            };
            s.actions.push(Action {
                id: id(rng),
                title: ACTIONS.choose(rng).unwrap_or(&"Follow up"),
                created_on: day,
                due_on,
                status,
                closed_on: closed_on.map(|c| c.min(options.to)),
            });
        }
    }
    if rng.random::<f64>() < 0.5 {
        s.feedback = Some(FeedbackAnswer {
            rating: rng.random_range(3..=5),
            would_pay: rng.random::<f64>() < 0.6,
        });
    }
    s
}

impl History {
    /// The facts the analytics read, as the store would load them back.
    pub fn facts(&self) -> (Facts, Vec<DealFact>) {
        let manager = &self.team.manager_id;
        let mut facts = Facts::default();
        for s in &self.sessions {
            let day = s.starts_at.date();
            facts.sessions.push(SessionFact {
                id: s.id.clone(),
                manager_id: manager.clone(),
                seller_id: s.seller_id.clone(),
                kind: s.kind,
                status: s.status,
                ad_hoc: s.ad_hoc,
                moved: s.moved,
                day,
                minutes: s.minutes,
                prep_minutes: s.prep_minutes,
                agenda_agreed: s.agreed,
                agenda_reviewed: s.reviewed,
                next_steps: !s.actions.is_empty(),
                observed: s.observed,
                items: s
                    .items
                    .iter()
                    .filter(|i| i.section == Section::Focus)
                    .map(|i| ItemFact {
                        minutes: i.minutes,
                        inspection: i.inspection,
                        stage: i.deal.and_then(|n| stage_on(&self.deals[n].stages, day)),
                    })
                    .collect(),
            });
            for a in &s.actions {
                facts.actions.push(ActionFact {
                    seller_id: s.seller_id.clone(),
                    status: a.status,
                    due_on: a.due_on,
                    closed_on: a.closed_on,
                    created_on: a.created_on,
                });
            }
            if let Some(answer) = &s.feedback {
                facts.feedback.push(FeedbackFact {
                    manager_id: manager.clone(),
                    day,
                    answer: answer.clone(),
                });
            }
        }
        for c in &self.calls {
            let stage = stage_on(&self.deals[c.deal].stages, c.day);
            facts.calls.push(CallFact {
                seller_id: c.seller_id.clone(),
                day: c.day,
                important: c.importance == Level::High,
                planned: c.plan_id.is_some(),
            });
            if c.plan_id.is_some() {
                facts.plans.push(PlanFact {
                    seller_id: c.seller_id.clone(),
                    day: c.day,
                    stage,
                    observed: c.observed,
                });
            }
        }
        let deals = self
            .deals
            .iter()
            .enumerate()
            .map(|(n, d)| DealFact {
                id: d.id.clone(),
                seller_id: d.seller_id.clone(),
                manager_id: Some(manager.clone()),
                won: d.won,
                created_on: Some(d.created_on),
                closed_on: d.closed_on,
                amount: Some(d.amount as f64),
                currency: Some(self.currency.to_owned()),
                coached: coached(&self.sessions, n, d),
            })
            .collect();
        (facts, deals)
    }
}
