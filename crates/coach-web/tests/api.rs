//! The JSON API: `me`, `users`, `teams`, pagination, versions, the OpenAPI
//! document, and the operations endpoints.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Fixture, TestApp, seed};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn token(app: &TestApp, f: &Fixture, who: &str) -> String {
    let p = &f.people[who];
    app.store
        .create_token(&p.org, &p.id, "test")
        .await
        .unwrap()
        .0
}

async fn get(app: &TestApp, token: &str, path: &str) -> (StatusCode, Value) {
    let r = reqwest::Client::new()
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn me_names_the_person_their_organization_and_their_manager() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let t = token(&app, &f, "seller1").await;
    let (status, me) = get(&app, &t, "/api/v1/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["email"], "seller1@a.test");
    assert_eq!(me["roles"], json!(["seller"]));
    assert_eq!(me["organization"]["slug"], "org-a");
    assert_eq!(me["time_zone"], "Europe/Berlin");
    assert_eq!(me["manager"]["id"], f.id("manager1"));
}

#[tokio::test]
async fn the_users_list_pages_with_a_cursor_and_shows_only_what_the_caller_may_see() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let admin = token(&app, &f, "admin").await;
    let mut seen = Vec::new();
    let mut path = "/api/v1/users?limit=5".to_owned();
    loop {
        let (status, page) = get(&app, &admin, &path).await;
        assert_eq!(status, StatusCode::OK);
        let data = page["data"].as_array().unwrap();
        assert!(data.len() <= 5);
        seen.extend(data.iter().map(|u| u["email"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/users?limit=5&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 12, "org A has 12 people: {seen:?}");
    let unique: std::collections::BTreeSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), 12, "no one twice across pages");
    assert!(seen.iter().all(|e| e.ends_with("@a.test")));

    let manager = token(&app, &f, "manager2").await;
    let (_, page) = get(&app, &manager, "/api/v1/users").await;
    let emails: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["manager2@a.test", "seller3@a.test"]);

    let (_, sellers) = get(
        &app,
        &admin,
        &format!(
            "/api/v1/users?role=seller&active=true&manager_id={}",
            f.id("manager1")
        ),
    )
    .await;
    let emails: Vec<&str> = sellers["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(
        emails,
        [
            "seller1@a.test",
            "seller2@a.test",
            "departed@a.test",
            "victim@a.test"
        ]
    );
}

