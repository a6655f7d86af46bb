use super::*;
use crate::records::CallKind;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn rubric(good_level: u8) -> Rubric {
    Rubric {
        criteria: vec![
            Criterion {
                name: "Questions".into(),
                levels: vec!["None".into(), "Closed".into(), "Open".into(), "Deep".into()],
            },
            Criterion {
                name: "Next step".into(),
                levels: vec![
                    "None".into(),
                    "Vague".into(),
                    "Dated".into(),
                    "Moves".into(),
                ],
            },
        ],
        good_level,
    }
}

fn standard(
    seq: i64,
    from: NaiveDate,
    count: u32,
    per: Per,
    team: Option<&str>,
    good: u8,
) -> StandardFacts {
    StandardFacts {
        seq,
        from,
        count,
        per,
        team: team.map(str::to_owned),
        rubric: rubric(good),
    }
}

/// Two activity types and two objectives driving one result, hand-built.
fn model() -> ModelView {
    ModelView {
        activity_types: vec![
            ActivityFacts {
                id: "demo".into(),
                name: "Demo held".into(),
                group: ActivityGroup::Opportunity,
                active: true,
                drives: vec!["close".into()],
                standards: vec![
                    standard(1, day(2026, 1, 1), 2, Per::Week, None, 3),
                    standard(2, day(2026, 11, 20), 3, Per::Week, None, 4),
                ],
            },
            ActivityFacts {
                id: "plan".into(),
                name: "Account plan updated".into(),
                group: ActivityGroup::Account,
                active: true,
                drives: vec!["penetration".into()],
                standards: vec![standard(1, day(2026, 1, 1), 1, Per::Month, Some("m1"), 3)],
            },
            ActivityFacts {
                id: "draft".into(),
                name: "Not yet in use".into(),
                group: ActivityGroup::Call,
                active: false,
                drives: vec!["close".into()],
                standards: vec![],
            },
        ],
        measures: vec![
            MeasureFacts {
                id: "revenue".into(),
                name: "Revenue".into(),
                level: MeasureLevel::Result,
                unit: Unit::Money,
                metric: Metric::RevenueWon,
                drives: vec![],
            },
            MeasureFacts {
                id: "close".into(),
                name: "Close rate".into(),
                level: MeasureLevel::Objective,
                unit: Unit::Percent,
                metric: Metric::CloseRate,
                drives: vec!["revenue".into()],
            },
            MeasureFacts {
                id: "penetration".into(),
                name: "Penetration".into(),
                level: MeasureLevel::Objective,
                unit: Unit::Percent,
                metric: Metric::Entered,
                drives: vec!["revenue".into()],
            },
        ],
    }
}

fn seller() -> SellerFacts {
    // Nine demos in November 2026, one in October; no account plan.
    // The 9th counts twice (two demos that day).
    let mut activities: Vec<(String, NaiveDate, u64)> = [2, 3, 5, 9, 12, 16, 23, 30]
        .iter()
        .map(|d| {
            (
                "demo".to_owned(),
                day(2026, 11, *d),
                if *d == 9 { 2 } else { 1 },
            )
        })
        .collect();
    activities.push(("demo".into(), day(2026, 10, 30), 1));
    let score = |d: u32, seq: i64, levels: &[u8]| ScoreFacts {
        type_id: "demo".into(),
        occurred_on: day(2026, 11, d),
        standard_seq: seq,
        levels: levels.to_vec(),
    };
    SellerFacts {
        id: "s1".into(),
        manager_id: Some("m1".into()),
        activities,
        scores: vec![
            // Judged against version 1 (good = 3): mean 3 meets.
            score(3, 1, &[3, 3]),
            // Mean 2.5: below.
            score(12, 1, &[2, 3]),
            // Judged against version 2 (good = 4): mean 3.5 is below.
            score(23, 2, &[3, 4]),
        ],
        values: BTreeMap::from([
            ("close".to_owned(), MeasureValue::Rate { won: 3, of: 5 }),
            (
                "revenue".to_owned(),
                MeasureValue::Money(BTreeMap::from([("USD".to_owned(), Decimal::from(1000))])),
            ),
        ]),
        targets: BTreeMap::from([
            ("close".to_owned(), Decimal::from(50)),
            ("revenue".to_owned(), Decimal::from(2000)),
        ]),
    }
}

