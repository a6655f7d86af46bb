use super::*;
use proptest::prelude::*;

fn time(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn berlin() -> Tz {
    "Europe/Berlin".parse().unwrap_or(chrono_tz::UTC)
}

fn team(sellers: usize, kinds: &[SessionKind]) -> Vec<Demand> {
    (0..sellers)
        .flat_map(|s| {
            kinds.iter().map(move |k| {
                let (every_weeks, minutes) = default_cadence(*k);
                Demand {
                    seller_id: format!("seller{s:02}"),
                    kind: *k,
                    every_weeks,
                    minutes,
                }
            })
        })
        .collect()
}

fn input(demands: Vec<Demand>, hours: u32) -> Input {
    Input {
        start: day(2027, 3, 1),
        weeks: 13,
        demands,
        availability: Availability {
            time_zone: berlin(),
            day_start: time(9, 0),
            day_end: time(17, 0),
            working_days: vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ],
            days_off: Vec::new(),
            busy: Vec::new(),
            max_minutes_per_week: hours * 60,
        },
        preferences: Preferences::default(),
    }
}

const USUAL: [SessionKind; 3] = [
    SessionKind::TerritoryTactical,
    SessionKind::Opportunity,
    SessionKind::Account,
];

#[test]
fn eight_sellers_with_monthly_coaching_fit_in_twelve_hours_a_week() {
    let plan = plan(&input(team(8, &USUAL), 12)).unwrap_or_else(|r| panic!("{r:?}"));
    assert_eq!(plan.series.len(), 24);
    // Every 4 weeks over 13 weeks: 4 sessions for those starting in week 0, 3 otherwise.
    for s in &plan.series {
        assert!((3..=4).contains(&s.occurrences.len()), "{s:?}");
        assert_eq!(s.every_weeks, 4);
    }
    // Sellers are spread over the weeks of the month (R19): each week has some.
    assert!(
        plan.load
            .iter()
            .all(|w| w.coaching > 0 && w.coaching + w.preparation <= w.capacity)
    );
    // Preparation about as long as the session (R18).
    let total_coaching: u32 = plan.load.iter().map(|w| w.coaching).sum();
    let total_prep: u32 = plan.load.iter().map(|w| w.preparation).sum();
    assert_eq!(total_coaching, total_prep);
    // Monday and Friday first (R19).
    assert!(
        plan.series
            .iter()
            .take(4)
            .all(|s| matches!(s.weekday, Weekday::Mon | Weekday::Fri))
    );
}

#[test]
fn six_hours_is_not_enough_for_eight_sellers_and_the_refusal_says_why() {
    let mut demands = team(8, &USUAL);
    demands.extend(team(8, &[SessionKind::Call]));
    let refusal = plan(&input(demands, 6))
        .err()
        .unwrap_or_else(|| panic!("viable?"));
    // 24 monthly sessions of 60 + 60 minutes → 30 min a week each (720), and
    // 8 weekly calls of 30 + 30 minutes (480): 1,200 minutes against 360.
    assert_eq!((refusal.needed_per_week, refusal.capacity), (1200, 360));
    let kinds: Vec<SessionKind> = refusal.cuts.iter().map(|c| c.kind).collect();
    assert_eq!(
        kinds[0],
        SessionKind::Call,
        "call coaching as needed comes first (R13)"
    );
    assert_eq!(refusal.cuts[0].to_weeks, 0);
    assert_eq!(refusal.cuts[0].saves_per_week, 480);
    let after: u32 = 1200 - refusal.cuts.iter().map(|c| c.saves_per_week).sum::<u32>();
    assert!(after <= 360, "the cuts make it fit: {after}");
    assert_eq!(refusal.after_cuts, after);
    // Two hours a week cannot hold eight sellers whatever is cut.
    let mut demands = team(8, &USUAL);
    demands.extend(team(8, &[SessionKind::Call]));
    let hopeless = plan(&input(demands, 2))
        .err()
        .unwrap_or_else(|| panic!("viable?"));
    assert!(hopeless.after_cuts > hopeless.capacity);
    assert_eq!(
        hopeless.cuts.len(),
        4,
        "every kind the team has, least harmful first"
    );
    // A kind already cut comes after the kinds not cut yet.
    let cut_once = apply_cut(
        apply_cut(team(8, &USUAL), SessionKind::Call),
        SessionKind::Account,
    );
    let again = plan(&input(cut_once, 8))
        .err()
        .unwrap_or_else(|| panic!("viable?"));
    assert_eq!(
        again.cuts[0].kind,
        SessionKind::TerritoryTactical,
        "{:?}",
        again.cuts
    );
    assert!(refusal.unplaced.is_empty());
}

