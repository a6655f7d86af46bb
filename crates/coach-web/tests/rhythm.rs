//! The coaching rhythm in the browser's terms (R10–R19): the cadence policy
//! an organization and a team set, applying a plan from the planner page,
//! and busy times read from an uploaded calendar.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use coach_core::coaching::SessionKind;
use coach_store::coaching::SessionFilter;
use coach_store::rhythm::{CadenceSource, RhythmAsk, RhythmSettings};
use common::{TestApp, seed};

#[tokio::test]
async fn an_organization_and_a_team_set_their_cadence_and_the_planner_follows_it() {
    let app = TestApp::spawn().await;
    let fx = seed(&app).await;
    let admin = app.sign_in(fx.email("admin")).await;
    let page = admin
        .get(&app, "/settings/cadence")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("R11: monthly, an hour, for accounts that warrant a plan"));
    // The organization: account coaching every 6 weeks, 45 minutes.
    let r = admin
        .post_form(
            &app,
            "/settings/cadence",
            &[
                ("account_own", "1"),
                ("account_every", "6"),
                ("account_minutes", "45"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let org = app.store.cadence(&fx.org_a, None).await.unwrap();
    let account = org.iter().find(|r| r.kind == SessionKind::Account).unwrap();
    assert_eq!(
        (account.every_weeks, account.minutes, account.source),
        (6, 45, CadenceSource::Organization)
    );
    // manager1's team: opportunity coaching every 2 weeks; the rest follows
    // the organization.
    let r = admin
        .post_form(
            &app,
            "/settings/cadence",
            &[
                ("team", fx.id("manager1")),
                ("opportunity_own", "1"),
                ("opportunity_every", "2"),
                ("opportunity_minutes", "60"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let team = app
        .store
        .cadence(&fx.org_a, Some(fx.id("manager1")))
        .await
        .unwrap();
    let of = |k: SessionKind| team.iter().find(|r| r.kind == k).unwrap().clone();
    assert_eq!(of(SessionKind::Opportunity).source, CadenceSource::Team);
    assert_eq!(of(SessionKind::Account).source, CadenceSource::Organization);
    assert_eq!(of(SessionKind::Call).source, CadenceSource::Research);
    // The planner's needs follow it.
    let manager = app.store.user(&fx.org_a, fx.id("manager1")).await.unwrap();
    let (input, _) = app
        .store
        .rhythm_input(
            &fx.org_a,
            &manager,
            &RhythmAsk {
                start: None,
                weeks: 8,
                settings: RhythmSettings::default(),
                cuts: Vec::new(),
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert!(
        input
            .demands
            .iter()
            .filter(|d| d.kind == SessionKind::Opportunity)
            .all(|d| d.every_weeks == 2 && d.minutes == 60)
    );
    // The manager's planner page says where each cadence comes from.
    let m = app.sign_in(fx.email("manager1")).await;
    let page = m.get(&app, "/rhythm").await.text().await.unwrap();
    assert!(page.contains("your team&#39;s policy"), "{page}");
    assert!(page.contains("your organization"));
    // A bad value names the kind and field and saves nothing.
    let r = admin
        .post_form(
            &app,
            "/settings/cadence",
            &[
                ("account_own", "1"),
                ("account_every", "0"),
                ("account_minutes", "45"),
                ("call_own", "1"),
                ("call_every", "1"),
                ("call_minutes", "20"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Account: expected every 1 to 26 weeks")
    );
    let after = app.store.cadence(&fx.org_a, None).await.unwrap();
    assert_eq!(after, org, "nothing saved");
    // Another organization's team is not one of ours.
    let r = admin
        .post_form(&app, "/settings/cadence", &[("team", fx.id("admin_b"))])
        .await;
    assert_eq!(r.status(), 404);
    let r = admin
        .get(
            &app,
            &format!("/settings/cadence?team={}", fx.id("admin_b")),
        )
        .await;
    assert_eq!(r.status(), 404);
    // Unticking a kind returns it to what applies otherwise.
    let r = admin.post_form(&app, "/settings/cadence", &[]).await;
    assert_eq!(r.status(), 303);
    let reset = app.store.cadence(&fx.org_a, None).await.unwrap();
    assert!(reset.iter().all(|r| r.source == CadenceSource::Research));
}

#[tokio::test]
async fn a_plan_that_does_not_fit_is_not_applied_and_one_that_fits_is() {
    let app = TestApp::spawn().await;
    let fx = seed(&app).await;
    let m = app.sign_in(fx.email("manager1")).await;
    let mine = SessionFilter {
        manager_id: Some(fx.id("manager1").to_owned()),
        ..SessionFilter::default()
    };
    let before = app
        .store
        .coaching_sessions(&fx.org_a, &mine)
        .await
        .unwrap()
        .len();
    let r = m
        .post_form(
            &app,
            "/rhythm/apply",
            &[
                ("hours", "1"),
                ("from", "09:00"),
                ("to", "17:00"),
                ("months", "2"),
                ("day", "mon"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("This plan does not fit, so nothing was applied")
    );
    assert_eq!(
        app.store
            .coaching_sessions(&fx.org_a, &mine)
            .await
            .unwrap()
            .len(),
        before
    );
    let r = m
        .post_form(
            &app,
            "/rhythm/apply",
            &[
                ("hours", "20"),
                ("from", "08:00"),
                ("to", "18:00"),
                ("months", "2"),
                ("day", "tue"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/");
    let after = app.store.coaching_sessions(&fx.org_a, &mine).await.unwrap();
    assert!(after.len() > before + 8, "{} → {}", before, after.len());
    assert!(
        after
            .iter()
            .filter(|s| s.series_id.is_some())
            .all(|s| s.prep_starts_at.is_some())
    );
    // The settings used are kept for next time.
    let saved = app
        .store
        .rhythm_settings(&fx.org_a, fx.id("manager1"))
        .await
        .unwrap();
    assert_eq!(
        (saved.minutes, saved.coaching_days.clone()),
        (20 * 60, vec![chrono::Weekday::Tue])
    );
    let page = m.get(&app, "/rhythm").await.text().await.unwrap();
    assert!(page.contains(r#"name="hours" type="number" min="1" max="60" value="20""#));
    assert!(page.contains("series on your calendar, from"));
    // Sellers cannot apply a rhythm.
    let s = app.sign_in(fx.email("seller1")).await;
    let r = s.post_form(&app, "/rhythm/apply", &[("hours", "20")]).await;
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn busy_times_come_from_an_uploaded_calendar_and_a_bad_file_changes_nothing() {
    let app = TestApp::spawn().await;
    let fx = seed(&app).await;
    let m = app.sign_in(fx.email("manager1")).await;
    let upload = |body: &'static str| {
        let form = reqwest::multipart::Form::new()
            .text("_csrf", m.csrf.clone())
            .part(
                "calendar",
                reqwest::multipart::Part::bytes(body.as_bytes().to_vec()).file_name("work.ics"),
            );
        m.client
            .post(app.url("/rhythm/busy"))
            .multipart(form)
            .send()
    };
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:w\r\nDTSTAMP:20261101T000000Z\r\n\
DTSTART;TZID=Europe/Berlin:20261102T090000\r\nDTEND;TZID=Europe/Berlin:20261102T100000\r\nRRULE:FREQ=WEEKLY;COUNT=200\r\n\
END:VEVENT\r\nEND:VCALENDAR\r\n";
    let r = upload(ics).await.unwrap();
    assert_eq!(r.status(), 303);
    let now = chrono::Utc::now();
    let busy = app
        .store
        .busy_times(
            &fx.org_a,
            fx.id("manager1"),
            now,
            now + chrono::Duration::days(400),
        )
        .await
        .unwrap();
    assert!((55..=58).contains(&busy.len()), "{}", busy.len());
    assert!(
        busy.iter()
            .all(|(s, e)| *e - *s == chrono::Duration::hours(1))
    );
    // The planner keeps clear of them.
    let manager = app.store.user(&fx.org_a, fx.id("manager1")).await.unwrap();
    let (input, _) = app
        .store
        .rhythm_input(
            &fx.org_a,
            &manager,
            &RhythmAsk {
                start: None,
                weeks: 8,
                settings: RhythmSettings {
                    minutes: 30 * 60,
                    ..RhythmSettings::default()
                },
                cuts: Vec::new(),
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert!(!input.availability.busy.is_empty());
    let plan = coach_core::rhythm::plan(&input).unwrap_or_else(|r| panic!("{r:?}"));
    for o in plan.series.iter().flat_map(|s| &s.occurrences) {
        for (s, e) in &busy {
            assert!(
                o.ends_at <= *s || *e <= o.prep_starts_at,
                "{o:?} overlaps a busy time"
            );
        }
    }
    // A file that is not a calendar: refused, busy times as they were.
    let r = upload("Subject,Start Date\nBoard,2026-12-01\n")
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Nothing was changed: this is not an iCalendar file")
    );
    let again = app
        .store
        .busy_times(
            &fx.org_a,
            fx.id("manager1"),
            now,
            now + chrono::Duration::days(400),
        )
        .await
        .unwrap();
    assert_eq!(again, busy);
    // Forgetting them.
    let r = m.post_form(&app, "/rhythm/busy/clear", &[]).await;
    assert_eq!(r.status(), 303);
    assert!(
        app.store
            .busy_times(
                &fx.org_a,
                fx.id("manager1"),
                now,
                now + chrono::Duration::days(400)
            )
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_api_previews_applies_and_lists_a_rhythm_and_sets_the_cadence() {
    use serde_json::{Value, json};
    let app = TestApp::spawn().await;
    let fx = seed(&app).await;
    let token = |who: &'static str| {
        let store = app.store.clone();
        let org = fx.org_a.clone();
        let id = fx.id(who).to_owned();
        async move { store.create_token(&org, &id, "rhythm").await.unwrap().0 }
    };
    let client = reqwest::Client::new();
    let manager = token("manager1").await;
    let call = |method: reqwest::Method, path: &str, bearer: &str, body: Option<Value>| {
        let mut rb = client.request(method, app.url(path)).bearer_auth(bearer);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        rb.send()
    };
    // Too few hours: not viable, with the numbers and the cuts.
    let r = call(
        reqwest::Method::POST,
        "/api/v1/rhythm/preview",
        &manager,
        Some(json!({"hours": 2})),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["viable"], false);
    assert!(v["needed_minutes_per_week"].as_u64().unwrap() > 120);
    assert!(v["refusal"].as_str().unwrap().contains("2 h are available"));
    assert!(!v["cuts"].as_array().unwrap().is_empty());
    // Enough: the series and the load.
    let ask =
        json!({"hours": 30, "months": 2, "coaching_days": ["tue", "thu"], "cuts": ["account"]});
    let v: Value = call(
        reqwest::Method::POST,
        "/api/v1/rhythm/preview",
        &manager,
        Some(ask.clone()),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(v["viable"], true, "{v}");
    assert_eq!(v["load"].as_array().unwrap().len(), 9);
    let planned: usize = v["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["sessions"].as_array().unwrap().len())
        .sum();
    // Bad input names what is wrong.
    let r = call(
        reqwest::Method::POST,
        "/api/v1/rhythm/preview",
        &manager,
        Some(json!({"hours": 0})),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 422);
    let r = call(
        reqwest::Method::POST,
        "/api/v1/rhythm/preview",
        &manager,
        Some(json!({"cuts": ["everything"]})),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 422);
    // Apply: what the preview showed goes on the calendar.
    let r = call(
        reqwest::Method::POST,
        "/api/v1/rhythm/apply",
        &manager,
        Some(ask),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    let done: Value = r.json().await.unwrap();
    assert_eq!(done["sessions"].as_u64().unwrap() as usize, planned);
    let series: Value = call(reqwest::Method::GET, "/api/v1/series", &manager, None)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        series.as_array().unwrap().len() as u64,
        done["series"].as_u64().unwrap()
    );
    // A seller sees the series they are coached in; not another team's.
    let seller = token("seller1").await;
    let theirs: Value = call(reqwest::Method::GET, "/api/v1/series", &seller, None)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!theirs.as_array().unwrap().is_empty());
    assert!(
        theirs
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["seller_id"] == fx.id("seller1"))
    );
    let r = call(
        reqwest::Method::GET,
        &format!("/api/v1/series?person_id={}", fx.id("seller3")),
        &seller,
        None,
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 404);
    let r = call(
        reqwest::Method::POST,
        "/api/v1/rhythm/apply",
        &seller,
        Some(json!({})),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 403);
    // The cadence: admins set it; a bad value changes nothing.
    let admin = token("admin").await;
    let r = call(reqwest::Method::PUT, "/api/v1/cadence", &admin, Some(json!({"team": fx.id("manager1"), "kinds": [{"kind": "opportunity", "every_weeks": 3, "minutes": 90}]}))).await.unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let opp = v["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "opportunity")
        .unwrap()
        .clone();
    assert_eq!(
        (opp["every_weeks"].as_u64(), opp["source"].as_str()),
        (Some(3), Some("team"))
    );
    let r = call(
        reqwest::Method::PUT,
        "/api/v1/cadence",
        &admin,
        Some(json!({"kinds": [{"kind": "call", "every_weeks": 1, "minutes": 7}]})),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 422);
    let text = r.text().await.unwrap();
    assert!(
        text.contains("Kinds[0]: expected 15 to 180 minutes")
            && text.contains(r#""field":"minutes""#),
        "{text}"
    );
    let r = call(
        reqwest::Method::PUT,
        "/api/v1/cadence",
        &admin,
        Some(json!({"team": fx.id("admin_b"), "kinds": []})),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 404);
    let r = call(
        reqwest::Method::PUT,
        "/api/v1/cadence",
        &manager,
        Some(json!({"kinds": []})),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 403);
    let v: Value = call(
        reqwest::Method::GET,
        &format!("/api/v1/cadence?team={}", fx.id("manager1")),
        &manager,
        None,
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(
        v["kinds"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kind"] == "opportunity")
            .unwrap()["minutes"],
        90
    );
    let r = call(
        reqwest::Method::GET,
        &format!("/api/v1/cadence?team={}", fx.id("manager2")),
        &seller,
        None,
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 404);
}

/// Serves `body` with `status` to every request on a loopback port.
async fn calendar_server(status: &'static str, body: &'static str) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/cal.ics", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await;
            let reply = format!(
                "HTTP/1.1 {status}\r\ncontent-type: text/calendar\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(reply.as_bytes()).await;
        }
    });
    url
}

#[tokio::test]
async fn busy_times_come_from_a_calendar_address_the_server_reads() {
    let app = TestApp::spawn_with(|c| c.allow_private_calendar_urls = true).await;
    let fx = seed(&app).await;
    let m = app.sign_in(fx.email("manager1")).await;
    let free_busy = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VFREEBUSY\r\nUID:fb\r\n\
DTSTAMP:20261101T000000Z\r\nFREEBUSY:20270111T080000Z/PT1H,20270112T080000Z/PT2H\r\nEND:VFREEBUSY\r\nEND:VCALENDAR\r\n";
    let url = calendar_server("200 OK", free_busy).await;
    let r = m
        .post_form(&app, "/rhythm/busy/url", &[("url", &url)])
        .await;
    assert_eq!(r.status(), 303);
    let at = |s: &str| {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .with_timezone(&chrono::Utc)
    };
    let busy = app
        .store
        .busy_times(
            &fx.org_a,
            fx.id("manager1"),
            at("2027-01-01T00:00:00Z"),
            at("2027-02-01T00:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(
        busy,
        vec![
            (at("2027-01-11T08:00:00Z"), at("2027-01-11T09:00:00Z")),
            (at("2027-01-12T08:00:00Z"), at("2027-01-12T10:00:00Z")),
        ]
    );
    let saved = app
        .store
        .rhythm_settings(&fx.org_a, fx.id("manager1"))
        .await
        .unwrap();
    assert_eq!(saved.busy_url, url);
    // An address that answers 404 changes nothing and says so.
    let missing = calendar_server("404 Not Found", "").await;
    let r = m
        .post_form(&app, "/rhythm/busy/url", &[("url", &missing)])
        .await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("The calendar answered 404")
    );
    for bad in ["ftp://example.com/cal.ics", "not a url"] {
        let r = m.post_form(&app, "/rhythm/busy/url", &[("url", bad)]).await;
        assert_eq!(r.status(), 422, "{bad}");
    }
    let again = app
        .store
        .busy_times(
            &fx.org_a,
            fx.id("manager1"),
            at("2027-01-01T00:00:00Z"),
            at("2027-02-01T00:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(again, busy);
}

#[tokio::test]
async fn the_server_does_not_read_addresses_in_its_own_network() {
    let app = TestApp::spawn().await;
    let fx = seed(&app).await;
    let m = app.sign_in(fx.email("manager1")).await;
    let url = calendar_server("200 OK", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n").await;
    for target in [
        url.as_str(),
        "http://10.1.2.3/cal.ics",
        "http://[::1]:9/cal.ics",
        "http://169.254.169.254/latest",
    ] {
        let r = m
            .post_form(&app, "/rhythm/busy/url", &[("url", target)])
            .await;
        assert_eq!(r.status(), 422, "{target}");
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("inside this server&#39;s own network"),
            "{target}"
        );
    }
}
