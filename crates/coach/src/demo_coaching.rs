//! The demo's coaching: half a year of sessions between each manager and
//! their sellers, with agendas, decisions, notes, action items (some done
//! late, some dropped), feedback and a director's observations, plus the
//! sessions of the coming two weeks. The three managers differ believably:
//! manager1 keeps a prepared rhythm and aims at early-stage deals; manager2
//! keeps most sessions but moves many and lets items slip; manager3 coaches
//! ad hoc, prepares little, tells more than asks and often ends without a
//! next step.

use chrono::{Datelike as _, Duration, NaiveDate, TimeZone as _, Utc, Weekday};
use coach_core::Role;
use coach_core::coaching::{
    ActionStatus, SessionKind, SessionStatus, SubjectKind, default_template, preparation_due,
};
use coach_store::coaching::{NewItem, NewSession, PastAction, PastItem, PastSession};
use coach_store::crm::RecordFilter;
use coach_store::{Store, User, UserFilter};
use rand::Rng as _;
use rand::SeedableRng as _;
use rand::seq::IndexedRandom as _;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

/// How a demo manager coaches.
struct Style {
    every_days: i64,
    cancel: f64,
    missed: f64,
    moved: f64,
    ad_hoc: f64,
    prepared: f64,
    prep_minutes: (u32, u32),
    actions: (usize, usize),
    on_time: f64,
    dropped: f64,
    answers: f64,
    rating: (u8, u8),
    pay: f64,
    early_first: bool,
    observed_checks: [bool; 6],
}

fn style(manager_email: &str) -> Style {
    match manager_email {
        "manager1@demo.example" => Style {
            every_days: 14,
            cancel: 0.04,
            missed: 0.01,
            moved: 0.1,
            ad_hoc: 0.0,
            prepared: 0.95,
            prep_minutes: (40, 60),
            actions: (2, 3),
            on_time: 0.8,
            dropped: 0.07,
            answers: 0.9,
            rating: (4, 5),
            pay: 0.75,
            early_first: true,
            observed_checks: [true, true, true, true, true, false],
        },
        "manager2@demo.example" => Style {
            every_days: 14,
            cancel: 0.1,
            missed: 0.05,
            moved: 0.3,
            ad_hoc: 0.15,
            prepared: 0.6,
            prep_minutes: (15, 30),
            actions: (1, 2),
            on_time: 0.55,
            dropped: 0.15,
            answers: 0.7,
            rating: (3, 4),
            pay: 0.45,
            early_first: false,
            observed_checks: [true, true, false, true, true, false],
        },
        _ => Style {
            every_days: 21,
            cancel: 0.2,
            missed: 0.15,
            moved: 0.1,
            ad_hoc: 0.45,
            prepared: 0.25,
            prep_minutes: (0, 10),
            actions: (0, 1),
            on_time: 0.4,
            dropped: 0.25,
            answers: 0.6,
            rating: (2, 3),
            pay: 0.2,
            early_first: false,
            observed_checks: [false, false, false, false, true, false],
        },
    }
}

const KINDS: &[(SessionKind, u32)] = &[
    (SessionKind::Opportunity, 10),
    (SessionKind::Account, 4),
    (SessionKind::TerritoryTactical, 3),
    (SessionKind::Call, 2),
    (SessionKind::TerritoryStrategic, 1),
];

const DECISIONS: &[&str] = &[
    "Meet the economic buyer before the proposal.",
    "Ask for the buying criteria in writing.",
    "Bring the champion to the demo prep call.",
    "Map who else decides; two names missing.",
    "Drop the discount talk until concerns are addressed (R23).",
    "Qualify out if no budget by month end.",
];
const NEXT: &[&str] = &[
    "Book the meeting with the CFO",
    "Send the criteria summary to the buyer",
    "Update the account plan with the new sponsor",
    "Plan the next call: objective, questions, next step",
    "Review the call pattern against the tiers",
    "Ask the champion who else should join the demo",
];
const VALUABLE: &[&str] = &[
    "Working through the buyer's criteria together.",
    "The questions made me see the gap myself.",
    "Clear next steps I agreed with.",
    "",
];
const BETTER: &[&str] = &[
    "Start on time.",
    "More time on the second deal.",
    "",
    "Less talking about the forecast.",
];
const MANAGER_NOTES: &[&str] = &[
    "Good progress on qualification. Watch the late-stage habit of discounting.",
    "Ask more about how the buyer decides next time.",
    "Seller summarized well. Follow up on the champion.",
];
const SELLER_NOTES: &[&str] = &[
    "Call the CFO's assistant on Monday.",
    "Criteria: security review, price per seat, onboarding time.",
    "My own worry: the competitor's pilot.",
];