#[test]
fn a_closed_month_is_judged_against_the_standards_in_force() {
    let november = Period::month(2026, 11).unwrap_or_else(|| Period::month_of(day(2026, 11, 1)));
    let card = scorecard(&model(), &seller(), november, day(2026, 12, 5));
    assert!(!card.running);
    assert_eq!(card.activities.len(), 2, "the draft type is left out");

    let demo = &card.activities[0];
    assert_eq!(demo.count, 9, "October's demo is not counted");
    // Version 2 is in force at the month's end: 3 a week × 30 days / 7 = 12.9.
    let expected = demo.expected.unwrap_or(Expected {
        num: 0,
        den: 1,
        count: 0,
        per: Per::Week,
    });
    assert_eq!((expected.num, expected.den), (90, 7));
    assert_eq!(expected.display(), "12.9");
    assert_eq!(demo.due_by_now, None);
    assert_eq!(demo.quantity_met, Some(false));
    // Each score against its own version: only the first meets.
    assert_eq!((demo.scored, demo.scored_good), (3, 1));
    assert_eq!(demo.quality_met, Some(false));
    assert!(demo.measured, "close rate has a target");
    assert!(demo.below_standard());

    let plan = &card.activities[1];
    assert_eq!(plan.count, 0);
    assert_eq!(plan.expected.map(|e| e.display()), Some("1".into()));
    assert_eq!(plan.quantity_met, Some(false));
    assert_eq!(plan.quality_met, None, "nothing scored");
    assert!(!plan.measured, "penetration has no target: R3 flag");
    assert_eq!(
        card.unaligned().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        ["plan"]
    );

    let close = &card.objectives[0];
    assert_eq!(close.value.number(), Some(Decimal::from(60)));
    assert_eq!(close.target_met, Some(true));
    assert_eq!(close.driven_by, ["demo"]);
    let revenue = &card.results[0];
    assert_eq!(revenue.target_met, Some(false), "1000 of 2000");
    assert_eq!(revenue.driven_by, ["close", "penetration"]);
}

#[test]
fn a_running_month_asks_for_what_is_due_by_now() {
    let november = Period::month_of(day(2026, 11, 1));
    let mut s = seller();
    s.activities.retain(|(_, d, _)| *d <= day(2026, 11, 15));
    let card = scorecard(&model(), &s, november, day(2026, 11, 15));
    assert!(card.running);
    let demo = &card.activities[0];
    // Version 1 on the 15th: 2 × 30 / 7 for the month, 15 of 30 days gone.
    assert_eq!(demo.expected.map(|e| (e.num, e.den)), Some((60, 7)));
    let due = demo.due_by_now.unwrap_or(Expected {
        num: 0,
        den: 1,
        count: 0,
        per: Per::Week,
    });
    assert_eq!((due.num, due.den), (900, 210));
    assert_eq!(due.display(), "4.3");
    assert_eq!(demo.count, 6, "2, 3, 5, twice on the 9th, 12");
    assert_eq!(demo.quantity_met, Some(true));
}

#[test]
fn a_team_standard_leaves_other_teams_alone() {
    let mut s = seller();
    s.manager_id = Some("m2".into());
    let card = scorecard(
        &model(),
        &s,
        Period::month_of(day(2026, 11, 1)),
        day(2026, 12, 1),
    );
    assert_eq!(
        card.activities
            .iter()
            .map(|a| a.id.as_str())
            .collect::<Vec<_>>(),
        ["demo"]
    );
}

#[test]
fn adoption_counts_sellers_on_pace_week_by_week() {
    let mut s1 = seller();
    s1.activities.push(("plan".into(), day(2026, 11, 3), 1));
    let s2 = SellerFacts {
        id: "s2".into(),
        manager_id: Some("m2".into()),
        activities: vec![
            ("demo".into(), day(2026, 11, 4), 1),
            ("demo".into(), day(2026, 11, 10), 1),
            ("demo".into(), day(2026, 11, 11), 1),
        ],
        ..SellerFacts::default()
    };
    let weeks = Week::ending(day(2026, 11, 15), 2);
    assert_eq!(weeks[0].monday, day(2026, 11, 2));
    let adoption = adoption(&model(), &[s1, s2], &weeks);
    assert_eq!(adoption.len(), 2, "inactive types have no adoption");
    let demo: Vec<(u64, u64)> = adoption[0].weeks.iter().map(|w| (w.met, w.of)).collect();
    // Week of 2 Nov: s1 has demos on 2, 3, 5 (≥ 2), s2 one. Week of 9 Nov:
    // s1 has two on the 9th and one on the 12th, s2 10 and 11.
    assert_eq!(demo, [(1, 2), (2, 2)]);
    // The account plan applies to manager m1's team only; one by the 3rd is
    // on pace for one a month in both weeks.
    let plan: Vec<(u64, u64)> = adoption[1].weeks.iter().map(|w| (w.met, w.of)).collect();
    assert_eq!(plan, [(1, 1), (1, 1)]);
}