#[tokio::test]
async fn an_admin_adds_a_person_and_gets_its_location_and_version() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let admin = token(&app, &f, "admin").await;
    let r = reqwest::Client::new()
        .post(app.url("/api/v1/users"))
        .bearer_auth(&admin)
        .json(&json!({"email": "New.Seller@A.test", "name": "New Seller", "roles": ["seller"], "manager_id": f.id("manager2"), "password": "first-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(r.headers()["etag"], "\"v1\"");
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/v1/users/{}", body["id"].as_str().unwrap())
    );
    assert_eq!(body["email"], "new.seller@a.test");
    assert_eq!(
        body["time_zone"], "Europe/Berlin",
        "the organization's zone by default"
    );
    assert!(
        app.sign_in_with("new.seller@a.test", "first-password")
            .await
            .is_ok()
    );
    let manager = token(&app, &f, "manager2").await;
    let (status, _) = get(&app, &manager, &location).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the new seller is on manager2's team"
    );
    let dup = reqwest::Client::new()
        .post(app.url("/api/v1/users"))
        .bearer_auth(&admin)
        .json(&json!({"email": "new.seller@a.test", "name": "Again", "roles": ["seller"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(dup.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err: Value = dup.json().await.unwrap();
    assert_eq!(err["error"]["field"], "email");
}

#[tokio::test]
async fn a_patch_with_a_stale_version_gets_412_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let admin = token(&app, &f, "admin").await;
    let url = app.url(&format!("/api/v1/users/{}", f.id("victim")));
    let client = reqwest::Client::new();
    let first = client.get(&url).bearer_auth(&admin).send().await.unwrap();
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let ok = client
        .patch(&url)
        .bearer_auth(&admin)
        .header("if-match", &etag)
        .json(&json!({"name": "Vic Tim", "roles": ["seller", "manager"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    assert_ne!(ok.headers()["etag"].to_str().unwrap(), etag);
    let body: Value = ok.json().await.unwrap();
    assert_eq!(body["roles"], json!(["manager", "seller"]));
    let stale = client
        .patch(&url)
        .bearer_auth(&admin)
        .header("if-match", &etag)
        .json(&json!({"name": "Lost Update"}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    let err: Value = stale.json().await.unwrap();
    assert_eq!(err["error"]["code"], "stale");
    assert_eq!(
        app.store.user(&f.org_a, f.id("victim")).await.unwrap().name,
        "Vic Tim"
    );
}

#[tokio::test]
async fn manager_can_be_removed_with_null_and_an_admin_cannot_deactivate_themselves() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let admin = token(&app, &f, "admin").await;
    let client = reqwest::Client::new();
    let r = client
        .patch(app.url(&format!("/api/v1/users/{}", f.id("victim"))))
        .bearer_auth(&admin)
        .json(&json!({"manager_id": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["manager_id"], Value::Null);
    let me = client
        .patch(app.url(&format!("/api/v1/users/{}", f.id("admin"))))
        .bearer_auth(&admin)
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::CONFLICT);
    let last = client
        .patch(app.url(&format!("/api/v1/users/{}", f.id("admin"))))
        .bearer_auth(&admin)
        .json(&json!({"roles": ["manager"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        last.status(),
        StatusCode::CONFLICT,
        "the last admin keeps the role"
    );
}

#[tokio::test]
async fn teams_follow_from_reporting_lines() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let director = token(&app, &f, "director1").await;
    let (_, teams) = get(&app, &director, "/api/v1/teams").await;
    let leaders: Vec<&str> = teams["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["leader"]["id"].as_str().unwrap())
        .collect();
    let mut expected = vec![f.id("director1"), f.id("manager1"), f.id("manager2")];
    expected.sort();
    assert_eq!(leaders, expected);
    let (status, team) = get(
        &app,
        &director,
        &format!("/api/v1/teams/{}", f.id("manager1")),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let members: Vec<&str> = team["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["email"].as_str().unwrap())
        .collect();
    assert_eq!(
        members,
        [
            "seller1@a.test",
            "seller2@a.test",
            "departed@a.test",
            "victim@a.test"
        ]
    );
    let (_, page) = get(&app, &director, "/api/v1/teams?limit=1").await;
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    assert!(page["next_cursor"].is_string());
}

#[tokio::test]
async fn the_openapi_document_describes_every_api_route_and_its_security() {
    let app = TestApp::spawn().await;
    let doc: Value = reqwest::get(app.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    for (method, path) in coach_web::route_list()
        .into_iter()
        .filter(|(_, p)| p.starts_with("/api/"))
    {
        let op = &paths[&path][method.to_lowercase()];
        assert!(op.is_object(), "{method} {path} is described");
        assert!(
            op["responses"].as_object().is_some_and(|r| !r.is_empty()),
            "{method} {path} has responses"
        );
    }
    assert!(doc["components"]["securitySchemes"]["token"].is_object());
    assert!(doc["components"]["schemas"]["UserOut"].is_object());
}

#[tokio::test]
async fn the_openapi_document_in_the_repository_matches_the_code() {
    let app = TestApp::spawn().await;
    let served = reqwest::get(app.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
    if std::env::var("COACH_UPDATE_CONTRACTS").is_ok() {
        std::fs::write(path, &served).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == served,
        "docs/openapi.json is out of date: run `COACH_UPDATE_CONTRACTS=1 cargo test -p coach-web --test api` and review the diff"
    );
}

/// The OpenAPI document names each schema after its Rust type, and a second
/// type of the same name silently replaces the first: every schema type of
/// the API must have its own name.
#[test]
fn every_schema_of_the_api_has_its_own_name() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/api");
    let mut seen: std::collections::BTreeMap<String, String> = Default::default();
    let mut clashes = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let mut derives_schema = false;
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with("#[derive(") {
                derives_schema = line.contains("ToSchema");
            } else if let Some(rest) = line
                .strip_prefix("pub struct ")
                .or_else(|| line.strip_prefix("pub enum "))
            {
                if derives_schema {
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    let file = path.file_name().unwrap().to_string_lossy().into_owned();
                    if let Some(other) = seen.insert(name.clone(), file.clone()) {
                        clashes.push(format!("{name} in {other} and {file}"));
                    }
                }
                derives_schema = false;
            }
        }
    }
    assert!(
        seen.len() > 50,
        "the scan found the schema types: {}",
        seen.len()
    );
    assert!(clashes.is_empty(), "schema names used twice: {clashes:?}");
}

#[tokio::test]
async fn health_readiness_and_metrics_answer_without_signing_in() {
    let app = TestApp::spawn().await;
    assert_eq!(
        reqwest::get(app.url("/healthz")).await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        reqwest::get(app.url("/readyz")).await.unwrap().status(),
        StatusCode::OK
    );
    let _ = reqwest::get(app.url("/api/v1/me")).await.unwrap();
    let metrics = reqwest::get(app.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(
            "coach_http_requests_total{method=\"GET\",route=\"/api/v1/me\",status=\"401\"} 1"
        ),
        "{metrics}"
    );
    assert!(metrics.contains("coach_http_request_duration_seconds_bucket"));
    assert!(metrics.contains("coach_db_pool_connections"));
}

#[tokio::test]
async fn readiness_fails_when_the_database_is_gone() {
    let app = TestApp::spawn().await;
    app.store.close().await;
    let r = reqwest::get(app.url("/readyz")).await.unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        reqwest::get(app.url("/healthz")).await.unwrap().status(),
        StatusCode::OK
    );
}
