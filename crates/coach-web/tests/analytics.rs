//! Coaching analytics over HTTP (R14–R45) on a synthetic history: each view
//! shows its own people only, the figures on the page and in the CSV are
//! the ones coach-core computes from the same records, feedback stays
//! hidden below the organization's minimum in every view and export (R40),
//! a bad window or table is refused with the field named, and the
//! moderate band and the inspection flag can be set; on both databases.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)]

mod common;

use chrono::{Duration, Utc};
use coach_core::analytics::synth::{Options, Team, team_history};
use coach_core::analytics::{Rules, Window, practice};
use coach_core::tabular::{Table, read};
use common::{Fixture, Session, TestApp, seed};
use reqwest::StatusCode;
use serde_json::json;

struct World {
    app: TestApp,
    f: Fixture,
    today: chrono::NaiveDate,
    teams: Vec<Team>,
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let today = Utc::now()
        .with_timezone(&chrono_tz::Europe::Berlin)
        .date_naive();
    let mut options = Options::year_to(today - Duration::days(1), 5);
    options.plant.early_win_lift = 0.2;
    let team = |m: &str, sellers: &[&str], director: &str| Team {
        manager_id: f.id(m).to_owned(),
        seller_ids: sellers.iter().map(|s| f.id(s).to_owned()).collect(),
        director_id: Some(f.id(director).to_owned()),
    };
    let teams = vec![
        team("manager1", &["seller1", "seller2", "victim"], "director1"),
        team("manager2", &["seller3"], "director1"),
        team("manager3", &["seller4"], "director2"),
    ];
    for (n, t) in teams.iter().enumerate() {
        app.store
            .insert_history(&f.org_a, &team_history(t, n + 1, &options))
            .await
            .unwrap();
    }
    let b = team("admin_b", &["seller_b"], "admin_b");
    app.store
        .insert_history(&f.org_b, &team_history(&b, 9, &options))
        .await
        .unwrap();
    World {
        app,
        f,
        today,
        teams,
    }
}

async fn csv(s: &Session, app: &TestApp, path: &str) -> Table {
    let r = s.get(app, path).await;
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"),
        "{path}"
    );
    read(&r.bytes().await.unwrap()).unwrap()
}

fn row<'t>(t: &'t Table, figure: &str) -> &'t [String] {
    let at = t.headers.iter().position(|h| h == "figure").unwrap();
    &t.records
        .iter()
        .find(|r| r.cells[at] == figure)
        .unwrap_or_else(|| {
            panic!(
                "no row {figure} in {:?} {:?}",
                t.headers,
                t.records
                    .iter()
                    .map(|r| r.cells[at].clone())
                    .collect::<Vec<_>>()
            )
        })
        .cells
}

fn cell<'t>(t: &'t Table, r: &'t [String], column: &str) -> &'t str {
    &r[t.headers.iter().position(|h| h == column).unwrap()]
}