fn pick_kind(rng: &mut ChaCha8Rng) -> SessionKind {
    let total: u32 = KINDS.iter().map(|k| k.1).sum();
    let mut roll = rng.random_range(0..total);
    for (k, w) in KINDS {
        if roll < *w {
            return *k;
        }
        roll -= w;
    }
    SessionKind::Opportunity
}

/// A weekday on or after `day`.
fn weekday(mut day: NaiveDate) -> NaiveDate {
    while matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
        day += Duration::days(1);
    }
    day
}

/// The seller's subjects: deals (early ones first or not), accounts.
struct Subjects {
    early: Vec<(String, String)>,
    late: Vec<(String, String)>,
    accounts: Vec<(String, String)>,
}

async fn subjects(store: &Store, org_id: &str, seller: &User) -> anyhow::Result<Subjects> {
    let mine = RecordFilter {
        owner_id: Some(seller.id.clone()),
        limit: Some(60),
        ..RecordFilter::default()
    };
    let deals = store.opportunities(org_id, &mine).await?;
    let open: Vec<_> = deals.iter().filter(|d| d.stage.is_open()).collect();
    Ok(Subjects {
        early: open
            .iter()
            .filter(|d| d.stage.is_early())
            .map(|d| (d.id.clone(), d.name.clone()))
            .collect(),
        late: open
            .iter()
            .filter(|d| !d.stage.is_early())
            .map(|d| (d.id.clone(), d.name.clone()))
            .collect(),
        accounts: store
            .accounts(org_id, &mine)
            .await?
            .into_iter()
            .map(|a| (a.id, a.name))
            .collect(),
    })
}