#[test]
fn a_day_off_moves_one_occurrence_and_keeps_the_series() {
    let mut i = input(team(1, &[SessionKind::Opportunity]), 10);
    i.preferences.coaching_days = vec![Weekday::Mon];
    let first = plan(&i).unwrap_or_else(|r| panic!("{r:?}"));
    assert_eq!(first.series[0].weekday, Weekday::Mon);
    let s = &first.series[0];
    let off = s.occurrences[1]
        .starts_at
        .with_timezone(&berlin())
        .date_naive();
    i.availability.days_off.push(off);
    let second = plan(&i).unwrap_or_else(|r| panic!("{r:?}"));
    let t = &second.series[0];
    assert_eq!(
        (t.weekday, t.time),
        (s.weekday, s.time),
        "the series keeps its day and time"
    );
    assert!(t.occurrences[1].moved);
    assert_ne!(
        t.occurrences[1]
            .starts_at
            .with_timezone(&berlin())
            .date_naive(),
        off
    );
    assert!(!t.occurrences[0].moved && !t.occurrences[2].moved);
    // The moved one keeps its slot: where the rule would have put it.
    assert_eq!(t.occurrences[1].slot, s.occurrences[1].starts_at);
    assert_ne!(t.occurrences[1].slot, t.occurrences[1].starts_at);
    for o in [&t.occurrences[0], &t.occurrences[2]] {
        assert_eq!(o.slot, o.starts_at);
    }
}

#[test]
fn local_times_hold_across_the_change_to_summer_time() {
    // 28 March 2027: Berlin moves from UTC+1 to UTC+2.
    let plan = plan(&input(team(1, &[SessionKind::Call]), 10)).unwrap_or_else(|r| panic!("{r:?}"));
    let s = &plan.series[0];
    let local: Vec<NaiveTime> = s
        .occurrences
        .iter()
        .map(|o| o.starts_at.with_timezone(&berlin()).time())
        .collect();
    assert!(local.iter().all(|t| *t == s.time), "{local:?}");
    let utc_hours: std::collections::BTreeSet<u32> =
        s.occurrences.iter().map(|o| o.starts_at.hour()).collect();
    assert_eq!(utc_hours.len(), 2, "the UTC time shifts by an hour");
}

#[test]
fn the_same_input_gives_the_same_plan() {
    let i = input(team(6, &USUAL), 12);
    assert_eq!(plan(&i), plan(&i));
}

use chrono::Timelike as _;

#[test]
fn what_each_seller_needs_follows_the_cadence() {
    let sellers = [
        SellerFacts {
            seller_id: "a".into(),
            key_accounts: 2,
            cycle_days: Some(60),
        },
        SellerFacts {
            seller_id: "b".into(),
            key_accounts: 0,
            cycle_days: Some(120),
        },
        SellerFacts {
            seller_id: "c".into(),
            key_accounts: 1,
            cycle_days: Some(400),
        },
    ];
    let d = demands(&default_cadence, &sellers, false);
    let of = |seller: &str, kind| {
        d.iter()
            .find(|x| x.seller_id == seller && x.kind == kind)
            .map(|x| x.every_weeks)
    };
    assert_eq!(
        of("a", SessionKind::TerritoryTactical),
        Some(4),
        "monthly (R10)"
    );
    assert_eq!(
        of("a", SessionKind::TerritoryStrategic),
        Some(13),
        "quarterly (R10)"
    );
    assert_eq!(of("a", SessionKind::Account), Some(4));
    assert_eq!(
        of("b", SessionKind::Account),
        None,
        "no key accounts, no account coaching (R11)"
    );
    assert_eq!(of("a", SessionKind::Opportunity), Some(4));
    assert_eq!(
        of("b", SessionKind::Opportunity),
        Some(6),
        "a longer cycle (R12)"
    );
    assert_eq!(of("c", SessionKind::Opportunity), Some(8));
    assert_eq!(of("a", SessionKind::Call), None, "calls as they come (R13)");
    assert_eq!(demands(&default_cadence, &sellers, true).len(), d.len() + 3);
}

