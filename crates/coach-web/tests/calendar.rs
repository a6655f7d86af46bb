//! Calendar feeds (RFC 5545, T14), read back by an independent parser:
//! Python's `icalendar` with `recurring-ical-events` must expand each feed
//! into exactly Coach's own list of sessions and preparation blocks,
//! including a moved occurrence, a dropped one and a change to summer time.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use chrono::{DateTime, NaiveDate, Timelike as _, Utc};
use coach_core::coaching::{SessionKind, SessionStatus};
use coach_store::coaching::{SessionFilter, SessionPatch, Transition};
use coach_store::rhythm::{RhythmAsk, RhythmSettings};
use common::{Fixture, TestApp, seed};
use serde_json::Value;
use std::collections::BTreeMap;

/// The Python with `icalendar` and `recurring-ical-events` (the test script
/// makes `.venv`); a missing one fails the test rather than skipping it.
fn python() -> String {
    let path = std::env::var("COACH_TEST_PYTHON")
        .unwrap_or_else(|_| format!("{}/../../.venv/bin/python", env!("CARGO_MANIFEST_DIR")));
    let ok = std::process::Command::new(&path)
        .args(["-c", "import icalendar, recurring_ical_events"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "the feed tests need Python with icalendar and recurring-ical-events at {path} \
         (scripts/test makes it; or set COACH_TEST_PYTHON)"
    );
    path
}

/// The occurrences the independent parser expands between two instants.
fn expand(feed: &str, from: &str, to: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("feed.ics");
    std::fs::write(&file, feed).unwrap();
    let out = std::process::Command::new(python())
        .arg(format!(
            "{}/tests/support/ical_expand.py",
            env!("CARGO_MANIFEST_DIR")
        ))
        .arg(&file)
        .args([from, to])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the parser refused the feed: {}\n{feed}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn z(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Plans and applies manager1's rhythm over the change to summer time
/// (Berlin, 28 March 2027), with weekly call coaching.
async fn applied(app: &TestApp, fx: &Fixture) {
    let store = &app.store;
    let manager = store.user(&fx.org_a, fx.id("manager1")).await.unwrap();
    let ask = RhythmAsk {
        start: NaiveDate::from_ymd_opt(2027, 3, 1),
        weeks: 8,
        settings: RhythmSettings {
            weekly_calls: true,
            minutes: 20 * 60,
            ..RhythmSettings::default()
        },
        cuts: Vec::new(),
    };
    let (input, _) = store
        .rhythm_input(&fx.org_a, &manager, &ask)
        .await
        .unwrap()
        .unwrap();
    let plan = coach_core::rhythm::plan(&input).unwrap_or_else(|r| panic!("{r:?}"));
    let done = store
        .apply_rhythm(
            &fx.org_a,
            &manager.id,
            input.availability.time_zone,
            &plan,
            &manager.id,
            Utc::now(),
        )
        .await
        .unwrap();
    assert!(done.series > 0 && done.sessions > done.series, "{done:?}");
}

async fn feed_url(app: &TestApp, fx: &Fixture, who: &str) -> String {
    let secret = app
        .store
        .calendar_secret(&fx.org_a, fx.id(who))
        .await
        .unwrap();
    app.url(&format!("/calendar/{secret}.ics"))
}

async fn fetch(url: &str) -> (reqwest::StatusCode, String) {
    let r = reqwest::get(url).await.unwrap();
    let status = r.status();
    if status.is_success() {
        assert_eq!(
            r.headers()["content-type"].to_str().unwrap(),
            "text/calendar; charset=utf-8"
        );
    }
    (status, r.text().await.unwrap())
}

#[tokio::test]
async fn the_parser_expands_each_feed_into_exactly_coachs_sessions() {
    let app = TestApp::spawn().await;
    let fx = seed(&app).await;
    applied(&app, &fx).await;
    let store = &app.store;
    let org = &fx.org_a;
    let manager = fx.id("manager1");
    let mine = |who: &str| SessionFilter {
        people: Some(vec![who.to_owned()]),
        me: Some(who.to_owned()),
        ..SessionFilter::default()
    };
    let sessions = store.coaching_sessions(org, &mine(manager)).await.unwrap();
    // Move one weekly call occurrence by a day and call off another.
    let calls: Vec<_> = sessions
        .iter()
        .filter(|s| s.kind == SessionKind::Call && s.seller_id == fx.id("seller1"))
        .collect();
    assert!(calls.len() >= 8, "a weekly series over 8 weeks");
    let moved = calls[2].clone();
    let new_start = moved.starts_at + chrono::Duration::days(1) + chrono::Duration::hours(1);
    store
        .update_coaching_session(
            org,
            &moved.id,
            None,
            SessionPatch {
                starts_at: Some(new_start),
                minutes: None,
                desired_outcome: Some("Close the gap; agree price, terms \\ dates".into()),
                phase: None,
            },
        )
        .await
        .unwrap();
    let dropped = calls[4].clone();
    store
        .transition(
            org,
            &dropped.id,
            None,
            Transition::Cancel("Customer visit".into()),
        )
        .await
        .unwrap();

    let (status, text) = fetch(&feed_url(&app, &fx, "manager1").await).await;
    assert_eq!(status, 200);
    let got = expand(&text, "2026-01-01T00:00:00Z", "2028-01-01T00:00:00Z");
    assert_eq!(got["timezones"], serde_json::json!(["Europe/Berlin"]));
    let events = got["events"].as_array().unwrap();

    // Coach's own list: every session not called off, and the manager's
    // preparation blocks.
    let now = store.coaching_sessions(org, &mine(manager)).await.unwrap();
    let mut want: Vec<(String, String)> = Vec::new();
    for s in now.iter().filter(|s| s.status != SessionStatus::Cancelled) {
        want.push((z(s.starts_at), z(s.ends_at())));
        if let Some(p) = s.prep_starts_at {
            want.push((z(p), z(s.starts_at)));
        }
    }
    want.sort();
    let mut seen: Vec<(String, String)> = events
        .iter()
        .map(|e| {
            (
                e["start"].as_str().unwrap().to_owned(),
                e["end"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    seen.sort();
    assert_eq!(seen, want);

    // The moved occurrence: its new time, the slot it came from, a higher
    // SEQUENCE, its agenda and room link; the dropped one is gone.
    let moved_event = events
        .iter()
        .find(|e| e["start"] == z(new_start))
        .expect("the moved session");
    assert_eq!(moved_event["recurrence_id"], z(moved.slot_at.unwrap()));
    assert!(moved_event["sequence"].as_u64().unwrap() >= 2);
    assert!(
        moved_event["description"]
            .as_str()
            .unwrap()
            .contains("Close the gap; agree price, terms \\ dates"),
        "{moved_event}"
    );
    assert_eq!(
        moved_event["url"],
        app.url(&format!("/sessions/{}", moved.id))
    );
    assert!(
        !events
            .iter()
            .any(|e| e["start"] == z(dropped.starts_at) && e["uid"] == moved_event["uid"]),
        "the dropped occurrence is not in the calendar"
    );
    // Daylight saving: the weekly series keeps its Berlin time while its
    // UTC time moves by an hour on 28 March 2027.
    let series_uid = moved_event["uid"].as_str().unwrap();
    let of_series: Vec<&Value> = events
        .iter()
        .filter(|e| e["uid"] == series_uid && e["recurrence_id"] == e["start"])
        .collect();
    let locals: std::collections::BTreeSet<&str> = of_series
        .iter()
        .map(|e| &e["local"].as_str().unwrap()[11..])
        .collect();
    let utc_hours: std::collections::BTreeSet<u32> = of_series
        .iter()
        .map(|e| {
            DateTime::parse_from_rfc3339(e["start"].as_str().unwrap())
                .unwrap()
                .hour()
        })
        .collect();
    assert_eq!(locals.len(), 1, "{locals:?}");
    assert_eq!(utc_hours.len(), 2, "{utc_hours:?}");
    assert!(
        of_series
            .iter()
            .all(|e| e["zone"].as_str().unwrap().contains("Berlin")),
        "{of_series:?}"
    );

    // A seller's feed holds their sessions with their manager, and no
    // preparation blocks of the manager.
    let (_, text) = fetch(&feed_url(&app, &fx, "seller1").await).await;
    let got = expand(&text, "2026-01-01T00:00:00Z", "2028-01-01T00:00:00Z");
    let theirs = store
        .coaching_sessions(org, &mine(fx.id("seller1")))
        .await
        .unwrap();
    let mut want: Vec<String> = theirs
        .iter()
        .filter(|s| s.status != SessionStatus::Cancelled)
        .map(|s| z(s.starts_at))
        .collect();
    want.sort();
    let mut seen: Vec<String> = got["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["start"].as_str().unwrap().to_owned())
        .collect();
    seen.sort();
    assert_eq!(seen, want);
    assert!(
        got["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["summary"].as_str().unwrap().contains("coaching with")),
        "{got}"
    );
}

#[tokio::test]
async fn re_planning_keeps_the_past_and_prepared_sessions_and_the_feed_follows() {
    let app = TestApp::spawn().await;
    let fx = seed(&app).await;
    applied(&app, &fx).await;
    let store = &app.store;
    let org = &fx.org_a;
    let manager = fx.id("manager1");
    let before = store
        .coaching_sessions(
            org,
            &SessionFilter {
                manager_id: Some(manager.to_owned()),
                ..SessionFilter::default()
            },
        )
        .await
        .unwrap();
    // Someone writes in one future session: re-planning must keep it.
    let touched = &before[3];
    store
        .update_coaching_session(
            org,
            &touched.id,
            None,
            SessionPatch {
                desired_outcome: Some("Walk the Q2 pipeline".into()),
                ..SessionPatch::default()
            },
        )
        .await
        .unwrap();
    applied(&app, &fx).await;
    let after = store
        .coaching_sessions(
            org,
            &SessionFilter {
                manager_id: Some(manager.to_owned()),
                ..SessionFilter::default()
            },
        )
        .await
        .unwrap();
    let kept = after.iter().find(|s| s.id == touched.id).expect("kept");
    assert_eq!(kept.series_id, None, "kept as a single session");
    assert_eq!(kept.desired_outcome, "Walk the Q2 pipeline");
    let untouched_left = after
        .iter()
        .filter(|s| before.iter().any(|b| b.id == s.id) && s.id != touched.id)
        .count();
    assert_eq!(untouched_left, 0, "untouched future sessions are replaced");
    let series = store.series_of_manager(org, manager, true).await.unwrap();
    let current = series.iter().filter(|s| s.ended_at.is_none()).count();
    assert_eq!(
        current,
        after
            .iter()
            .filter_map(|s| s.series_id.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    );
    // The feed still matches Coach's list.
    let (_, text) = fetch(&feed_url(&app, &fx, "manager1").await).await;
    let got = expand(&text, "2026-01-01T00:00:00Z", "2028-01-01T00:00:00Z");
    let starts: BTreeMap<String, usize> =
        got["events"]
            .as_array()
            .unwrap()
            .iter()
            .fold(BTreeMap::new(), |mut m, e| {
                *m.entry(e["start"].as_str().unwrap().to_owned())
                    .or_default() += 1;
                m
            });
    for s in &after {
        assert!(starts.contains_key(&z(s.starts_at)), "{} missing", s.id);
    }
    assert_eq!(
        starts.values().sum::<usize>(),
        after.len() + after.iter().filter(|s| s.prep_starts_at.is_some()).count()
    );
}

#[tokio::test]
async fn a_feed_secret_opens_one_feed_until_it_is_renewed() {
    let app = TestApp::spawn().await;
    let fx = seed(&app).await;
    applied(&app, &fx).await;
    let old = feed_url(&app, &fx, "manager1").await;
    assert_eq!(fetch(&old).await.0, 200);
    // Unknown, truncated or suffix-less secrets: the same 404.
    let secret = old.rsplit('/').next().unwrap().trim_end_matches(".ics");
    for bad in [
        app.url("/calendar/not-a-secret.ics"),
        app.url(&format!("/calendar/{}.ics", &secret[..20])),
        app.url(&format!("/calendar/{secret}")),
    ] {
        assert_eq!(fetch(&bad).await.0, 404, "{bad}");
    }
    // The profile shows the address; renewing it ends the old one.
    let browser = app.sign_in(fx.email("manager1")).await;
    let page = browser.get(&app, "/profile").await.text().await.unwrap();
    assert!(page.contains(&old), "the profile shows the feed address");
    let r = browser.post_form(&app, "/profile/calendar", &[]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(fetch(&old).await.0, 404, "the old address stops working");
    let new = feed_url(&app, &fx, "manager1").await;
    assert_ne!(new, old);
    assert_eq!(fetch(&new).await.0, 200);
    // The API gives the same address.
    let me: Value = browser.get(&app, "/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["calendar_url"], new);
    // A deactivated person's feed is closed.
    let departed = feed_url(&app, &fx, "departed").await;
    assert_eq!(fetch(&departed).await.0, 200);
    app.store
        .update_user(
            &fx.org_a,
            fx.id("departed"),
            coach_store::UserPatch {
                active: Some(false),
                ..coach_store::UserPatch::default()
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!(fetch(&departed).await.0, 404);
}

#[tokio::test]
async fn a_single_session_downloads_as_ics_for_whoever_may_see_it() {
    let app = TestApp::spawn().await;
    let fx = seed(&app).await;
    applied(&app, &fx).await;
    let s = app
        .store
        .coaching_sessions(
            &fx.org_a,
            &SessionFilter {
                seller_id: Some(fx.id("seller1").to_owned()),
                limit: Some(1),
                ..SessionFilter::default()
            },
        )
        .await
        .unwrap()
        .remove(0);
    let path = format!("/sessions/{}/calendar.ics", s.id);
    let seller = app.sign_in(fx.email("seller1")).await;
    let r = seller.get(&app, &path).await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let got = expand(
        &r.text().await.unwrap(),
        "2026-01-01T00:00:00Z",
        "2028-01-01T00:00:00Z",
    );
    let events = got["events"].as_array().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["start"], z(s.starts_at));
    assert_eq!(events[0]["uid"], format!("{}@coach", s.id));
    let other = app.sign_in(fx.email("seller3")).await;
    assert_eq!(other.get(&app, &path).await.status(), 404);
}

#[tokio::test]
async fn a_feed_holds_the_last_year_and_all_to_come_with_series_cut_at_its_start() {
    let app = TestApp::spawn().await;
    let fx = seed(&app).await;
    let store = &app.store;
    let manager = store.user(&fx.org_a, fx.id("manager1")).await.unwrap();
    // A rhythm that began 60 weeks ago and runs 20 weeks on.
    let now = Utc::now();
    let start = {
        use chrono::Datelike as _;
        let d = now.date_naive() - chrono::Duration::weeks(60);
        d - chrono::Duration::days(i64::from(d.weekday().num_days_from_monday()))
    };
    let ask = RhythmAsk {
        start: Some(start),
        weeks: 80,
        settings: RhythmSettings {
            weekly_calls: true,
            minutes: 20 * 60,
            ..RhythmSettings::default()
        },
        cuts: Vec::new(),
    };
    let (input, _) = store
        .rhythm_input(&fx.org_a, &manager, &ask)
        .await
        .unwrap()
        .unwrap();
    let plan = coach_core::rhythm::plan(&input).unwrap_or_else(|r| panic!("{r:?}"));
    store
        .apply_rhythm(
            &fx.org_a,
            &manager.id,
            input.availability.time_zone,
            &plan,
            &manager.id,
            start.and_hms_opt(0, 0, 0).unwrap().and_utc() - chrono::Duration::days(1),
        )
        .await
        .unwrap();
    let (_, text) = fetch(&feed_url(&app, &fx, "manager1").await).await;
    let got = expand(&text, "2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z");
    // Nothing was called off: a series whose rule started before the year
    // starts again inside it rather than dropping its older slots one by one.
    assert!(!text.contains("EXDATE"), "{text}");
    let since = now - chrono::Duration::days(365);
    let all = store
        .coaching_sessions(
            &fx.org_a,
            &SessionFilter {
                manager_id: Some(manager.id.clone()),
                ..SessionFilter::default()
            },
        )
        .await
        .unwrap();
    assert!(
        all.iter().any(|s| s.starts_at < since),
        "some history is older than a year"
    );
    let mut want: Vec<String> = Vec::new();
    for s in all.iter().filter(|s| s.starts_at >= since) {
        want.push(z(s.starts_at));
        if let Some(p) = s.prep_starts_at {
            want.push(z(p));
        }
    }
    want.sort();
    let mut seen: Vec<String> = got["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["start"].as_str().unwrap().to_owned())
        .collect();
    seen.sort();
    assert_eq!(seen, want);
}
