#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::synth::{Options, Plant, Team, team_history};
use super::*;
use crate::coaching::FeedbackAnswer;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn session(seller: &str, day: &str, status: SessionStatus) -> SessionFact {
    SessionFact {
        id: format!("{seller}-{day}"),
        manager_id: "m".into(),
        seller_id: seller.into(),
        kind: SessionKind::Opportunity,
        status,
        ad_hoc: false,
        moved: false,
        day: d(day),
        minutes: 60,
        prep_minutes: 0,
        agenda_agreed: false,
        agenda_reviewed: false,
        next_steps: false,
        observed: false,
        items: Vec::new(),
    }
}

fn rules(from: &str, to: &str) -> Rules {
    Rules {
        window: Window {
            from: d(from),
            to: d(to),
        },
        today: d(to),
        band: Band::default(),
        min_answers: 3,
    }
}

#[test]
fn a_window_is_read_from_dates_and_refused_with_the_field_when_wrong() {
    let today = d("2026-11-27");
    let w = Window::parse("", "", today).unwrap();
    assert_eq!((w.from, w.to, w.days()), (d("2026-08-29"), today, 91));
    let w = Window::parse("2026-01-01", "2026-03-31", today).unwrap();
    assert_eq!(w.days(), 90);
    assert_eq!(
        w.previous(),
        Window {
            from: d("2025-10-03"),
            to: d("2025-12-31")
        }
    );
    let slices = w.month_slices();
    assert_eq!(slices.len(), 3);
    assert_eq!(
        (slices[1].from, slices[1].to),
        (d("2026-02-01"), d("2026-02-28"))
    );
    let e = Window::parse("2026-13-01", "", today).unwrap_err();
    assert_eq!(e.field, "from");
    assert!(e.message.contains("2026-13-01"), "{}", e.message);
    assert_eq!(
        Window::parse("2026-05-01", "2026-04-01", today)
            .unwrap_err()
            .field,
        "from"
    );
    assert_eq!(
        Window::parse("2000-01-01", "2026-04-01", today)
            .unwrap_err()
            .field,
        "from"
    );
    assert_eq!(
        Window::parse("", "tomorrow", today).unwrap_err().field,
        "to"
    );
}

#[test]
fn a_band_places_minutes_and_refuses_an_empty_band() {
    let b = Band::new(120, 360).unwrap();
    assert_eq!(b.place(119.0), BandPlace::Below);
    assert_eq!(b.place(120.0), BandPlace::Within);
    assert_eq!(b.place(361.0), BandPlace::Above);
    assert_eq!(b.label(), "2–6 h");
    assert_eq!(Band::new(300, 300).unwrap_err().field, "band_high_minutes");
    assert_eq!(Band::new(-1, 300).unwrap_err().field, "band_low_minutes");
}