/// Loads the demo's coaching.
pub async fn load(store: &Store, org_id: &str, today: NaiveDate) -> anyhow::Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(crate::demo::SEED ^ 0xc0ac);
    let people = store.users(org_id, &UserFilter::default()).await?;
    let by_id: BTreeMap<&str, &User> = people.iter().map(|u| (u.id.as_str(), u)).collect();
    let director = people
        .iter()
        .find(|u| u.roles.has(Role::Director))
        .map(|u| u.id.clone());
    let mut sellers: Vec<&User> = people
        .iter()
        .filter(|u| u.roles.has(Role::Seller))
        .collect();
    sellers.sort_by_key(|u| u.email.clone());
    let tz: chrono_tz::Tz = "Europe/Berlin".parse().unwrap_or(chrono_tz::UTC);
    let mut past = Vec::new();
    let mut observed: BTreeMap<String, usize> = BTreeMap::new();
    for (n, seller) in sellers.iter().enumerate() {
        let Some(manager) = seller.manager_id.as_deref().and_then(|m| by_id.get(m)) else {
            continue;
        };
        let st = style(&manager.email);
        let subj = subjects(store, org_id, seller).await?;
        let mut day = weekday(today - Duration::days(182) + Duration::days((n % 10) as i64));
        while day < today - Duration::days(2) {
            let kind = pick_kind(&mut rng);
            let minutes = kind.default_minutes();
            let hour = [9u32, 10, 14, 16].choose(&mut rng).copied().unwrap_or(10);
            let at = |d: NaiveDate, h: u32| {
                tz.from_local_datetime(&d.and_hms_opt(h, 0, 0).unwrap_or_default())
                    .earliest()
                    .map_or_else(Utc::now, |t| t.with_timezone(&Utc))
            };
            let scheduled = at(day, hour);
            let ad_hoc = rng.random_bool(st.ad_hoc);
            let moved = !ad_hoc && rng.random_bool(st.moved);
            let starts_at = if moved {
                at(weekday(day + Duration::days(rng.random_range(1..4))), hour)
            } else {
                scheduled
            };
            let status = if ad_hoc {
                SessionStatus::Held
            } else if rng.random_bool(st.cancel) {
                SessionStatus::Cancelled
            } else if rng.random_bool(st.missed) {
                SessionStatus::Missed
            } else {
                SessionStatus::Held
            };
            let held = status == SessionStatus::Held;
            let prepared = !ad_hoc && rng.random_bool(st.prepared);
            let template = default_template(kind);
            let mut items: Vec<PastItem> = template
                .items
                .iter()
                .map(|i| PastItem {
                    section: i.section,
                    title: i.title.clone(),
                    minutes: i.minutes,
                    subject: None,
                    decision: String::new(),
                    spent_seconds: if held {
                        i64::from(i.minutes) * 60 + rng.random_range(-120..240)
                    } else {
                        0
                    },
                })
                .collect();
            let mut deals_discussed = Vec::new();
            if kind == SessionKind::Opportunity {
                let (first, second) = if st.early_first {
                    (&subj.early, &subj.late)
                } else {
                    (&subj.late, &subj.early)
                };
                let pool: Vec<&(String, String)> = first.iter().chain(second.iter()).collect();
                let take = rng.random_range(2..=3).min(pool.len());
                for (id, name) in pool.into_iter().take(take) {
                    deals_discussed.push((id.clone(), name.clone()));
                    items.insert(
                        1 + deals_discussed.len() - 1,
                        PastItem {
                            section: coach_core::coaching::Section::Focus,
                            title: name.clone(),
                            minutes: 12,
                            subject: Some((SubjectKind::Opportunity, id.clone())),
                            decision: if held {
                                (*DECISIONS.choose(&mut rng).unwrap_or(&"")).to_owned()
                            } else {
                                String::new()
                            },
                            spent_seconds: if held {
                                12 * 60 + rng.random_range(-180..300)
                            } else {
                                0
                            },
                        },
                    );
                }
            } else if let Some((id, name)) = subj
                .accounts
                .choose(&mut rng)
                .filter(|_| kind == SessionKind::Account)
            {
                for i in items
                    .iter_mut()
                    .filter(|i| i.section == coach_core::coaching::Section::Focus)
                    .take(1)
                {
                    i.subject = Some((SubjectKind::Account, id.clone()));
                    i.title = format!("{}: {}", name, i.title);
                }
            }
            if held {
                for i in items.iter_mut().filter(|i| {
                    i.section == coach_core::coaching::Section::Focus && i.decision.is_empty()
                }) {
                    if rng.random_bool(0.6) {
                        i.decision = (*DECISIONS.choose(&mut rng).unwrap_or(&"")).to_owned();
                    }
                }
            }
            let mut actions = Vec::new();
            if held {
                let count = rng.random_range(st.actions.0..=st.actions.1);
                for k in 0..count {
                    let due = day + Duration::days(rng.random_range(5..15));
                    let subject = deals_discussed
                        .get(k)
                        .map(|(id, _)| (SubjectKind::Opportunity, id.clone()));
                    let (status, closed_on) = if due >= today && rng.random_bool(0.7) {
                        (ActionStatus::Open, None)
                    } else if rng.random_bool(st.dropped) {
                        (
                            ActionStatus::Dropped,
                            Some((due - Duration::days(1)).min(today)),
                        )
                    } else if rng.random_bool(st.on_time) {
                        (
                            ActionStatus::Done,
                            Some((due - Duration::days(rng.random_range(0..4))).min(today)),
                        )
                    } else if due + Duration::days(3) < today && rng.random_bool(0.7) {
                        (
                            ActionStatus::Done,
                            Some((due + Duration::days(rng.random_range(1..8))).min(today)),
                        )
                    } else {
                        (ActionStatus::Open, None)
                    };
                    actions.push(PastAction {
                        owner_id: if rng.random_bool(0.9) {
                            seller.id.clone()
                        } else {
                            manager.id.clone()
                        },
                        title: (*NEXT.choose(&mut rng).unwrap_or(&"Follow up")).to_owned(),
                        subject,
                        due_on: due,
                        status,
                        closed_on,
                    });
                }
            }
            let observe = held && director.is_some() && {
                let seen = observed.entry(manager.id.clone()).or_default();
                let due = *seen < 3 && rng.random_bool(0.05);
                if due {
                    *seen += 1;
                }
                due
            };
            let checks: BTreeMap<String, bool> = coach_core::coaching::OBSERVATION_CHECKS
                .iter()
                .zip(st.observed_checks)
                .map(|((k, _), v)| ((*k).to_owned(), v))
                .collect();
            past.push(PastSession {
                kind,
                manager_id: manager.id.clone(),
                seller_id: seller.id.clone(),
                observer_id: observe.then(|| director.clone()).flatten(),
                ad_hoc,
                status,
                starts_at,
                minutes,
                original_starts_at: moved.then_some(scheduled),
                desired_outcome: template.desired_outcome.clone(),
                prep_due_on: preparation_due(starts_at.with_timezone(&tz).date_naive(), 2),
                seller_prepared_at: prepared.then(|| starts_at - Duration::days(3)),
                manager_prepared_at: prepared.then(|| starts_at - Duration::days(1)),
                prep_minutes: if prepared {
                    rng.random_range(st.prep_minutes.0..=st.prep_minutes.1)
                } else {
                    0
                },
                cancel_reason: match status {
                    SessionStatus::Cancelled => (*[
                        "Customer visit moved onto this slot",
                        "Quarter-end forecast call",
                        "Seller out sick",
                    ]
                    .choose(&mut rng)
                    .unwrap_or(&""))
                    .to_owned(),
                    _ => String::new(),
                },
                items,
                questions: if prepared {
                    vec![(
                        "What does the buyer want to achieve, and by when?".to_owned(),
                        held,
                    )]
                } else {
                    Vec::new()
                },
                notes: if held {
                    vec![
                        (
                            manager.id.clone(),
                            false,
                            (*MANAGER_NOTES.choose(&mut rng).unwrap_or(&"")).to_owned(),
                        ),
                        (
                            seller.id.clone(),
                            rng.random_bool(0.4),
                            (*SELLER_NOTES.choose(&mut rng).unwrap_or(&"")).to_owned(),
                        ),
                    ]
                } else {
                    Vec::new()
                },
                actions,
                feedback: (held && rng.random_bool(st.answers)).then(|| {
                    (
                        rng.random_range(st.rating.0..=st.rating.1),
                        rng.random_bool(st.pay),
                        (*VALUABLE.choose(&mut rng).unwrap_or(&"")).to_owned(),
                        (*BETTER.choose(&mut rng).unwrap_or(&"")).to_owned(),
                    )
                }),
                observation: observe.then(|| {
                    (
                        checks,
                        "Agenda was clear. Ask one more open question before suggesting."
                            .to_owned(),
                    )
                }),
            });
            let gap = st.every_days + rng.random_range(-2..4);
            day = weekday(day + Duration::days(gap));
        }
    }
    store.load_past_sessions(org_id, &past).await?;
    call_plans(store, org_id, &sellers, &by_id, today, &mut rng).await?;
    opportunity_plans(store, org_id, &sellers, &by_id, &mut rng).await?;
    territory_plans(store, org_id, &sellers, &by_id, today).await?;
    account_plans(store, org_id, &sellers, &by_id).await?;
    // The coming two weeks: one session per seller, some prepared.
    for (n, seller) in sellers.iter().enumerate() {
        let Some(manager) = seller.manager_id.as_deref().and_then(|m| by_id.get(m)) else {
            continue;
        };
        let st = style(&manager.email);
        let day = weekday(today + Duration::days(1 + (n as i64 % 9)));
        let kind = if n % 3 == 0 {
            SessionKind::Account
        } else {
            SessionKind::Opportunity
        };
        let starts_at = tz
            // Weekends fall on Monday: different hours keep them apart.
            .from_local_datetime(
                &day.and_hms_opt(9 + 2 * (n as u32 % 4), 0, 0)
                    .unwrap_or_default(),
            )
            .earliest()
            .map_or_else(Utc::now, |t| t.with_timezone(&Utc));
        let s = store
            .create_coaching_session(
                org_id,
                NewSession {
                    kind,
                    manager_id: manager.id.clone(),
                    seller_id: seller.id.clone(),
                    starts_at,
                    minutes: None,
                    ad_hoc: false,
                    series_id: None,
                    desired_outcome: None,
                },
                &manager.id,
            )
            .await?;
        if rng.random_bool(st.prepared) {
            if kind == SessionKind::Opportunity {
                let fresh: Vec<(String, String)> = store
                    .deals_to_pick(org_id, &seller.id)
                    .await?
                    .into_iter()
                    .filter(|d| d.fresh)
                    .map(|d| (d.opportunity_id, d.name))
                    .collect();
                for (id, name) in fresh.iter().take(2) {
                    store
                        .add_agenda_item(
                            org_id,
                            &s.id,
                            NewItem {
                                section: coach_core::coaching::Section::Focus,
                                title: name.clone(),
                                minutes: 12,
                                subject: Some((SubjectKind::Opportunity, id.clone())),
                                inspection: false,
                            },
                            &seller.id,
                        )
                        .await?;
                }
            }
            if store.seller_prepared(org_id, &s.id).await.is_ok() {
                for q in store
                    .question_bank(org_id, Some(kind))
                    .await?
                    .into_iter()
                    .take(2)
                {
                    store
                        .prepare_question(org_id, &s.id, &q.text, q.open)
                        .await?;
                }
                store
                    .manager_prepared(
                        org_id,
                        &s.id,
                        rng.random_range(st.prep_minutes.0..=st.prep_minutes.1.max(1)),
                    )
                    .await?;
            }
        }
    }
    Ok(())
}