#[tokio::test]
async fn the_team_view_shows_the_figures_core_computes_for_its_own_sellers_only() {
    let w = world().await;
    let (app, f) = (&w.app, &w.f);
    let from = w.today - Duration::days(180);
    let window = format!("from={from}&to={}", w.today);
    let m1 = app.sign_in(f.email("manager1")).await;

    let page = m1.get(app, &format!("/analytics/team?{window}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    for own in ["seller1", "seller2", "victim"] {
        assert!(html.contains(&f.people[own].canary), "{own} is on the page");
    }
    for other in ["seller3", "seller4", "seller_b", "manager2"] {
        assert!(!html.contains(&f.people[other].canary), "{other} is not");
    }
    assert!(html.contains("<svg class=\"bars-svg\""));
    assert!(html.contains("regression to the mean"));

    // The CSV carries what coach-core computes from the same history.
    let t = csv(
        &m1,
        app,
        &format!("/analytics/team/export?{window}&table=figures"),
    )
    .await;
    let options = Options::year_to(w.today - Duration::days(1), 5);
    let (facts, _) = team_history(&w.teams[0], 1, &options).facts();
    let expected = practice(
        &facts,
        &w.teams[0].seller_ids,
        &Rules {
            window: Window { from, to: w.today },
            today: w.today,
            band: coach_core::analytics::Band::default(),
            min_answers: 5,
        },
    );
    let kept = row(&t, "Kept as scheduled");
    assert_eq!(cell(&t, kept, "n"), expected.kept.n.to_string());
    assert_eq!(
        cell(&t, kept, "value"),
        format!("{:.4}", expected.kept.value().unwrap())
    );
    let (lo, hi) = expected.kept.interval().unwrap();
    assert_eq!(cell(&t, kept, "low_95"), format!("{lo:.4}"));
    assert_eq!(cell(&t, kept, "high_95"), format!("{hi:.4}"));
    let on_time = row(&t, "Done by their due date");
    assert_eq!(cell(&t, on_time, "n"), expected.on_time.n.to_string());

    // The seller table, one line each.
    let sellers = csv(
        &m1,
        app,
        &format!("/analytics/team/export?{window}&table=sellers"),
    )
    .await;
    // Seller1, seller2, victim, and departed, who has no history.
    assert_eq!(sellers.records.len(), 4);
    for table in ["months", "changes"] {
        let t = csv(
            &m1,
            app,
            &format!("/analytics/team/export?{window}&table={table}"),
        )
        .await;
        assert!(!t.records.is_empty(), "{table}");
    }

    // Another team, another organization: not found.
    for other in ["manager2", "seller_b"] {
        let r = m1
            .get(app, &format!("/analytics/team?manager={}", f.id(other)))
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{other}");
    }
    // The director sees manager1's team, and both managers side by side.
    let d1 = app.sign_in(f.email("director1")).await;
    let r = d1
        .get(
            app,
            &format!("/analytics/team?manager={}&{window}", f.id("manager1")),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let t = csv(&d1, app, &format!("/analytics/managers/export?{window}")).await;
    let names: Vec<&str> = t.records.iter().map(|r| r.cells[0].as_str()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names
            .iter()
            .all(|n| n.starts_with("manager1") || n.starts_with("manager2"))
    );
    let d2 = app.sign_in(f.email("director2")).await;
    let t = csv(&d2, app, &format!("/analytics/managers/export?{window}")).await;
    assert_eq!(t.records.len(), 1);
    assert!(t.records[0].cells[0].starts_with("manager3"));
}

#[tokio::test]
async fn feedback_stays_hidden_below_the_minimum_in_every_view_and_export() {
    let w = world().await;
    let (app, f) = (&w.app, &w.f);
    let admin = app.sign_in(f.email("admin")).await;
    let window = format!("from={}&to={}", w.today - Duration::days(364), w.today);
    let set_min = |n: u32| json!({"feedback_min_answers": n, "prep_working_days": 2, "crm_fresh_days": 7, "deal_criteria": ""});
    let (token, _) = app
        .store
        .create_token(&f.org_a, f.id("admin"), "analytics")
        .await
        .unwrap();
    let put = |body: serde_json::Value| {
        reqwest::Client::new()
            .put(app.url("/api/v1/coaching-settings"))
            .bearer_auth(&token)
            .json(&body)
    };
    assert!(put(set_min(50)).send().await.unwrap().status().is_success());
    assert_eq!(
        app.store
            .coaching_settings(&f.org_a)
            .await
            .unwrap()
            .feedback_min_answers,
        50
    );

    // No manager got fifty answers in the year: each team hides them.
    let views = [
        format!(
            "/analytics/team/export?manager={}&{window}",
            f.id("manager2")
        ),
        format!(
            "/analytics/team/export?manager={}&{window}",
            f.id("manager1")
        ),
        format!(
            "/analytics/team/export?manager={}&{window}",
            f.id("manager3")
        ),
    ];
    for v in &views {
        let t = csv(&admin, app, v).await;
        let fb = row(&t, "Feedback from sellers");
        assert_eq!(cell(&t, fb, "value"), "", "{v}");
        assert_eq!(cell(&t, fb, "note"), "not enough data yet", "{v}");
        assert!(
            !t.records
                .iter()
                .any(|r| r.cells.iter().any(|c| c == "Rating, 1–5"))
        );
    }
    let t = csv(&admin, app, &format!("/analytics/managers/export?{window}")).await;
    for r in &t.records {
        assert_eq!(cell(&t, &r.cells, "feedback_rating"), "", "{:?}", r.cells);
        assert_eq!(cell(&t, &r.cells, "feedback_would_pay"), "");
    }
    // The organization as a whole got more: it shows them, n at least 50.
    let t = csv(
        &admin,
        app,
        &format!("/analytics/organization/export?{window}"),
    )
    .await;
    let rating = row(&t, "Rating, 1–5");
    assert!(cell(&t, rating, "n").parse::<u32>().unwrap() >= 50);
    let page = admin
        .get(app, &format!("/analytics/managers?{window}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Not enough answers yet"));
    assert!(!page.contains(" of 5 ·"));

    // With a minimum of one, the same views show the rating.
    assert!(put(set_min(1)).send().await.unwrap().status().is_success());
    let t = csv(&admin, app, &views[0]).await;
    let rating = row(&t, "Rating, 1–5");
    let v: f64 = cell(&t, rating, "value").parse().unwrap();
    assert!((3.0..=5.0).contains(&v), "{v}");
    let t = csv(&admin, app, &format!("/analytics/managers/export?{window}")).await;
    assert!(
        t.records
            .iter()
            .all(|r| !cell(&t, &r.cells, "feedback_rating").is_empty())
    );
}

#[tokio::test]
async fn sellers_see_their_own_coaching_and_outcomes_stay_in_the_organization() {
    let w = world().await;
    let (app, f) = (&w.app, &w.f);
    let window = format!("from={}&to={}", w.today - Duration::days(364), w.today);
    let s1 = app.sign_in(f.email("seller1")).await;
    let t = csv(&s1, app, &format!("/analytics/me/export?{window}")).await;
    assert!(
        t.records
            .iter()
            .any(|r| r.cells.iter().any(|c| c == "Done by their due date"))
    );
    assert!(
        !t.records
            .iter()
            .any(|r| r.cells.iter().any(|c| c == "Feedback from sellers"))
    );
    for path in [
        "/analytics/managers",
        "/analytics/outcomes/export",
        "/analytics/organization",
    ] {
        assert_eq!(
            s1.get(app, path).await.status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }

    // Outcomes: the deals of org A only, each coached one of three ways.
    let admin = app.sign_in(f.email("admin")).await;
    let deals = csv(
        &admin,
        app,
        &format!("/analytics/outcomes/export?{window}&table=deals"),
    )
    .await;
    let b = app.sign_in(f.email("admin_b")).await;
    let deals_b = csv(
        &b,
        app,
        &format!("/analytics/outcomes/export?{window}&table=deals"),
    )
    .await;
    assert!(deals.records.len() > 20 && !deals_b.records.is_empty());
    let ids_b: Vec<&str> = deals_b
        .records
        .iter()
        .map(|r| r.cells[0].as_str())
        .collect();
    assert!(
        deals
            .records
            .iter()
            .all(|r| !ids_b.contains(&r.cells[0].as_str()))
    );
    assert!(
        deals
            .records
            .iter()
            .all(|r| ["early", "late_only", "not_coached"].contains(&r.cells[3].as_str()))
    );
    let summary = csv(&admin, app, &format!("/analytics/outcomes/export?{window}")).await;
    let c = row(&summary, "Win rate: coached early minus not coached");
    assert!(!cell(&summary, c, "n").is_empty());
    let page = admin
        .get(app, &format!("/analytics/outcomes?{window}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Coached early") && page.contains("Not coached"));
    assert!(!page.contains(&f.people["seller_b"].canary));
}

#[tokio::test]
async fn a_bad_window_or_table_is_refused_with_the_field_named() {
    let w = world().await;
    let (app, f) = (&w.app, &w.f);
    let m1 = app.sign_in(f.email("manager1")).await;
    for (path, field) in [
        ("/analytics/team?from=2026-13-01", "2026-13-01"),
        ("/analytics/team?from=2026-05-01&to=2026-04-01", "first day"),
        ("/analytics/managers?to=yesterday", "yesterday"),
        ("/analytics/team/export?table=everything", "everything"),
    ] {
        let r = m1.get(app, path).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert!(r.text().await.unwrap().contains(field), "{path}");
    }
}

#[tokio::test]
async fn the_band_and_the_inspection_flag_are_set_and_checked() {
    let w = world().await;
    let (app, f) = (&w.app, &w.f);
    let admin = app.sign_in(f.email("admin")).await;
    // The settings form: hours a month; an empty band changes nothing.
    let base = [
        ("feedback_min_answers", "5"),
        ("prep_working_days", "2"),
        ("crm_fresh_days", "7"),
        ("deal_criteria", ""),
    ];
    let mut fields = base.to_vec();
    fields.extend([("band_low_hours", "1.5"), ("band_high_hours", "4")]);
    let r = admin.post_form(app, "/settings/coaching", &fields).await;
    assert!(r.status().is_success() || r.status().is_redirection());
    let band = app.store.coaching_settings(&f.org_a).await.unwrap().band;
    assert_eq!((band.low_minutes, band.high_minutes), (90, 240));
    let mut fields = base.to_vec();
    fields.extend([("band_low_hours", "5"), ("band_high_hours", "4")]);
    let r = admin.post_form(app, "/settings/coaching", &fields).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.store.coaching_settings(&f.org_a).await.unwrap().band,
        band
    );
    let page = admin
        .get(app, "/analytics/organization")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("moderate band 1.5–4 h"),
        "the dashboards use it"
    );

    // An agenda item marked as checking numbers (R15), over the API.
    let (token, _) = app
        .store
        .create_token(&f.org_a, f.id("manager1"), "analytics")
        .await
        .unwrap();
    let client = reqwest::Client::new();
    let starts = (Utc::now() + Duration::days(3)).to_rfc3339();
    let session: serde_json::Value = client
        .post(app.url("/api/v1/sessions"))
        .bearer_auth(&token)
        .json(&json!({"kind": "territory_tactical", "seller_id": f.id("seller1"), "starts_at": starts, "minutes": 60}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = session["id"].as_str().unwrap();
    let item: serde_json::Value = client
        .post(app.url(&format!("/api/v1/sessions/{id}/agenda")))
        .bearer_auth(&token)
        .json(&json!({"section": "focus", "title": "Pipeline numbers", "minutes": 10, "inspection": true}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(item["inspection"], json!(true), "{item}");
    let page = admin
        .get(app, &format!("/sessions/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Checking numbers</span>"));
}
