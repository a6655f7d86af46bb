//! Signing in and out, sessions (reliability T9) and login throttling (T8).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{PASSWORD, TestApp, pre_session_token, seed};
use reqwest::StatusCode;
use reqwest::header::{LOCATION, RETRY_AFTER, SET_COOKIE};

fn session_cookie(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("coach_session="))
        .map(str::to_owned)
}

async fn post_login(
    app: &TestApp,
    client: &reqwest::Client,
    email: &str,
    password: &str,
    extra: &[(&str, &str)],
) -> reqwest::Response {
    let token = pre_session_token(client, app).await;
    let mut form = vec![
        ("email", email),
        ("password", password),
        ("_csrf", token.as_str()),
    ];
    form.extend_from_slice(extra);
    let mut req = client.post(app.url("/login")).form(&form);
    for (k, v) in extra.iter().filter(|(k, _)| k.starts_with("x-")) {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn signing_in_sets_a_session_cookie_with_httponly_and_samesite() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let client = app.browser();
    let r = post_login(&app, &client, f.email("seller1"), PASSWORD, &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], "/");
    let cookie = session_cookie(&r).expect("a session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain http must not set Secure: {cookie}"
    );
    let home = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK);
    assert!(
        home.text()
            .await
            .unwrap()
            .contains(&f.people["seller1"].canary)
    );
}

#[tokio::test]
async fn cookies_are_secure_when_coach_is_served_over_https() {
    let app = TestApp::spawn_with(|c| c.base_url = "https://coach.example".to_owned()).await;
    let f = seed(&app).await;
    let client = app.browser();
    let r = post_login(&app, &client, f.email("seller1"), PASSWORD, &[]).await;
    let cookie = session_cookie(&r).expect("a session cookie");
    assert!(cookie.contains("; Secure"), "{cookie}");
}

#[tokio::test]
async fn a_wrong_password_an_unknown_email_and_a_deactivated_account_get_the_same_answer() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let patch = coach_store::UserPatch {
        active: Some(false),
        ..Default::default()
    };
    app.store
        .update_user(&f.org_a, f.id("departed"), patch, None)
        .await
        .unwrap();
    let mut answers = Vec::new();
    for (email, password) in [
        (f.email("seller1"), "wrong-password"),
        ("nobody@a.test", PASSWORD),
        (f.email("departed"), PASSWORD),
    ] {
        let client = app.browser();
        let r = post_login(&app, &client, email, password, &[]).await;
        assert!(session_cookie(&r).is_none());
        let status = r.status();
        let body = r.text().await.unwrap();
        let message = body
            .split("role=\"alert\">")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .unwrap_or("")
            .to_owned();
        answers.push((status, message));
    }
    assert_eq!(answers[0].0, StatusCode::UNAUTHORIZED);
    assert!(answers[0].1.contains("do not match"), "{:?}", answers[0]);
    assert!(answers.iter().all(|a| *a == answers[0]), "{answers:?}");
}

