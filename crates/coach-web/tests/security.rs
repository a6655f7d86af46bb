//! CSRF on every state-changing route (reliability T10), security headers on
//! every response (T11), hostile text rendered inert (T16), and errors that
//! are proper pages or JSON objects, never a 500 for a client's mistake.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Fixture, TestApp, seed};
use reqwest::StatusCode;

/// A concrete path for a route template, with ids from the fixture.
fn concrete(path: &str, f: &Fixture, token_id: &str) -> String {
    let id = if path.contains("/tokens/") {
        token_id
    } else if path.contains("/teams/") {
        f.id("manager1")
    } else {
        f.id("victim")
    };
    path.replace("{id}", id)
}

#[tokio::test]
async fn every_state_changing_route_refuses_a_forged_request_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let admin = app.sign_in(f.email("admin")).await;
    let (_, token) = app
        .store
        .create_token(&f.org_a, f.id("admin"), "kept")
        .await
        .unwrap();
    let routes: Vec<(String, String)> = coach_web::route_list()
        .into_iter()
        // An unsubscribe link is its own credential (a secret for one person
        // and one kind, posted by mail programs from anywhere, RFC 8058);
        // no cookie gives it power. T1 checks it with every actor.
        .filter(|(m, p)| m != "GET" && !p.starts_with("/email/unsubscribe/"))
        .collect();
    assert!(routes.len() >= 10, "{routes:?}");
    let mut checked = 0;
    for (method, template) in &routes {
        let path = concrete(template, &f, &token.id);
        let url = app.url(&path);
        let method: reqwest::Method = method.parse().unwrap();
        let is_api = path.starts_with("/api/");
        let attempts: Vec<(&str, reqwest::RequestBuilder)> = if is_api {
            vec![
                (
                    "no header",
                    admin
                        .client
                        .request(method.clone(), &url)
                        .json(&serde_json::json!({})),
                ),
                (
                    "wrong header",
                    admin
                        .client
                        .request(method.clone(), &url)
                        .header("x-csrf-token", "forged")
                        .json(&serde_json::json!({})),
                ),
            ]
        } else {
            vec![
                (
                    "no token",
                    admin
                        .client
                        .request(method.clone(), &url)
                        .form(&[("name", "Forged")]),
                ),
                (
                    "wrong token",
                    admin
                        .client
                        .request(method.clone(), &url)
                        .form(&[("name", "Forged"), ("_csrf", "forged")]),
                ),
                (
                    "foreign origin",
                    admin
                        .client
                        .request(method.clone(), &url)
                        .header("origin", "https://evil.example")
                        .form(&[("name", "Forged"), ("_csrf", admin.csrf.as_str())]),
                ),
            ]
        };
        for (what, request) in attempts {
            let r = request.send().await.unwrap();
            assert_eq!(
                r.status(),
                StatusCode::FORBIDDEN,
                "{method} {path} with {what}"
            );
            checked += 1;
        }
    }
    println!(
        "T10: {checked} forged requests over {} state-changing routes, all refused",
        routes.len()
    );
    let victim = app.store.user(&f.org_a, f.id("victim")).await.unwrap();
    assert!(
        victim.active && victim.name.starts_with("victim"),
        "nothing changed: {victim:?}"
    );
    assert!(app.store.token_owner("coach_x").await.unwrap().is_none());
    assert!(
        app.store
            .tokens_of(&f.org_a, f.id("admin"))
            .await
            .unwrap()
            .iter()
            .all(|t| t.revoked_at.is_none())
    );
}