const OBJECTIVES: &[(&str, &str, &str, &str)] = &[
    (
        "Learn what doing nothing costs them",
        "What happens if you change nothing this year?",
        "A short discovery workshop",
        "A meeting with the operations lead",
    ),
    (
        "Agree the evaluation criteria",
        "Which three things will decide this for you?",
        "A pilot in one region",
        "Written criteria we both sign off",
    ),
    (
        "Address the security concerns",
        "What would your security team need to see?",
        "Our audit reports and a call with our CISO",
        "A date for the security review",
    ),
];

/// Call plans for the demo's deals: most sellers plan a call or two, half
/// of them held with the outcome recorded, some with a manager's feedback.
async fn call_plans(
    store: &Store,
    org_id: &str,
    sellers: &[&User],
    by_id: &BTreeMap<&str, &User>,
    today: NaiveDate,
    rng: &mut ChaCha8Rng,
) -> anyhow::Result<()> {
    use coach_store::call_plans::{NewCallPlan, PlanText};
    for seller in sellers {
        let Some(manager) = seller.manager_id.as_deref().and_then(|m| by_id.get(m)) else {
            continue;
        };
        let st = style(&manager.email);
        let deals = store.deals_to_pick(org_id, &seller.id).await?;
        let take = if st.prepared > 0.5 { 2 } else { 1 };
        for (k, deal) in deals.iter().take(take).enumerate() {
            let (objective, question, solution, next) =
                OBJECTIVES[(k + seller.email.len()) % OBJECTIVES.len()];
            let held = k == 0;
            let day = if held {
                weekday(today - Duration::days(rng.random_range(3..20)))
            } else {
                weekday(today + Duration::days(rng.random_range(2..10)))
            };
            let plan = store
                .create_call_plan(
                    org_id,
                    NewCallPlan {
                        seller_id: seller.id.clone(),
                        opportunity_id: Some(deal.opportunity_id.clone()),
                        session_id: None,
                        planned_for: day,
                        text: PlanText {
                            objective: objective.to_owned(),
                            desired_outcome: format!("{next} agreed before we hang up."),
                            agenda: vec![
                                ("Opening: agree the time and the outcome".to_owned(), 5),
                                ("Their priorities and who decides".to_owned(), 20),
                                ("Ask for the next step".to_owned(), 5),
                            ],
                            questions: question.to_owned(),
                            solutions: if rng.random_bool(st.prepared) {
                                solution.to_owned()
                            } else {
                                String::new()
                            },
                            interests: "Lower cost of onboarding new staff.".to_owned(),
                            objections: "Timing: budget is set in January.".to_owned(),
                            opening: String::new(),
                            next_step: next.to_owned(),
                        },
                    },
                    &seller.id,
                )
                .await?;
            if held {
                let attended = rng.random_bool(0.5);
                store
                    .record_call_outcome(
                        org_id,
                        &plan.id,
                        rng.random_bool(0.6),
                        "The buyer engaged on the questions; see the CRM notes.",
                        attended.then_some(manager.id.as_str()),
                    )
                    .await?;
                if attended {
                    store
                        .give_call_feedback(
                            org_id,
                            &plan.id,
                            &manager.id,
                            "You asked before proposing. Ask for the next step earlier.",
                        )
                        .await?;
                }
            }
        }
    }
    Ok(())
}