#[tokio::test]
async fn signing_in_replaces_any_session_id_the_browser_already_had() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let first = app.sign_in(f.email("seller1")).await;
    let (old_cookie, _) = app
        .store
        .create_session(&f.org_a, f.id("seller1"))
        .await
        .unwrap();
    let client = app.browser();
    let token = pre_session_token(&client, &app).await;
    let r = client
        .post(app.url("/login"))
        .header(
            "cookie",
            format!("coach_session={old_cookie}; coach_csrf={token}"),
        )
        .form(&[
            ("email", f.email("seller1")),
            ("password", PASSWORD),
            ("_csrf", token.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let new_cookie = session_cookie(&r).unwrap();
    assert!(!new_cookie.contains(&old_cookie), "a new id at sign-in");
    assert!(
        app.store.session(&old_cookie).await.unwrap().is_none(),
        "the old id is dead"
    );
    assert_eq!(
        first.get(&app, "/").await.status(),
        StatusCode::OK,
        "other browsers stay signed in"
    );
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let s = app.sign_in(f.email("manager1")).await;
    let r = s.post_form(&app, "/logout", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        r.headers()
            .get_all(SET_COOKIE)
            .iter()
            .any(|c| c.to_str().unwrap().contains("Max-Age=0"))
    );
    let after = s.get(&app, "/").await;
    assert_eq!(after.status(), StatusCode::SEE_OTHER);
    assert!(
        after.headers()[LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/login")
    );
}

#[tokio::test]
async fn a_replayed_cookie_after_sign_out_is_refused() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let (cookie, _) = app
        .store
        .create_session(&f.org_a, f.id("seller2"))
        .await
        .unwrap();
    let plain = app.browser();
    let ok = plain
        .get(app.url("/api/v1/me"))
        .header("cookie", format!("coach_session={cookie}"))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    app.store.end_session(&cookie).await.unwrap();
    let replay = plain
        .get(app.url("/api/v1/me"))
        .header("cookie", format!("coach_session={cookie}"))
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn changing_the_password_ends_every_other_session_and_keeps_this_one() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let here = app.sign_in(f.email("seller1")).await;
    let elsewhere = app.sign_in(f.email("seller1")).await;
    let r = here
        .post_form(
            &app,
            "/profile/password",
            &[
                ("current", PASSWORD),
                ("new_password", "a-new-password-1"),
                ("confirm", "a-new-password-1"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        here.get(&app, "/").await.status(),
        StatusCode::OK,
        "this browser stays signed in"
    );
    assert_eq!(
        elsewhere.get(&app, "/").await.status(),
        StatusCode::SEE_OTHER,
        "the other browser is signed out"
    );
    assert!(
        app.sign_in_with(f.email("seller1"), PASSWORD)
            .await
            .is_err()
    );
    assert!(
        app.sign_in_with(f.email("seller1"), "a-new-password-1")
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_password_change_with_a_wrong_current_password_changes_nothing() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let s = app.sign_in(f.email("seller1")).await;
    let r = s
        .post_form(
            &app,
            "/profile/password",
            &[
                ("current", "not-it-at-all"),
                ("new_password", "another-pass-2"),
                ("confirm", "another-pass-3"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("That is not your current password."));
    assert!(page.contains("The two new passwords differ."));
    assert!(app.sign_in_with(f.email("seller1"), PASSWORD).await.is_ok());
}

#[tokio::test]
async fn deactivating_a_person_ends_their_sessions_and_stops_their_tokens() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let seller = app.sign_in(f.email("seller2")).await;
    let (token, _) = app
        .store
        .create_token(&f.org_a, f.id("seller2"), "script")
        .await
        .unwrap();
    let api = reqwest::Client::new();
    let me = api
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let admin = app.sign_in(f.email("admin")).await;
    let r = admin
        .post_form(
            &app,
            &format!("/people/{}/deactivate", f.id("seller2")),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(seller.get(&app, "/").await.status(), StatusCode::SEE_OTHER);
    let me = api
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    assert!(
        app.sign_in_with(f.email("seller2"), PASSWORD)
            .await
            .is_err()
    );
    let person = admin
        .get(&app, &format!("/people/{}", f.id("seller2")))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        person.contains("Deactivated"),
        "their record stays, marked deactivated"
    );
}

#[tokio::test]
async fn after_ten_attempts_an_account_is_throttled_with_retry_after() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let mut statuses = Vec::new();
    for i in 0..11 {
        let client = app.browser();
        let spoof = format!("203.0.113.{i}");
        let r = post_login(
            &app,
            &client,
            f.email("seller3"),
            "wrong-password",
            &[("x-forwarded-for", spoof.as_str())],
        )
        .await;
        statuses.push(r.status());
        if i == 10 {
            let retry: u64 = r.headers()[RETRY_AFTER].to_str().unwrap().parse().unwrap();
            assert!((1..=60).contains(&retry), "Retry-After {retry}");
        }
    }
    assert!(
        statuses[..10]
            .iter()
            .all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    assert_eq!(
        statuses[10],
        StatusCode::TOO_MANY_REQUESTS,
        "a spoofed X-Forwarded-For does not reset the count"
    );
    let client = app.browser();
    let right = post_login(&app, &client, f.email("seller3"), PASSWORD, &[]).await;
    assert_eq!(
        right.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password is not checked while throttled"
    );
}

#[tokio::test]
async fn after_ten_attempts_from_one_address_every_account_is_throttled_there() {
    let app = TestApp::spawn().await;
    let _f = seed(&app).await;
    for i in 0..10 {
        let client = app.browser();
        let r = post_login(
            &app,
            &client,
            &format!("guess{i}@a.test"),
            "whatever-pass",
            &[],
        )
        .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let client = app.browser();
    let r = post_login(&app, &client, "guess-next@a.test", "whatever-pass", &[]).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key(RETRY_AFTER));
    assert!(r.text().await.unwrap().contains("Too many attempts"));
}

#[tokio::test]
async fn after_sign_in_only_local_next_paths_are_followed() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    for (next, expected) in [
        ("/people?role=seller", "/people?role=seller"),
        ("//evil.example/x", "/"),
        ("https://evil.example", "/"),
    ] {
        let client = app.browser();
        let r = post_login(&app, &client, f.email("admin"), PASSWORD, &[("next", next)]).await;
        assert_eq!(r.headers()[LOCATION], expected);
    }
}

#[tokio::test]
async fn a_page_asked_for_while_signed_out_comes_back_after_sign_in() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let r = client
        .get(app.url("/people?role=seller"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()[LOCATION],
        "/login?next=%2Fpeople%3Frole%3Dseller"
    );
    let form = client
        .get(app.url("/login?next=%2Fpeople%3Frole%3Dseller"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(form.contains("name=\"next\" value=\"/people?role=seller\""));
}