#[test]
fn practice_counts_each_figure_from_its_own_records() {
    let mut held = session("s1", "2026-03-02", SessionStatus::Held);
    held.agenda_agreed = true;
    held.next_steps = true;
    held.prep_minutes = 45;
    held.items = vec![
        ItemFact {
            minutes: 20,
            inspection: false,
            stage: Some(BuyingStage::IdentifyNeeds),
        },
        ItemFact {
            minutes: 20,
            inspection: false,
            stage: Some(BuyingStage::MitigateRisks),
        },
        ItemFact {
            minutes: 10,
            inspection: true,
            stage: None,
        },
    ];
    let mut moved = session("s1", "2026-03-16", SessionStatus::Held);
    moved.moved = true;
    moved.observed = true;
    let mut ad_hoc = session("s1", "2026-03-20", SessionStatus::Held);
    ad_hoc.ad_hoc = true;
    let facts = Facts {
        sessions: vec![
            held,
            moved,
            ad_hoc,
            session("s2", "2026-03-03", SessionStatus::Cancelled),
            session("s2", "2026-03-30", SessionStatus::Missed),
            // Outside the window: not counted.
            session("s2", "2026-01-05", SessionStatus::Held),
        ],
        actions: vec![
            ActionFact {
                seller_id: "s1".into(),
                status: ActionStatus::Done,
                due_on: d("2026-03-10"),
                closed_on: Some(d("2026-03-09")),
                created_on: d("2026-03-02"),
            },
            ActionFact {
                seller_id: "s1".into(),
                status: ActionStatus::Done,
                due_on: d("2026-03-10"),
                closed_on: Some(d("2026-03-12")),
                created_on: d("2026-03-02"),
            },
            ActionFact {
                seller_id: "s2".into(),
                status: ActionStatus::Open,
                due_on: d("2026-03-11"),
                closed_on: None,
                created_on: d("2026-03-01"),
            },
            ActionFact {
                seller_id: "s2".into(),
                status: ActionStatus::Dropped,
                due_on: d("2026-03-11"),
                closed_on: Some(d("2026-03-11")),
                created_on: d("2026-03-01"),
            },
        ],
        feedback: vec![
            FeedbackFact {
                manager_id: "m".into(),
                day: d("2026-03-02"),
                answer: FeedbackAnswer {
                    rating: 4,
                    would_pay: true,
                },
            },
            FeedbackFact {
                manager_id: "m".into(),
                day: d("2026-03-16"),
                answer: FeedbackAnswer {
                    rating: 5,
                    would_pay: false,
                },
            },
        ],
        calls: vec![
            CallFact {
                seller_id: "s1".into(),
                day: d("2026-03-05"),
                important: true,
                planned: true,
            },
            CallFact {
                seller_id: "s1".into(),
                day: d("2026-03-06"),
                important: true,
                planned: false,
            },
            CallFact {
                seller_id: "s1".into(),
                day: d("2026-03-07"),
                important: false,
                planned: false,
            },
        ],
        plans: vec![
            PlanFact {
                seller_id: "s1".into(),
                day: d("2026-03-05"),
                stage: Some(BuyingStage::IdentifyNeeds),
                observed: true,
            },
            PlanFact {
                seller_id: "s1".into(),
                day: d("2026-03-08"),
                stage: Some(BuyingStage::AssessSolutions),
                observed: false,
            },
        ],
    };
    let p = practice(
        &facts,
        &["s1".into(), "s2".into()],
        &rules("2026-03-01", "2026-03-31"),
    );
    assert_eq!(p.held, 3);
    // Kept: two held as scheduled (one moved), one cancelled, one missed;
    // the ad-hoc session was never scheduled.
    assert_eq!(p.kept, Rate::new(2, 4));
    assert_eq!(p.ad_hoc, Rate::new(1, 3));
    assert_eq!(p.agenda_agreed, Rate::new(1, 3));
    assert_eq!(p.next_steps, Rate::new(1, 3));
    assert_eq!(p.observations, Rate::new(1, 3));
    assert_eq!(p.prepared, Rate::new(1, 3));
    assert_eq!(p.prep_per_coaching, Some(0.75));
    assert_eq!(p.early, Rate::new(1, 2));
    assert_eq!(p.inspection, Rate::new(1, 3));
    assert_eq!(p.inspection_minutes_share, Some(0.2));
    assert_eq!(p.by_stage.len(), 2);
    assert_eq!(p.by_kind[0].minutes, 180);
    // Three came due (the dropped one does not count); one on time.
    assert_eq!(p.on_time, Rate::new(1, 3));
    assert_eq!((p.open, p.overdue), (1, 1));
    assert_eq!(p.calls_planned, Rate::new(1, 2));
    assert_eq!(
        (p.observed_early, p.observed_late),
        (Rate::new(1, 1), Rate::new(0, 1))
    );
    // Two answers under a minimum of three: nothing but the count (R40).
    assert_eq!(p.feedback, FeedbackView::TooFew { n: 2, min: 3 });
    // s1: 180 minutes in a month of 31 days is within 2–6 h; s2: none.
    assert_eq!(p.in_band, Rate::new(1, 2));
    assert_eq!(p.below_band, 1);
    assert_eq!(p.per_seller[1].kept, Rate::new(0, 2));
    // Three sessions of an hour over two sellers and 31 days.
    let seller_months = 2.0 * 31.0 / (365.25 / 12.0);
    let hours = p.hours_per_seller_month.value().unwrap();
    assert!((hours - 3.0 / seller_months).abs() < 1e-9);
    assert_eq!(
        p.sessions_per_seller_month.value(),
        Some(3.0 / seller_months)
    );
    assert!(!p.sessions_per_seller_month.enough_data());
}

#[test]
fn a_deal_is_coached_early_if_any_session_found_it_at_an_early_stage() {
    let history = vec![
        (d("2026-01-01"), BuyingStage::IdentifyNeeds),
        (d("2026-02-01"), BuyingStage::AssessSolutions),
        (d("2026-03-01"), BuyingStage::ClosedWon),
    ];
    assert_eq!(
        stage_on(&history, d("2025-12-01")),
        Some(BuyingStage::IdentifyNeeds)
    );
    assert_eq!(
        stage_on(&history, d("2026-02-10")),
        Some(BuyingStage::AssessSolutions)
    );
    assert_eq!(classify([]), Coached::Not);
    assert_eq!(
        classify([Some(BuyingStage::AssessSolutions), None]),
        Coached::LateOnly
    );
    assert_eq!(
        classify([
            Some(BuyingStage::AssessSolutions),
            Some(BuyingStage::EstablishCriteria)
        ]),
        Coached::Early
    );
}

fn roster(teams: usize, sellers: usize) -> Vec<Team> {
    (1..=teams)
        .map(|t| Team {
            manager_id: format!("m{t}"),
            seller_ids: (1..=sellers).map(|s| format!("m{t}s{s}")).collect(),
            director_id: Some("d".into()),
        })
        .collect()
}

fn deals_of(teams: &[Team], options: &Options) -> Vec<DealFact> {
    teams
        .iter()
        .enumerate()
        .flat_map(|(n, t)| team_history(t, n + 1, options).facts().1)
        .collect()
}