/// What a seller might have learned, per piece of buyer evidence (R21).
const EVIDENCE: [(coach_core::opportunity_plans::Evidence, &str); 10] = {
    use coach_core::opportunity_plans::Evidence as E;
    [
        (
            E::BuyingProcess,
            "Needs paper, then a pilot in one region, then the board signs in March.",
        ),
        (
            E::DecisionMakers,
            "The CFO decides; the head of operations and IT security influence.",
        ),
        (
            E::Needs,
            "Onboarding a new hire takes nine weeks; they want it under five.",
        ),
        (
            E::Budget,
            "Budget set aside for this year; the amount is confirmed by the CFO.",
        ),
        (
            E::Criteria,
            "Time to value, security review passed, total cost over three years.",
        ),
        (
            E::Competitors,
            "One rival vendor, and building it in-house.",
        ),
        (
            E::ViewOfOurs,
            "Strongest on time to value; the pilot team liked the reporting.",
        ),
        (
            E::ViewOfCompetitors,
            "The rival is cheaper; in-house is seen as slow.",
        ),
        (
            E::Terms,
            "Three-year term agreed; payment schedule still open.",
        ),
        (
            E::Implementation,
            "Rollout by region from April, their project lead named.",
        ),
    ]
};

/// Opportunity plans for the demo's deals: most sellers keep plans for
/// their first deals, with the evidence up to the deal's stage, some of it
/// missing (more so for managers who prepare little), concerns on late
/// deals (some still open), and one negotiation started with a reason.
async fn opportunity_plans(
    store: &Store,
    org_id: &str,
    sellers: &[&User],
    by_id: &BTreeMap<&str, &User>,
    rng: &mut ChaCha8Rng,
) -> anyhow::Result<()> {
    use coach_core::crm::BuyingStage;
    use coach_core::opportunity_plans::{Concern, Known as _, OPEN_STAGES, Verdict};
    use coach_store::opportunity_plans::PlanDraft;
    let mut overridden = false;
    for (n, seller) in sellers.iter().enumerate() {
        let Some(manager) = seller.manager_id.as_deref().and_then(|m| by_id.get(m)) else {
            continue;
        };
        if n % 6 == 5 {
            continue;
        }
        let st = style(&manager.email);
        let deals = store.deals_to_pick(org_id, &seller.id).await?;
        for deal in deals.iter().take(3) {
            let mut draft = PlanDraft::default();
            // The first late deal is one a seller has worked well, with one
            // concern still open when negotiation starts (R23).
            let showcase = !overridden && deal.stage == BuyingStage::MitigateRisks;
            for (e, text) in EVIDENCE {
                // Evidence up to the deal's stage, a piece sometimes missing.
                if e.stage() <= deal.stage
                    && (showcase || rng.random_bool(0.55 + 0.4 * st.prepared))
                {
                    draft.notes.insert(e, text.to_owned());
                }
            }
            if deal.stage == BuyingStage::MitigateRisks {
                draft.concerns = vec![
                    Concern {
                        text: "Data must stay in the EU".into(),
                        response: "EU hosting, in the contract".into(),
                        addressed: true,
                    },
                    Concern {
                        text: "Rollout effort for the regions".into(),
                        response: String::new(),
                        addressed: !showcase && rng.random_bool(0.5),
                    },
                ];
            }
            let decided = rng.random_bool(0.4 + 0.5 * st.prepared);
            draft.verdict = Some(if decided {
                Verdict::Pursue
            } else {
                Verdict::Undecided
            });
            if decided {
                draft.verdict_reasons = "A named sponsor, a real need and a budget.".into();
            }
            let plan = store
                .save_opportunity_plan(org_id, &deal.opportunity_id, None, draft, &seller.id)
                .await?;
            // Moved stage by stage as far as the evidence and the CRM go.
            let mut at = plan.stage;
            for to in OPEN_STAGES {
                if to <= at || to > deal.stage {
                    continue;
                }
                match store
                    .move_opportunity_stage(org_id, &deal.opportunity_id, None, to, &seller.id)
                    .await
                {
                    Ok(_) => at = to,
                    Err(coach_store::StoreError::Invalid(_)) => break,
                    Err(e) => return Err(e.into()),
                }
            }
            if at == BuyingStage::MitigateRisks {
                let plan = store.opportunity_plan(org_id, &deal.opportunity_id).await?;
                let reason = (plan.open_concerns() > 0 && !overridden)
                    .then_some("Their budget lapses at quarter end; the rollout concern is on the agenda of the first negotiation meeting.");
                if plan.open_concerns() == 0 || reason.is_some() {
                    overridden |= reason.is_some();
                    store
                        .start_negotiation(org_id, &deal.opportunity_id, None, reason, &manager.id)
                        .await?;
                }
            }
        }
    }
    Ok(())
}