#[test]
fn monthly_pace_grows_through_the_month() {
    let week = Week::of(day(2026, 11, 25)); // 23–29 Nov: 29 of 30 days gone.
    assert!(!week.on_pace(Per::Month, 2, 1));
    assert!(week.on_pace(Per::Month, 2, 2));
    let early = Week::of(day(2026, 11, 4)); // Sunday the 8th: 8 of 30 days.
    assert!(early.on_pace(Per::Month, 2, 1));
    assert!(!early.on_pace(Per::Month, 4, 1), "4 × 8 / 30 = 1.07");
    assert_eq!(
        early.window(Per::Month),
        (day(2026, 11, 1), day(2026, 11, 8))
    );
    assert_eq!(early.window(Per::Quarter).0, day(2026, 10, 1));
}

#[test]
fn periods_parse_print_and_count() {
    let q: Period = "2026-Q4"
        .parse()
        .unwrap_or_else(|_| Period::month_of(day(2000, 1, 1)));
    assert_eq!(q.to_string(), "2026-Q4");
    assert_eq!(q.label(), "Q4 2026");
    assert_eq!(q.days(), 92);
    assert_eq!(q.expected(2, Per::Month), (6, 1));
    assert_eq!(q.expected(1, Per::Week), (92, 7));
    let m: Period = "2026-02".parse().unwrap_or(q);
    assert_eq!(m.label(), "February 2026");
    assert_eq!(m.expected(3, Per::Quarter), (3, 3));
    assert_eq!(m.previous().to_string(), "2026-01");
    assert_eq!(q.next().to_string(), "2027-Q1");
    assert_eq!(m.previous().previous().to_string(), "2025-12");
    for bad in ["2026", "2026-13", "2026-Q5", "26-11", "2026-1", "november"] {
        let err = bad
            .parse::<Period>()
            .err()
            .map(|e| e.message)
            .unwrap_or_default();
        assert!(err.contains("YYYY-MM"), "{bad}: {err}");
    }
}

#[test]
fn a_rubric_needs_criteria_with_described_levels_and_a_good_level() {
    assert!(rubric(3).validated().is_ok());
    let empty = Rubric {
        criteria: vec![],
        good_level: 1,
    };
    assert!(empty.validated().is_err_and(|e| e.message.contains("R4")));
    let mut uneven = rubric(3);
    uneven.criteria[1].levels.pop();
    assert!(
        uneven
            .validated()
            .is_err_and(|e| e.message.contains("same"))
    );
    let mut blank = rubric(3);
    blank.criteria[0].levels[2] = "  ".into();
    assert!(
        blank
            .validated()
            .is_err_and(|e| e.message.contains("level 3"))
    );
    assert!(
        rubric(5)
            .validated()
            .is_err_and(|e| e.field == "good_level")
    );
    let r = rubric(3);
    assert!(r.check_score(&[1, 4]).is_ok());
    assert!(r.check_score(&[1]).is_err());
    assert!(r.check_score(&[0, 2]).is_err());
    assert!(r.check_score(&[5, 2]).is_err());
    assert!(r.meets(&[3, 3]) && r.meets(&[4, 2]) && !r.meets(&[2, 3]));
}

#[test]
fn quantities_are_whole_numbers_in_range() {
    assert!(Quantity::new(3, Per::Week).is_ok());
    for bad in [0, -1, 1001] {
        assert!(Quantity::new(bad, Per::Week).is_err());
    }
}

#[test]
fn the_default_model_follows_the_chain_and_the_standards_rule() {
    let model = default_model();
    let names: Vec<&str> = model.measures.iter().map(|m| m.name).collect();
    for m in &model.measures {
        if m.level == MeasureLevel::Objective {
            assert!(!m.drives.is_empty(), "{} drives no result (R2)", m.name);
            for r in m.drives {
                assert!(names.contains(r), "{r}");
            }
        }
        if let Some(unit) = m.metric.unit() {
            assert_eq!(unit, m.unit, "{}", m.name);
        }
    }
    let groups: std::collections::BTreeSet<_> = model.activities.iter().map(|a| a.group).collect();
    assert_eq!(groups.len(), 4, "all four groups (R6–R9)");
    for a in &model.activities {
        assert!(!a.drives.is_empty(), "{} drives no objective (R2)", a.name);
        assert!(a.rubric.clone().validated().is_ok(), "{}", a.name);
        assert!(Quantity::new(i64::from(a.count), a.per).is_ok());
    }
    assert!(
        model
            .activities
            .iter()
            .any(|a| a.crm_source == Some(CrmSource::Call(CallKind::Demo)))
    );
    for source in CrmSource::all() {
        assert_eq!(source.key().parse(), Ok(source));
    }
    assert!("call:fax".parse::<CrmSource>().is_err());
    assert_eq!(
        "opportunity:opened".parse(),
        Ok(CrmSource::OpportunityOpened)
    );
}