#[test]
fn the_same_seed_makes_the_same_history_and_a_team_does_not_depend_on_the_others() {
    let options = Options::year_to(d("2026-06-30"), 7);
    let teams = roster(3, 4);
    let a = team_history(&teams[1], 2, &options);
    assert_eq!(a, team_history(&teams[1], 2, &options));
    assert_ne!(a.sessions, team_history(&teams[1], 3, &options).sessions);
    assert!(a.sessions.iter().all(|s| s.starts_at.date() <= options.to));
    assert!(
        a.deals
            .iter()
            .all(|d| !d.stages.last().unwrap().1.is_open())
    );
}

#[test]
fn a_planted_early_coaching_lift_is_found_within_its_interval() {
    // 40 managers with 8 sellers each over two years: about 7,700 deals.
    let teams = roster(40, 8);
    let mut covered = 0;
    let mut found = 0;
    let seeds = 10;
    for seed in 0..seeds {
        let mut options = Options::year_to(d("2026-06-30"), seed);
        options.from = d("2024-07-01");
        options.plant = Plant {
            base_win: 0.3,
            early_win_lift: 0.10,
            ..Plant::default()
        };
        let o = outcomes(&deals_of(&teams, &options));
        let c = o.win_early_vs_not.expect("both groups have deals");
        covered += u32::from(c.interval.0 <= 0.10 && 0.10 <= c.interval.1);
        found += u32::from(c.significant() && c.difference > 0.0);
        // Late coaching was planted to do nothing.
        assert!(o.groups.iter().all(|g| g.win.n > 100), "{:?}", o.groups);
    }
    eprintln!("covered {covered}, found {found} of {seeds}");
    // A 95% interval misses now and then; nine or ten of ten hit.
    assert!(covered >= 9, "covered in {covered} of {seeds}");
    assert_eq!(found, seeds as u32);
}

#[test]
fn with_nothing_planted_about_one_comparison_in_twenty_comes_out_significant() {
    let teams = roster(6, 6);
    let runs = 300;
    let mut significant = 0;
    let mut tested = 0;
    for seed in 0..runs {
        let options = Options::year_to(d("2026-06-30"), 10_000 + seed);
        let o = outcomes(&deals_of(&teams, &options));
        if let Some(c) = o.win_early_vs_not {
            tested += 1;
            significant += u32::from(c.significant());
        }
    }
    let rate = f64::from(significant) / f64::from(tested);
    eprintln!("false positives: {significant} of {tested}");
    assert!(tested > 290, "{tested}");
    assert!(
        (0.015..=0.09).contains(&rate),
        "false positives: {significant} of {tested}"
    );
}

#[test]
fn a_manager_planted_to_keep_sixty_percent_is_found_and_the_ranking_follows() {
    let teams = roster(5, 8);
    let mut options = Options::year_to(d("2026-06-30"), 3);
    options.plant.keep_by_team = vec![(3, 0.6)];
    let today = options.to;
    let kept: Vec<Rate> = teams
        .iter()
        .enumerate()
        .map(|(n, t)| {
            let (facts, _) = team_history(t, n + 1, &options).facts();
            let r = Rules {
                window: Window::last(365, today),
                today,
                band: Band::default(),
                min_answers: 5,
            };
            practice(&facts, &t.seller_ids, &r).kept
        })
        .collect();
    let (lo, hi) = kept[2].interval().unwrap();
    assert!(lo <= 0.6 && 0.6 <= hi, "{:?}", kept[2]);
    for (n, k) in kept.iter().enumerate().filter(|(n, _)| *n != 2) {
        let (lo, hi) = k.interval().unwrap();
        assert!(lo <= 0.85 && 0.85 <= hi, "manager {}: {k:?}", n + 1);
        let c = compare_rates(*k, kept[2]).unwrap();
        assert!(c.significant() && c.difference > 0.0, "{c:?}");
    }
    // Managers who all keep 85% cannot be put in order.
    let others: Vec<(f64, f64)> = [0, 1, 3, 4]
        .iter()
        .map(|&n| kept[n].interval().unwrap())
        .collect();
    assert!(!crate::stats::ranking_holds(&others));
}

#[test]
fn facts_made_from_a_history_agree_with_its_records() {
    let teams = roster(1, 5);
    let options = Options::year_to(d("2026-06-30"), 11);
    let h = team_history(&teams[0], 1, &options);
    let (facts, deals) = h.facts();
    assert_eq!(facts.sessions.len(), h.sessions.len());
    assert_eq!(deals.len(), h.deals.len());
    assert_eq!(
        facts.actions.len(),
        h.sessions.iter().map(|s| s.actions.len()).sum::<usize>()
    );
    assert_eq!(
        facts.plans.len(),
        h.calls.iter().filter(|c| c.plan_id.is_some()).count()
    );
    // Every coached-early deal was on an agenda while early.
    for (n, deal) in deals
        .iter()
        .enumerate()
        .filter(|(_, d)| d.coached == Coached::Early)
    {
        assert!(
            h.sessions
                .iter()
                .any(|s| s.items.iter().any(|i| i.deal == Some(n))
                    && stage_on(&h.deals[n].stages, s.starts_at.date())
                        .is_some_and(BuyingStage::is_early)),
            "{deal:?}"
        );
    }
}