/// Territory plans for most sellers (R6): the first manager's sellers weigh
/// potential and pipeline and write messaging for their segments; the
/// second's keep the defaults but set a prospect up to tier B by hand; the
/// third's have none yet.
async fn territory_plans(
    store: &Store,
    org_id: &str,
    sellers: &[&User],
    by_id: &BTreeMap<&str, &User>,
    today: NaiveDate,
) -> anyhow::Result<()> {
    use coach_core::territory::{CallPattern, Criterion, Measure, Message, Scheme, Tier};
    use coach_store::territory::TerritoryDraft;
    for seller in sellers {
        let Some(manager) = seller.manager_id.as_deref().and_then(|m| by_id.get(m)) else {
            continue;
        };
        let accounts = store.territory_accounts(org_id, &seller.id, today).await?;
        match manager.email.as_str() {
            "manager1@demo.example" => {
                let mut segments: Vec<String> =
                    accounts.iter().filter_map(|a| a.segment.clone()).collect();
                segments.sort();
                segments.dedup();
                let messaging = segments
                    .into_iter()
                    .take(3)
                    .map(|segment| Message {
                        message: format!(
                            "{segment}: cut the time new staff take to be productive; a pilot in one site proves it in six weeks."
                        ),
                        segment,
                    })
                    .collect();
                store
                    .save_territory_plan(
                        org_id,
                        &seller.id,
                        None,
                        TerritoryDraft {
                            scheme: Scheme {
                                criteria: vec![
                                    Criterion {
                                        measure: Measure::Potential,
                                        weight: 4,
                                    },
                                    Criterion {
                                        measure: Measure::Pipeline,
                                        weight: 4,
                                    },
                                    Criterion {
                                        measure: Measure::Engagement,
                                        weight: 2,
                                    },
                                ],
                                a_share: 20,
                                b_share: 30,
                            },
                            pattern: CallPattern::default(),
                            messaging,
                        },
                        &seller.id,
                    )
                    .await?;
            }
            "manager2@demo.example" => {
                store
                    .save_territory_plan(
                        org_id,
                        &seller.id,
                        None,
                        TerritoryDraft {
                            scheme: Scheme::default(),
                            pattern: CallPattern::default(),
                            messaging: Vec::new(),
                        },
                        &manager.id,
                    )
                    .await?;
                if let Some(prospect) = accounts.iter().rev().find(|a| !a.facts.key_account) {
                    store
                        .set_tier(
                            org_id,
                            &seller.id,
                            &prospect.facts.id,
                            Some((Tier::B, "New CFO wants to consolidate suppliers this year")),
                            &manager.id,
                        )
                        .await?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Account plans (R7): every key account needs one in the demo; the first
/// manager's sellers have written theirs, the second's some, the third's
/// none. Account sessions are marked strategic mostly by the first manager,
/// tactical mostly by the others.
async fn account_plans(
    store: &Store,
    org_id: &str,
    sellers: &[&User],
    by_id: &BTreeMap<&str, &User>,
) -> anyhow::Result<()> {
    use coach_core::account_plans::{Focus, Relationship, Step, StepStatus};
    use coach_store::account_plans::AccountPlanDraft;
    store.set_key_accounts_need_plan(org_id, true).await?;
    for (n, seller) in sellers.iter().enumerate() {
        let Some(manager) = seller.manager_id.as_deref().and_then(|m| by_id.get(m)) else {
            continue;
        };
        let writes = match manager.email.as_str() {
            "manager1@demo.example" => 2,
            "manager2@demo.example" => n % 2,
            _ => 0,
        };
        let keys = store
            .key_account_plans(org_id, Some(std::slice::from_ref(&seller.id)))
            .await?;
        for account in keys.iter().take(writes) {
            let mut people = store
                .account_plan(org_id, &account.account_id)
                .await?
                .people;
            for (i, p) in people.iter_mut().enumerate() {
                p.relationship =
                    [Relationship::Strong, Relationship::Good, Relationship::Weak][i % 3];
            }
            store
                .save_account_plan(
                    org_id,
                    &account.account_id,
                    None,
                    AccountPlanDraft {
                        assessment: "Growing fast in two regions; we supply one of them. Procurement is consolidating suppliers this year.".into(),
                        goals: "Halve onboarding time; one supplier per category by next year; open the northern region.".into(),
                        mutual_value: "Their onboarding goal is our rollout plan: one region a quarter, priced per region, with a joint review each quarter.".into(),
                        people,
                        actions: vec![
                            Step {
                                activity: "Executive briefing with the COO".into(),
                                time_frame: "This quarter".into(),
                                resources: "Our VP of sales".into(),
                                owner: seller.name.clone(),
                                status: StepStatus::Doing,
                            },
                            Step {
                                activity: "Pilot proposal for the northern region".into(),
                                time_frame: "Next month".into(),
                                resources: "Solution engineer, two days".into(),
                                owner: seller.name.clone(),
                                status: StepStatus::Planned,
                            },
                        ],
                    },
                    &seller.id,
                )
                .await?;
        }
    }
    // What account sessions dwelt on.
    let sessions = store
        .coaching_sessions(
            org_id,
            &coach_store::coaching::SessionFilter {
                limit: Some(5000),
                ..Default::default()
            },
        )
        .await?;
    for (i, s) in sessions
        .iter()
        .filter(|s| {
            s.kind == SessionKind::Account && s.status == coach_core::coaching::SessionStatus::Held
        })
        .enumerate()
    {
        let first = by_id
            .get(s.manager_id.as_str())
            .is_some_and(|m| m.email == "manager1@demo.example");
        let strategic_share = if first { 4 } else { 1 };
        let focus = if i % 5 < strategic_share {
            Focus::Strategic
        } else {
            Focus::Tactical
        };
        store.set_session_focus(org_id, &s.id, Some(focus)).await?;
    }
    Ok(())
}
