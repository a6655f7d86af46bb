#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::crm::BuyingStage;

fn deal(id: &str, minutes: u32) -> ItemFacts {
    ItemFacts {
        section: Section::Focus,
        minutes,
        subject: Some((SubjectKind::Opportunity, id.to_owned())),
    }
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn life_cycle_goes_forward_only() {
    use SessionStatus::*;
    assert!(Scheduled.can_become(Prepared));
    assert!(Prepared.can_become(InProgress));
    assert!(
        Scheduled.can_become(InProgress),
        "an unprepared session can still be held"
    );
    assert!(InProgress.can_become(Held));
    assert!(!Held.can_become(InProgress));
    assert!(
        !InProgress.can_become(Cancelled),
        "an opened session is closed, not cancelled"
    );
    assert!(!Cancelled.can_become(Scheduled));
    assert!(
        !Scheduled.can_become(Held),
        "a session is opened before it is closed (R34)"
    );
}

#[test]
fn kept_as_scheduled_counts_moved_and_ad_hoc_apart() {
    use SessionStatus::*;
    assert_eq!(kept_as_scheduled(Held, false, false), Some(true));
    assert_eq!(kept_as_scheduled(Held, true, false), Some(false));
    assert_eq!(
        kept_rhythm(Held),
        Some(true),
        "moved rather than dropped keeps the rhythm"
    );
    assert_eq!(kept_as_scheduled(Held, false, true), Some(false));
    assert_eq!(kept_as_scheduled(Missed, false, false), Some(false));
    assert_eq!(kept_as_scheduled(Prepared, false, false), None);
}

#[test]
fn three_deals_an_hour_is_the_most_and_above_two_warns() {
    assert_eq!(max_deals(60), 3);
    assert_eq!(max_deals(30), 1);
    assert_eq!(max_deals(90), 4);
    assert_eq!(comfortable_deals(60), 2);
    let two = vec![deal("a", 20), deal("b", 20)];
    assert!(agenda_warnings(SessionKind::Opportunity, 60, &two).is_empty());
    let three = vec![deal("a", 15), deal("b", 15), deal("c", 15)];
    assert_eq!(
        agenda_warnings(SessionKind::Opportunity, 60, &three),
        vec![AgendaWarning::ManyDeals {
            deals: 3,
            minutes: 60
        }]
    );
    assert!(check_deals(SessionKind::Opportunity, 60, &three).is_ok());
    let four = [three.clone(), vec![deal("d", 5)]].concat();
    let err = check_deals(SessionKind::Opportunity, 60, &four).unwrap_err();
    assert!(err.message.contains("at most 3 deals"), "{}", err.message);
    // The same deal twice is one deal; other kinds take any number.
    let same = vec![deal("a", 5), deal("a", 5), deal("b", 5), deal("c", 5)];
    assert!(check_deals(SessionKind::Opportunity, 60, &same).is_ok());
    assert!(check_deals(SessionKind::Account, 60, &four).is_ok());
}

#[test]
fn items_longer_than_the_session_and_an_empty_focus_warn() {
    let items = vec![
        ItemFacts {
            section: Section::Review,
            minutes: 10,
            subject: None,
        },
        ItemFacts {
            section: Section::NextSteps,
            minutes: 25,
            subject: None,
        },
    ];
    assert_eq!(
        agenda_warnings(SessionKind::Account, 30, &items),
        vec![
            AgendaWarning::OverTime {
                planned: 35,
                available: 30
            },
            AgendaWarning::NoFocus
        ]
    );
    assert!(
        AgendaWarning::OverTime {
            planned: 35,
            available: 30
        }
        .message()
        .contains("35 minutes")
    );
}

#[test]
fn preparation_is_due_two_working_days_before() {
    // Thursday 26 Nov 2026 → Tuesday 24; Monday 30 Nov → Thursday 26.
    assert_eq!(preparation_due(day("2026-11-26"), 2), day("2026-11-24"));
    assert_eq!(preparation_due(day("2026-11-30"), 2), day("2026-11-26"));
    assert_eq!(preparation_due(day("2026-11-30"), 0), day("2026-11-30"));
}

#[test]
fn overdue_and_on_time() {
    let due = day("2026-11-20");
    assert!(is_overdue(ActionStatus::Open, due, day("2026-11-21")));
    assert!(!is_overdue(ActionStatus::Open, due, due));
    assert!(!is_overdue(ActionStatus::Done, due, day("2026-12-01")));
    assert_eq!(done_on_time(ActionStatus::Done, due, Some(due)), Some(true));
    assert_eq!(
        done_on_time(ActionStatus::Done, due, Some(day("2026-11-23"))),
        Some(false)
    );
    assert_eq!(done_on_time(ActionStatus::Dropped, due, Some(due)), None);
}

#[test]
fn feedback_shows_only_in_aggregate_above_the_minimum() {
    let a = |rating, would_pay| FeedbackAnswer { rating, would_pay };
    let four = vec![a(5, true), a(4, true), a(2, false), a(3, true)];
    assert_eq!(
        feedback_view(&four, 5),
        FeedbackView::TooFew { n: 4, min: 5 }
    );
    let five = [four, vec![a(1, false)]].concat();
    match feedback_view(&five, 5) {
        FeedbackView::Summary {
            n,
            mean_rating,
            would_pay,
        } => {
            assert_eq!(n, 5);
            assert!((mean_rating - 3.0).abs() < 1e-9);
            assert_eq!(would_pay.value(), Some(0.6));
            assert!(
                !would_pay.enough_data(),
                "5 answers are too few for a rate (R45)"
            );
        }
        other => panic!("expected a summary, got {other:?}"),
    }
    assert_eq!(feedback_view(&[], 0), FeedbackView::TooFew { n: 0, min: 0 });
    assert!(validate_rating(0).is_err() && validate_rating(6).is_err());
}

#[test]
fn every_template_has_the_three_sections() {
    for kind in SessionKind::ALL {
        let t = default_template(*kind);
        for section in Section::ALL {
            assert!(
                t.items.iter().any(|i| i.section == *section),
                "{kind}: {section}"
            );
        }
        let minutes: u32 = t.items.iter().map(|i| i.minutes).sum();
        assert!(
            minutes <= kind.default_minutes(),
            "{kind}: {minutes} minutes"
        );
    }
}

#[test]
fn the_bank_asks_open_questions_first_for_every_kind() {
    let bank = default_questions();
    for kind in SessionKind::ALL {
        let first = bank.iter().find(|q| q.kind == *kind).unwrap();
        assert!(first.open, "{kind}");
    }
    for stage in [BuyingStage::IdentifyNeeds, BuyingStage::EstablishCriteria] {
        assert!(
            bank.iter()
                .any(|q| q.kind == SessionKind::Opportunity && q.stage == Some(stage))
        );
    }
}

#[test]
fn texts_are_checked() {
    assert!(validate_title("  ").is_err());
    assert!(validate_title("a\nb").is_err());
    assert_eq!(validate_title(" Next call ").unwrap(), "Next call");
    assert_eq!(validate_note_text("body", "a\r\nb").unwrap(), "a\nb");
    assert!(validate_note_text("body", "\u{202e}x").is_err());
    assert!(validate_note_text("body", &"x".repeat(NOTE_MAX + 1)).is_err());
    assert!(validate_session_minutes(10).is_err());
    assert_eq!(validate_session_minutes(60).unwrap(), 60);
    assert_eq!(
        "Territory (tactical)".parse::<SessionKind>().unwrap(),
        SessionKind::TerritoryTactical
    );
}

#[test]
fn the_kept_as_scheduled_rate_counts_held_sessions_moved_or_not_of_those_over() {
    use SessionStatus::*;
    let rate = kept_rate([
        (Held, false),
        (Held, false),
        (Cancelled, false),
        (Missed, false),
        (Scheduled, false),
        (Held, true),
        (Cancelled, true),
    ]);
    assert_eq!(
        (rate.hits, rate.n),
        (2, 4),
        "ad-hoc and coming sessions do not count"
    );
    assert!(!rate.enough_data());
    let many = kept_rate((0..20).map(|i| (if i < 15 { Held } else { Missed }, false)));
    assert_eq!((many.hits, many.n), (15, 20));
    assert!(many.enough_data());
}
