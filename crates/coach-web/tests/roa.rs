//! The ROA model through the API and the pages (R1–R5): the default model,
//! the standards rule (R4) with versions, logging and scoring activities,
//! targets, and the scorecard's chain; on both databases.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)]

mod common;

use common::{Fixture, TestApp, seed};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

struct Api {
    client: Client,
    token: String,
    base: String,
}

impl Api {
    async fn of(app: &TestApp, f: &Fixture, key: &str) -> Api {
        let p = &f.people[key];
        let (token, _) = app.store.create_token(&p.org, &p.id, "roa").await.unwrap();
        Api {
            client: Client::new(),
            token,
            base: app.base.clone(),
        }
    }

    async fn send(&self, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut rb = self
            .client
            .request(method.parse().unwrap(), format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let r = rb.send().await.unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> Value {
        let (s, v) = self.send("GET", path, None).await;
        assert_eq!(s, StatusCode::OK, "{path}: {v}");
        v
    }
}

/// Today in organization A's time zone (Europe/Berlin): a standard written
/// today is in force from the organization's today, which is tomorrow in UTC
/// late in the evening.
fn org_today() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Berlin)
        .date_naive()
}

fn rubric() -> Value {
    json!({"criteria": [
        {"name": "Relevance", "levels": ["Generic", "Same industry", "Same problem"]},
        {"name": "Permission", "levels": ["Not asked", "Verbal", "Written"]}
    ], "good_level": 2})
}

fn named<'a>(list: &'a Value, name: &str) -> &'a Value {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {list}"))
}