#[tokio::test]
async fn api_calls_with_a_bearer_token_need_no_csrf_token_but_cookie_calls_do() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let (secret, _) = app
        .store
        .create_token(&f.org_a, f.id("admin"), "script")
        .await
        .unwrap();
    let path = app.url(&format!("/api/v1/users/{}", f.id("victim")));
    let api = reqwest::Client::new();
    let r = api
        .patch(&path)
        .bearer_auth(&secret)
        .json(&serde_json::json!({"name": "Renamed By Token"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let admin = app.sign_in(f.email("admin")).await;
    let r = admin
        .client
        .patch(&path)
        .header("x-csrf-token", &admin.csrf)
        .json(&serde_json::json!({"name": "Renamed In Browser"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        app.store.user(&f.org_a, f.id("victim")).await.unwrap().name,
        "Renamed In Browser"
    );
}

#[tokio::test]
async fn every_page_and_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let admin = app.sign_in(f.email("admin")).await;
    let (_, token) = app
        .store
        .create_token(&f.org_a, f.id("admin"), "kept")
        .await
        .unwrap();
    let mut paths: Vec<String> = coach_web::route_list()
        .into_iter()
        .filter(|(m, _)| m == "GET")
        .map(|(_, p)| concrete(&p, &f, &token.id))
        .collect();
    paths.extend([
        "/no/such/page".to_owned(),
        "/api/v1/nothing".to_owned(),
        format!("/people/{}", f.id("seller_b")),
    ]);
    for path in &paths {
        for client in [&admin.client, &app.browser()] {
            let r = client.get(app.url(path)).send().await.unwrap();
            let h = r.headers();
            let csp = h
                .get("content-security-policy")
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default();
            assert!(
                csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
                "{path}: CSP {csp:?}"
            );
            assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
            assert_eq!(h["referrer-policy"], "same-origin", "{path}");
            assert_eq!(h["x-frame-options"], "DENY", "{path}");
        }
    }
    println!(
        "T11: {} paths × 2 callers carry CSP, nosniff, Referrer-Policy and frame protection",
        paths.len()
    );
}

#[tokio::test]
async fn hostile_text_in_names_is_rendered_inert() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let bidi = coach_store::UserPatch {
        name: Some("Ana \u{202e}zepoL".to_owned()),
        ..Default::default()
    };
    assert!(
        app.store
            .update_user(&f.org_a, f.id("seller1"), bidi, None)
            .await
            .is_err(),
        "text-direction overrides are refused"
    );
    let hostile = "<script>alert(1)</script> <img src=x onerror=alert(2)> javascript:alert(3)";
    let patch = coach_store::UserPatch {
        name: Some(hostile.to_owned()),
        ..Default::default()
    };
    app.store
        .update_user(&f.org_a, f.id("seller1"), patch, None)
        .await
        .unwrap();
    let admin = app.sign_in(f.email("admin")).await;
    for path in [
        "/people".to_owned(),
        format!("/people/{}", f.id("seller1")),
        format!("/people/{}/edit", f.id("seller1")),
        "/teams".to_owned(),
    ] {
        let page = admin.get(&app, &path).await.text().await.unwrap();
        assert!(!page.contains("<script>alert"), "{path}");
        assert!(!page.contains("<img src=x"), "{path}");
        assert!(
            page.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
            "{path} shows the text, escaped"
        );
        assert!(!page.contains("href=\"javascript:"), "{path}");
    }
}

#[tokio::test]
async fn an_unknown_page_is_a_proper_not_found_page() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let s = app.sign_in(f.email("seller1")).await;
    let r = s.get(&app, "/no/such/page").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let body = r.text().await.unwrap();
    assert!(body.contains("Page not found") && body.contains("Back to Coach"));
}

#[tokio::test]
async fn a_person_of_another_organization_is_not_found_never_forbidden() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let admin = app.sign_in(f.email("admin")).await;
    for path in [
        format!("/people/{}", f.id("seller_b")),
        format!("/people/{}/edit", f.id("admin_b")),
        format!("/api/v1/users/{}", f.id("seller_b")),
    ] {
        let r = admin.get(&app, &path).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(
            !r.text()
                .await
                .unwrap()
                .contains(&f.people["seller_b"].canary)
        );
    }
    let r = admin
        .post_form(
            &app,
            &format!("/people/{}/deactivate", f.id("seller_b")),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(
        app.store
            .user(&f.org_b, f.id("seller_b"))
            .await
            .unwrap()
            .active
    );
}

#[tokio::test]
async fn client_mistakes_on_the_api_get_a_json_error_and_never_a_500() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let (secret, _) = app
        .store
        .create_token(&f.org_a, f.id("admin"), "script")
        .await
        .unwrap();
    let api = reqwest::Client::new();
    let user = app.url(&format!("/api/v1/users/{}", f.id("victim")));
    let cases: Vec<(&str, reqwest::RequestBuilder, StatusCode, &str)> = vec![
        (
            "malformed JSON",
            api.patch(&user)
                .bearer_auth(&secret)
                .header("content-type", "application/json")
                .body("{not json"),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            "unknown field",
            api.patch(&user)
                .bearer_auth(&secret)
                .json(&serde_json::json!({"nmae": "x"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
        ),
        (
            "wrong type",
            api.patch(&user)
                .bearer_auth(&secret)
                .json(&serde_json::json!({"active": "yes"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
        ),
        (
            "no content type",
            api.patch(&user).bearer_auth(&secret).body("{}"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            "bad role",
            api.patch(&user)
                .bearer_auth(&secret)
                .json(&serde_json::json!({"roles": ["owner"]})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
        ),
        (
            "bad time zone",
            api.patch(&user)
                .bearer_auth(&secret)
                .json(&serde_json::json!({"time_zone": "Mars/Base"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
        ),
        (
            "bad cursor",
            api.get(app.url("/api/v1/users?cursor=%%%"))
                .bearer_auth(&secret),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
        ),
        (
            "garbage cursor",
            api.get(app.url("/api/v1/users?cursor=bm9wZQ"))
                .bearer_auth(&secret),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
        ),
        (
            "limit too big",
            api.get(app.url("/api/v1/users?limit=5000"))
                .bearer_auth(&secret),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
        ),
        (
            "unknown parameter",
            api.get(app.url("/api/v1/users?colour=red"))
                .bearer_auth(&secret),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            "unknown id",
            api.get(app.url("/api/v1/users/0193-nope"))
                .bearer_auth(&secret),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            "wrong method",
            api.delete(app.url("/api/v1/me")).bearer_auth(&secret),
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
        (
            "no credentials",
            api.get(app.url("/api/v1/me")),
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
        ),
        (
            "bad token",
            api.get(app.url("/api/v1/me")).bearer_auth("coach_nope"),
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
        ),
        (
            "huge body",
            api.patch(&user)
                .bearer_auth(&secret)
                .header("content-type", "application/json")
                .body(vec![b' '; 3 * 1024 * 1024]),
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
        ),
        (
            "loop in lines",
            api.patch(app.url(&format!("/api/v1/users/{}", f.id("director1"))))
                .bearer_auth(&secret)
                .json(&serde_json::json!({"manager_id": f.id("seller1")})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
        ),
    ];
    for (what, request, status, code) in cases {
        let r = request.send().await.unwrap();
        assert_eq!(r.status(), status, "{what}");
        let body: serde_json::Value = r
            .json()
            .await
            .unwrap_or_else(|e| panic!("{what}: not JSON: {e}"));
        assert_eq!(body["error"]["code"], code, "{what}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{what}: {body}"
        );
    }
    let victim = app.store.user(&f.org_a, f.id("victim")).await.unwrap();
    assert!(
        victim.name.starts_with("victim") && victim.active && victim.version == 1,
        "nothing changed: {victim:?}"
    );
}
