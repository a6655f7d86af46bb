//! Reliability T17: every refusal is logged once, with who and what; no
//! password, cookie or token reaches the log.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{PASSWORD, TestApp, seed};
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test]
async fn a_refusal_is_logged_once_with_who_and_what_and_no_secret_is_logged() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::DEBUG)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let seller = app.sign_in(f.email("seller1")).await;
    let (token, _) = app
        .store
        .create_token(&f.org_a, f.id("seller1"), "t")
        .await
        .unwrap();
    let target = f.id("seller3");
    let r = seller.get(&app, &format!("/people/{target}")).await;
    assert_eq!(r.status(), 404);
    let r = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/users/{target}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let _ = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth("coach_not-a-real-token")
        .send()
        .await
        .unwrap();

    let log = capture.text();
    let denials: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("client error") && l.contains(target))
        .collect();
    assert_eq!(denials.len(), 2, "one line per refusal:\n{log}");
    for line in &denials {
        assert!(line.contains(f.id("seller1")), "who: {line}");
        assert!(line.contains("denied=\"view person\""), "what: {line}");
    }
    assert!(
        log.lines()
            .any(|l| l.contains("client error") && l.contains("unknown or revoked API token")),
        "{log}"
    );
    for secret in [
        PASSWORD,
        token.as_str(),
        "coach_not-a-real-token",
        seller.csrf.as_str(),
    ] {
        assert!(!log.contains(secret), "a secret reached the log");
    }
    assert!(!log.contains("coach_session="), "no cookie in the log");
}
