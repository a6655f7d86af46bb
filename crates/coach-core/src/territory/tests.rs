use super::*;

fn facts(id: &str, potential: i64, pipeline: i64, key: bool) -> Facts {
    Facts {
        id: id.to_owned(),
        potential: Decimal::from(potential),
        pipeline: Decimal::from(pipeline),
        won: Decimal::ZERO,
        key_account: key,
        calls: 0,
    }
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

#[test]
fn scores_are_the_weighted_mean_of_measures_relative_to_the_best_account() {
    let scheme = Scheme::default(); // potential 5, pipeline 3, key account 2
    let accounts = [
        facts("big", 400_000, 100_000, true),
        facts("half", 200_000, 50_000, false),
        facts("none", 0, 0, false),
    ];
    let s = scores(&scheme, &accounts);
    assert_eq!(s["big"], 100);
    assert_eq!(s["half"], 40, "(5 × 0.5 + 3 × 0.5 + 0) / 10");
    assert_eq!(s["none"], 0);
    // A measure nobody has counts for nobody.
    let flat = [facts("x", 0, 0, false), facts("y", 0, 0, false)];
    assert!(scores(&scheme, &flat).values().all(|v| *v == 0));
}

#[test]
fn tiers_follow_the_shares_with_at_least_one_account_in_a() {
    let scheme = Scheme::default(); // 20% A, 30% B
    let s: BTreeMap<String, u32> = (0..10).map(|i| (format!("acc{i}"), i * 10)).collect();
    let t = tiers(&scheme, &s);
    let count = |tier| t.values().filter(|v| **v == tier).count();
    assert_eq!((count(Tier::A), count(Tier::B), count(Tier::C)), (2, 3, 5));
    assert_eq!(t["acc9"], Tier::A);
    assert_eq!(t["acc0"], Tier::C);
    let two: BTreeMap<String, u32> = [("p".to_owned(), 5), ("q".to_owned(), 5)].into();
    let t = tiers(&scheme, &two);
    assert_eq!(t["p"], Tier::A, "ties go by id");
    assert_eq!(t["q"], Tier::B);
    assert!(tiers(&scheme, &BTreeMap::new()).is_empty());
}

#[test]
fn a_scheme_stays_specific_and_not_complicated() {
    let too_many = Scheme {
        criteria: Measure::ALL
            .iter()
            .map(|m| Criterion {
                measure: *m,
                weight: 1,
            })
            .collect(),
        ..Scheme::default()
    };
    assert!(too_many.checked().is_err_and(|e| e.message.contains("R6")));
    let twice = Scheme {
        criteria: vec![
            Criterion {
                measure: Measure::Won,
                weight: 2,
            },
            Criterion {
                measure: Measure::Won,
                weight: 3,
            },
        ],
        ..Scheme::default()
    };
    assert!(twice.checked().is_err_and(|e| e.message.contains("twice")));
    let heavy = Scheme {
        criteria: vec![Criterion {
            measure: Measure::Won,
            weight: 11,
        }],
        ..Scheme::default()
    };
    assert!(heavy.checked().is_err());
    let no_c = Scheme {
        a_share: 50,
        b_share: 50,
        ..Scheme::default()
    };
    assert!(no_c.checked().is_err_and(|e| e.field == "a_share"));
    assert!(Scheme::default().checked().is_ok());
}

#[test]
fn a_call_pattern_calls_higher_tiers_at_least_as_often() {
    assert!(CallPattern::default().checked().is_ok());
    let upside_down = CallPattern {
        a: Decimal::ONE,
        b: Decimal::from(2),
        c: Decimal::ZERO,
    };
    assert!(upside_down.checked().is_err_and(|e| e.field == "calls_b"));
    let silly = CallPattern {
        a: Decimal::from(40),
        ..CallPattern::default()
    };
    assert!(silly.checked().is_err_and(|e| e.field == "calls_a"));
}

#[test]
fn months_start_on_the_first_and_cross_years() {
    assert_eq!(month_start(day(2026, 11, 27), 0), day(2026, 11, 1));
    assert_eq!(month_start(day(2026, 11, 27), 11), day(2025, 12, 1));
    assert_eq!(month_start(day(2026, 1, 31), 1), day(2025, 12, 1));
}

#[test]
fn execution_counts_calls_per_tier_and_month_against_the_pattern() {
    let t: BTreeMap<String, Tier> = [
        ("a1".to_owned(), Tier::A),
        ("b1".to_owned(), Tier::B),
        ("b2".to_owned(), Tier::B),
        ("c1".to_owned(), Tier::C),
    ]
    .into();
    let calls = vec![
        ("a1".to_owned(), day(2026, 10, 3)),
        ("a1".to_owned(), day(2026, 10, 30)),
        ("a1".to_owned(), day(2026, 11, 2)),
        ("b1".to_owned(), day(2026, 11, 20)),
        ("b1".to_owned(), day(2026, 11, 21)),
        ("elsewhere".to_owned(), day(2026, 11, 5)),
        ("c1".to_owned(), day(2026, 8, 1)),
    ];
    let rows = execution(day(2026, 11, 27), 2, &t, &CallPattern::default(), &calls);
    assert_eq!(rows.len(), 2);
    let (oct, nov) = (&rows[0], &rows[1]);
    assert_eq!((oct.0, nov.0), (day(2026, 10, 1), day(2026, 11, 1)));
    let a_oct = &oct.1[0];
    assert_eq!(
        (a_oct.tier, a_oct.planned, a_oct.made, a_oct.percent()),
        (Tier::A, Decimal::from(2), 2, Some(100))
    );
    let b_nov = &nov.1[1];
    assert_eq!(
        (
            b_nov.accounts,
            b_nov.planned,
            b_nov.made,
            b_nov.reached,
            b_nov.percent()
        ),
        (2, Decimal::from(2), 2, 1, Some(100))
    );
    let c_nov = &nov.1[2];
    assert_eq!(
        (c_nov.planned, c_nov.made, c_nov.percent()),
        (Decimal::new(3, 1), 0, Some(0))
    );
    let none = CallPattern {
        a: Decimal::ZERO,
        b: Decimal::ZERO,
        c: Decimal::ZERO,
    };
    assert_eq!(
        execution(day(2026, 11, 27), 1, &t, &none, &calls)[0].1[0].percent(),
        None
    );
}