#[tokio::test]
async fn the_default_model_and_the_standards_rule_through_the_api() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let admin = Api::of(&app, &f, "admin").await;
    let seller = Api::of(&app, &f, "seller1").await;

    let results = seller.get("/api/v1/results").await;
    assert_eq!(results["data"].as_array().unwrap().len(), 3);
    let objectives = seller.get("/api/v1/objectives").await;
    let close = named(&objectives, "Close rate");
    assert_eq!(close["metric"], "close_rate");
    assert_eq!(
        close["drives"].as_array().unwrap().len(),
        2,
        "revenue and profit"
    );
    let close_id = close["id"].as_str().unwrap().to_owned();
    let types = seller.get("/api/v1/activity-types").await;
    assert_eq!(types["data"].as_array().unwrap().len(), 6);
    for t in types["data"].as_array().unwrap() {
        assert_eq!(t["active"], true);
        assert!(t["standard"]["quantity"].as_u64().unwrap() > 0);
        assert!(
            !t["standard"]["rubric"]["criteria"]
                .as_array()
                .unwrap()
                .is_empty()
        );
    }

    // A seller may read the model but not change it.
    let (s, _) = seller
        .send(
            "POST",
            "/api/v1/results",
            Some(json!({"name": "Mine", "unit": "count"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // R4: active without standards is refused, with the field named.
    let new = json!({"name": "Reference shared", "group": "account", "drives": [close_id], "active": true});
    let (s, v) = admin
        .send("POST", "/api/v1/activity-types", Some(new))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["field"], "active");
    assert!(v["error"]["message"].as_str().unwrap().contains("R4"));
    // R2: it must drive an objective.
    let (s, v) = admin
        .send(
            "POST",
            "/api/v1/activity-types",
            Some(
                json!({"name": "Reference shared", "group": "account", "drives": [],
                "standard": {"quantity": 2, "per": "month", "rubric": rubric()}}),
            ),
        )
        .await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("drives"))
    );
    let (s, created) = admin
        .send(
            "POST",
            "/api/v1/activity-types",
            Some(
                json!({"name": "Reference shared", "group": "account", "drives": [close_id],
                "standard": {"quantity": 2, "per": "month", "rubric": rubric()}}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    assert_eq!(
        created["active"], true,
        "active by default once it has a standard"
    );
    assert_eq!(created["standard"]["version"], 1);
    let id = created["id"].as_str().unwrap().to_owned();

    // A new standard is a new version; a stale If-Match changes nothing.
    let r = admin
        .client
        .patch(format!("{}/api/v1/activity-types/{id}", admin.base))
        .bearer_auth(&admin.token)
        .header("if-match", "\"v1\"")
        .json(&json!({"standard": {"quantity": 3, "per": "month", "rubric": rubric()}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["history"].as_array().unwrap().len(), 2);
    assert_eq!(v["standard"]["quantity"], 3);
    assert_ne!(etag, "\"v1\"");
    let r = admin
        .client
        .patch(format!("{}/api/v1/activity-types/{id}", admin.base))
        .bearer_auth(&admin.token)
        .header("if-match", "\"v1\"")
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(
        admin.get(&format!("/api/v1/activity-types/{id}")).await["active"],
        true
    );
    // A rubric with uneven levels is refused, naming the criterion.
    let (s, v) = admin
        .send(
            "PATCH",
            &format!("/api/v1/activity-types/{id}"),
            Some(json!({"standard": {"quantity": 3, "per": "month", "rubric": {"criteria": [
                {"name": "A", "levels": ["x", "y"]}, {"name": "B", "levels": ["x", "y", "z"]}], "good_level": 2}}})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        v["error"]["message"].as_str().unwrap().contains("\"B\""),
        "{v}"
    );
    // Another organization's admin cannot see it.
    let other = Api::of(&app, &f, "admin_b").await;
    let (s, _) = other
        .send("GET", &format!("/api/v1/activity-types/{id}"), None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_logged_and_scored_activity_shows_on_the_scorecard_with_its_chain() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let admin = Api::of(&app, &f, "admin").await;
    let seller = Api::of(&app, &f, "seller1").await;
    let manager = Api::of(&app, &f, "manager1").await;
    let objectives = admin.get("/api/v1/objectives").await;
    let close_id = named(&objectives, "Close rate")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, created) = admin
        .send(
            "POST",
            "/api/v1/activity-types",
            Some(
                json!({"name": "Reference shared", "group": "account", "drives": [close_id],
                "standard": {"quantity": 2, "per": "month", "rubric": rubric()}}),
            ),
        )
        .await;
    let type_id = created["id"].as_str().unwrap().to_owned();
    let today = org_today();
    let (s, logged) = seller
        .send(
            "POST",
            "/api/v1/activities",
            Some(json!({"type_id": type_id, "occurred_on": today.to_string(), "note": "Told Cobalt"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{logged}");
    assert_eq!(logged["seller_id"], f.id("seller1"));
    let activity = logged["id"].as_str().unwrap().to_owned();
    // A date in the future is refused, naming the field.
    let (s, v) = seller
        .send(
            "POST",
            "/api/v1/activities",
            Some(json!({"type_id": type_id, "occurred_on": (today + chrono::Duration::days(3)).to_string()})),
        )
        .await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("occurred_on"))
    );
    // The seller cannot score their own; their manager can.
    let score = json!({"levels": [3, 2], "comment": "Good match"});
    let path = format!("/api/v1/activities/{activity}/score");
    let (s, _) = seller.send("PUT", &path, Some(score.clone())).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = manager
        .send("PUT", &path, Some(json!({"levels": [4, 2]})))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "level 4 of 3: {v}");
    let (s, v) = manager.send("PUT", &path, Some(score)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["score"]["meets_standard"], true);
    assert_eq!(v["score"]["standard_version"], 1);

    // Targets: the close rate is measured; the scorecard reads the chain.
    let month = today.format("%Y-%m").to_string();
    let (s, v) = admin
        .send(
            "PUT",
            "/api/v1/targets",
            Some(json!({"measure_id": close_id, "period": month, "scope": "organization", "value": "40"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let targets = seller.get(&format!("/api/v1/targets?period={month}")).await;
    assert_eq!(targets["data"][0]["value"], "40");
    let card = manager
        .get(&format!(
            "/api/v1/scorecards/{}?period={month}",
            f.id("seller1")
        ))
        .await;
    let line = card["activities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["type_id"] == type_id.as_str())
        .unwrap();
    assert_eq!(
        (line["count"].as_u64(), line["expected"].as_f64()),
        (Some(1), Some(2.0))
    );
    assert_eq!(
        (line["scored"].as_u64(), line["scored_good"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(line["quality_met"], true);
    assert_eq!(line["measured"], true);
    let close = card["objectives"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == close_id.as_str())
        .unwrap();
    assert!(
        close["driven_by"]
            .as_array()
            .unwrap()
            .contains(&json!(type_id))
    );
    assert_eq!(close["target"], "40");
    let rate = &close["value"]["rate"];
    assert_eq!(
        (rate["n"].as_u64(), rate["enough_data"].as_bool()),
        (Some(0), Some(false))
    );
    // The territory activities drive only objectives without a target (R3).
    assert!(!card["unaligned"].as_array().unwrap().is_empty());
    assert!(
        !card["unaligned"]
            .as_array()
            .unwrap()
            .contains(&json!(type_id))
    );
    // Others' scorecards are not found.
    let (s, _) = seller
        .send(
            "GET",
            &format!("/api/v1/scorecards/{}", f.id("seller2")),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = seller
        .send("GET", "/api/v1/scorecards/x?period=2026-13", None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    let (s, v) = seller
        .send(
            "GET",
            &format!("/api/v1/scorecards/{}?period=2026-13", f.id("seller1")),
            None,
        )
        .await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("period"))
    );

    // The lists are scoped: the manager sees the seller's, the seller not the victim's.
    let mine = seller.get("/api/v1/activities?scored=true").await;
    assert_eq!(mine["data"].as_array().unwrap().len(), 1);
    let team = manager
        .get(&format!("/api/v1/activities?seller_id={}", f.id("victim")))
        .await;
    assert!(
        team["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["seller_id"] == f.id("victim"))
    );
    let theirs = seller
        .get(&format!("/api/v1/activities?seller_id={}", f.id("victim")))
        .await;
    assert!(theirs["data"].as_array().unwrap().is_empty());

    // The pages show the same: the scorecard with its chain and flags.
    let browser = app.sign_in(f.email("seller1")).await;
    let page = browser.get(&app, "/scorecard/me").await;
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    let page = browser
        .get(&app, &format!("/scorecard/{}", f.id("seller1")))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("class=\"chain-svg\""));
    assert!(page.contains("Reference shared"));
    assert!(page.contains("1 of 1 scored met the rubric"));
    assert!(page.contains("drive no objective") || page.contains("drives no objective"));
    let detail = browser
        .get(&app, &format!("/activities/{activity}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(detail.contains("Good match") && detail.contains("Meets standard"));
    assert!(!detail.contains("Save score"), "a seller does not score");
}

#[tokio::test]
async fn forms_keep_what_was_typed_and_explain_the_refusal() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let admin = app.sign_in(f.email("admin")).await;
    let r = admin
        .post_form(
            &app,
            "/model/activity-types",
            &[
                ("name", "Case study sent"),
                ("group", "opportunity"),
                ("quantity", "2"),
                ("per", "week"),
                ("good_level", "2"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("qualitative standard (R4)"),
        "the rubric is missing"
    );
    assert!(page.contains("value=\"Case study sent\""));
    let seller = app.sign_in(f.email("seller1")).await;
    let r = seller
        .post_form(
            &app,
            "/activities",
            &[("type_id", ""), ("occurred_on", "yesterday")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Expected the day it happened")
    );
    let model = app.store.roa_model(&f.org_a).await.unwrap();
    assert!(
        model
            .activity_types
            .iter()
            .all(|t| t.name != "Case study sent")
    );
}

#[tokio::test]
async fn an_admin_sets_targets_and_enters_values_on_the_targets_page() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let model = app.store.roa_model(&f.org_a).await.unwrap();
    let id = |name: &str| {
        model
            .measures
            .iter()
            .find(|m| m.name == name)
            .unwrap()
            .id
            .clone()
    };
    let admin = app.sign_in(f.email("admin")).await;
    let close = id("Close rate");
    let team = format!("team:{}", f.id("manager1"));
    let r = admin
        .post_form(
            &app,
            "/model/targets",
            &[
                ("period", "2026-11"),
                ("measure_id", &close),
                ("scope", &team),
                ("value", "45.5"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = admin
        .get(&app, "/model/targets?period=2026-11")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Targets for November 2026") && page.contains("45.5%"));
    assert!(
        page.contains(&f.people["manager1"].canary),
        "the team by its leader's name"
    );
    // A percentage over 100 is refused with the reason, and nothing changes.
    let r = admin
        .post_form(
            &app,
            "/model/targets",
            &[
                ("period", "2026-11"),
                ("measure_id", &close),
                ("scope", "org"),
                ("value", "120"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("percentage from 0 to 100"));
    let november: coach_core::roa::Period = "2026-11".parse().unwrap();
    assert_eq!(
        app.store
            .targets(&f.org_a, Some(november))
            .await
            .unwrap()
            .len(),
        1
    );
    // Entered values only for entered measures.
    let r = admin
        .post_form(
            &app,
            "/model/values",
            &[
                ("period", "2026-11"),
                ("measure_id", &id("Profit")),
                ("seller_id", f.id("seller1")),
                ("value", "1200"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let values = app.store.entered_values(&f.org_a, november).await.unwrap();
    assert_eq!(values.len(), 1);
    assert_eq!(values[0].value.to_string(), "1200");
    let r = admin
        .post_form(
            &app,
            "/model/values",
            &[
                ("period", "2026-11"),
                ("measure_id", &close),
                ("seller_id", f.id("seller1")),
                ("value", "10"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = admin
        .post_form(
            &app,
            "/model/targets/remove",
            &[
                ("period", "2026-11"),
                ("measure_id", &close),
                ("scope", &team),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        app.store
            .targets(&f.org_a, Some(november))
            .await
            .unwrap()
            .is_empty()
    );
    let seller = app.sign_in(f.email("seller1")).await;
    assert_eq!(
        seller.get(&app, "/model/targets").await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn an_activity_logged_by_mistake_can_be_removed_until_it_is_scored() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let seller = Api::of(&app, &f, "seller1").await;
    let manager = Api::of(&app, &f, "manager1").await;
    let types = seller.get("/api/v1/activity-types").await;
    let type_id = types["data"][0]["id"].as_str().unwrap().to_owned();
    let today = org_today().to_string();
    let log = json!({"type_id": type_id, "occurred_on": today});
    let (_, first) = seller
        .send("POST", "/api/v1/activities", Some(log.clone()))
        .await;
    let (_, second) = seller.send("POST", "/api/v1/activities", Some(log)).await;
    let first = first["id"].as_str().unwrap().to_owned();
    let second = second["id"].as_str().unwrap().to_owned();
    // Through the page: the detail offers removal, and it goes.
    let browser = app.sign_in(f.email("seller1")).await;
    let page = browser
        .get(&app, &format!("/activities/{first}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Remove this activity"));
    let r = browser
        .post_form(&app, &format!("/activities/{first}/delete"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (s, _) = seller
        .send("GET", &format!("/api/v1/activities/{first}"), None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Once scored it stays, through the API too.
    let (s, _) = manager
        .send(
            "PUT",
            &format!("/api/v1/activities/{second}/score"),
            Some(json!({"levels": [3, 3, 3]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = seller
        .send("DELETE", &format!("/api/v1/activities/{second}"), None)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["error"]["message"].as_str().unwrap().contains("scored"));
    // A CRM-counted activity goes with its record, not by hand.
    let crm = &f.records["activity:seller1"];
    let (s, v) = seller
        .send("DELETE", &format!("/api/v1/activities/{crm}"), None)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["error"]["message"].as_str().unwrap().contains("CRM"));
    // Another seller's is not found.
    let other = &f.records["activity:seller3"];
    let (s, _) = seller
        .send("DELETE", &format!("/api/v1/activities/{other}"), None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

/// T16 for the model and activities: hostile text in an activity type's
/// name, rubric and an activity's note renders as text on every page that
/// shows it, the scorecard's drawing included.
#[tokio::test]
async fn hostile_text_in_the_model_and_notes_is_rendered_inert() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    let model = app.store.roa_model(&f.org_a).await.unwrap();
    let close = model
        .measures
        .iter()
        .find(|m| m.name == "Close rate")
        .unwrap()
        .id
        .clone();
    let id = app
        .store
        .create_activity_type(
            &f.org_a,
            coach_store::roa::NewActivityType {
                name: format!("Evil {hostile}"),
                group: coach_core::roa::ActivityGroup::Call,
                description: hostile.to_owned(),
                drives: vec![close],
                crm_source: None,
                standard: Some(coach_store::roa::NewStandard {
                    quantity: 1,
                    per: coach_core::roa::Per::Week,
                    team_id: None,
                    rubric: coach_core::roa::Rubric {
                        criteria: vec![coach_core::roa::Criterion {
                            name: hostile.to_owned(),
                            levels: vec![hostile.to_owned(), "javascript:alert(3)".to_owned()],
                        }],
                        good_level: 2,
                    },
                }),
                active: true,
            },
            None,
        )
        .await
        .unwrap();
    let logged = app
        .store
        .log_activity(
            &f.org_a,
            coach_store::roa::NewActivity {
                type_id: id.clone(),
                seller_id: f.id("seller1").to_owned(),
                occurred_on: org_today(),
                note: hostile.to_owned(),
            },
            f.id("seller1"),
        )
        .await
        .unwrap();
    let manager = app.sign_in(f.email("manager1")).await;
    let admin = app.sign_in(f.email("admin")).await;
    for (who, path) in [
        (&admin, "/model".to_owned()),
        (&admin, format!("/model/activity-types/{id}")),
        (&manager, "/activities".to_owned()),
        (&manager, format!("/activities/{}", logged.id)),
        (&manager, format!("/scorecard/{}", f.id("seller1"))),
        (&manager, "/scorecard/team".to_owned()),
    ] {
        let page = who.get(&app, &path).await.text().await.unwrap();
        assert!(!page.contains("<script>alert"), "{path}");
        assert!(!page.contains("<img src=x"), "{path}");
        assert!(
            page.contains("&#60;script&#62;alert(1)"),
            "{path} shows the text, escaped"
        );
        assert!(!page.contains("href=\"javascript:"), "{path}");
    }
}

#[tokio::test]
async fn the_activity_download_holds_what_the_viewer_may_see() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let manager = app.sign_in(f.email("manager1")).await;
    let r = manager.get(&app, "/activities/export?format=csv").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("activities-")
    );
    let csv = r.text().await.unwrap();
    assert!(csv.starts_with("\u{feff}day,seller,activity"));
    // The canaried calls of the manager's sellers, and nobody else's.
    for (key, shown) in [
        ("seller1", true),
        ("victim", true),
        ("seller3", false),
        ("seller_b", false),
    ] {
        assert_eq!(csv.contains(&f.people[key].canary), shown, "{key}");
    }
    let seller = app.sign_in(f.email("seller1")).await;
    let json = seller
        .get(&app, "/activities/export?format=json")
        .await
        .text()
        .await
        .unwrap();
    let rows: Vec<Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["seller"], f.email("seller1"));
    assert_eq!(rows[0]["from_crm"], true);
    let r = seller.get(&app, "/activities/export?format=xlsx").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