fn kinds() -> impl Strategy<Value = Vec<SessionKind>> {
    proptest::sample::subsequence(
        vec![
            SessionKind::TerritoryTactical,
            SessionKind::TerritoryStrategic,
            SessionKind::Account,
            SessionKind::Opportunity,
            SessionKind::Call,
        ],
        1..=5,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn plans_never_overlap_keep_breaks_and_stay_in_working_hours(
        sellers in 1usize..7,
        kinds in kinds(),
        start_hour in 7u32..10,
        length in 6u32..10,
        hours in 4u32..30,
        busy_days in proptest::collection::vec((0i64..90, 9u32..16, 1i64..4), 0..6),
        zone in proptest::sample::select(vec!["Europe/Berlin", "America/New_York", "Australia/Sydney", "UTC"]),
        start_day in 0i64..365,
    ) {
        let tz: Tz = zone.parse().unwrap_or(chrono_tz::UTC);
        let mut i = input(team(sellers, &kinds), hours);
        i.start = day(2026, 1, 1) + Duration::days(start_day);
        i.availability.time_zone = tz;
        i.availability.day_start = time(start_hour, 0);
        i.availability.day_end = time(start_hour + length, 0);
        i.availability.busy = busy_days
            .iter()
            .filter_map(|(d, h, len)| {
                let local = (i.start + Duration::days(*d)).and_time(time(*h, 0));
                tz.from_local_datetime(&local).earliest().map(|s| {
                    let s = s.with_timezone(&Utc);
                    (s, s + Duration::hours(*len))
                })
            })
            .collect();
        let again = plan(&i);
        prop_assert_eq!(&again, &plan(&i), "deterministic");
        match again {
            Ok(p) => {
                let mut blocks: Vec<(DateTime<Utc>, DateTime<Utc>)> = p
                    .series
                    .iter()
                    .flat_map(|s| s.occurrences.iter().map(|o| (o.prep_starts_at, o.ends_at)))
                    .collect();
                blocks.sort();
                let gap = Duration::minutes(i64::from(i.preferences.break_minutes));
                for w in blocks.windows(2) {
                    prop_assert!(w[0].1 + gap <= w[1].0, "overlap or no break: {:?}", w);
                }
                for (s, e) in &blocks {
                    let (ls, le) = (s.with_timezone(&tz), e.with_timezone(&tz));
                    prop_assert_eq!(ls.date_naive(), le.date_naive());
                    prop_assert!(ls.time() >= i.availability.day_start && le.time() <= i.availability.day_end,
                        "outside working hours: {} – {}", ls, le);
                    prop_assert!(i.availability.working_days.contains(&ls.weekday()));
                    for (bs, be) in &i.availability.busy {
                        prop_assert!(!(s < be && bs < e), "over a busy time");
                    }
                }
                for w in &p.load {
                    prop_assert!(w.coaching + w.preparation <= w.capacity);
                }
                // Every demanded session is placed: nothing dropped silently.
                for d in &i.demands {
                    let s = p.series.iter().find(|s| s.seller_id == d.seller_id && s.kind == d.kind);
                    prop_assert!(s.is_some_and(|s| !s.occurrences.is_empty()));
                }
            }
            Err(r) => {
                prop_assert!(r.needed_per_week > r.capacity || !r.unplaced.is_empty(),
                    "a refusal has a reason: {:?}", r);
                prop_assert!(!r.cuts.is_empty() || !r.unplaced.is_empty());
            }
        }
    }
}
