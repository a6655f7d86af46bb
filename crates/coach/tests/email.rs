//! Reliability T15 with the real binary: `kill -9` of `coach serve` in the
//! middle of a sending run loses no message and sends none more than once
//! again.
//! The mail server is a real SMTP server on 127.0.0.1 (Python's `aiosmtpd`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{Duration, Utc};
use coach_core::coaching::SessionKind;
use coach_core::{Role, Roles};
use coach_store::coaching::NewSession;
use coach_store::testing::fresh_database;
use coach_store::{NewUser, Store};
use std::collections::BTreeMap;
use std::io::BufRead as _;
use std::process::{Child, Command, Stdio};

fn python() -> String {
    std::env::var("COACH_TEST_PYTHON")
        .unwrap_or_else(|_| format!("{}/../../.venv/bin/python", env!("CARGO_MANIFEST_DIR")))
}

struct Stop(Child);

impl Drop for Stop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(db_url: &str, smtp: &str, dir: &std::path::Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_coach"))
        .current_dir(dir)
        .env("COACH_LOG", "warn")
        .env("COACH_EMAIL_TICK_MS", "100")
        .env("COACH_EMAIL_LEASE_SECS", "3")
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--database-url",
            db_url,
            "--smtp-url",
            smtp,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

/// Message-ID → how many times it arrived.
fn arrived(dir: &std::path::Path) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let m: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let id = m["headers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h[0].as_str().unwrap().eq_ignore_ascii_case("Message-ID"))
            .map(|h| h[1].as_str().unwrap().to_owned())
            .unwrap();
        *out.entry(id).or_default() += 1;
    }
    out
}

#[tokio::test]
async fn a_killed_sender_loses_no_message_and_sends_at_most_one_again() {
    let db = fresh_database().await;
    let work = tempfile::tempdir().unwrap();
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    let org = store
        .create_org("mail", "Mail Test", "Europe/Berlin")
        .await
        .unwrap();
    let person = |email: &str, role: Role, manager: Option<String>| NewUser {
        email: email.to_owned(),
        name: email.split('@').next().unwrap().to_owned(),
        roles: Roles::new([role]),
        manager_id: manager,
        time_zone: None,
        password_hash: None,
        crm_id: None,
        id: None,
    };
    let manager = store
        .create_user(&org.id, person("manager@mail.test", Role::Manager, None))
        .await
        .unwrap();
    let seller = store
        .create_user(
            &org.id,
            person("seller@mail.test", Role::Seller, Some(manager.id.clone())),
        )
        .await
        .unwrap();
    // 100 sessions booked: 200 invitations in the outbox.
    for n in 0..100 {
        store
            .create_coaching_session(
                &org.id,
                NewSession {
                    kind: SessionKind::Account,
                    manager_id: manager.id.clone(),
                    seller_id: seller.id.clone(),
                    starts_at: Utc::now() + Duration::days(3) + Duration::hours(n),
                    minutes: Some(60),
                    ad_hoc: false,
                    series_id: None,
                    desired_outcome: None,
                },
                &manager.id,
            )
            .await
            .unwrap();
    }
    let total = 200;
    assert_eq!(
        store
            .outbox_counts(&org.id, Utc::now() - Duration::days(1))
            .await
            .unwrap()
            .waiting,
        total
    );
    // A sink that takes 20 ms a message, so the kill lands mid-run.
    let sink_dir = tempfile::tempdir().unwrap();
    let mut sink = Command::new(python())
        .arg(format!(
            "{}/../coach-web/tests/support/smtp_sink.py",
            env!("CARGO_MANIFEST_DIR")
        ))
        .arg("--dir")
        .arg(sink_dir.path())
        .args(["--delay", "0.02"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "the SMTP sink needs Python with aiosmtpd ({}): {e}",
                python()
            )
        });
    let mut line = String::new();
    std::io::BufReader::new(sink.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("the SMTP sink did not start: {line:?}"));
    let _sink = Stop(sink);
    let smtp = format!("smtp://127.0.0.1:{port}");
    let mut kills = 0;
    for round in 0..3 {
        let mut child = serve(&db.url, &smtp, work.path());
        let target = 40 * (round + 1);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while arrived(sink_dir.path()).values().sum::<usize>() < target {
            assert!(std::time::Instant::now() < deadline, "sending stalled");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        kills += 1;
    }
    // A last server finishes the run.
    let _last = Stop(serve(&db.url, &smtp, work.path()));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    loop {
        let counts = store
            .outbox_counts(&org.id, Utc::now() - Duration::days(1))
            .await
            .unwrap();
        if counts.waiting == 0 {
            assert_eq!(counts.sent, total);
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not all sent: {counts:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let got = arrived(sink_dir.path());
    assert_eq!(
        got.len(),
        usize::try_from(total).unwrap(),
        "every message arrived"
    );
    let again: usize = got.values().map(|n| n - 1).sum();
    assert!(
        got.values().all(|n| *n <= 2),
        "no message more than once again: {got:?}"
    );
    // Only the messages in flight at a kill (a claim of at most ten) can go
    // twice.
    assert!(
        again <= kills * 10,
        "at most those in flight again: {again} after {kills} kills"
    );
    println!(
        "T15: {kills} kills of `coach serve` while sending {total} messages; all {total} arrived, {again} sent once more, none twice more"
    );
}

#[tokio::test]
async fn email_runs_once_from_the_command_line() {
    let db = fresh_database().await;
    let work = tempfile::tempdir().unwrap();
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    store
        .create_org("mail", "Mail Test", "Europe/Berlin")
        .await
        .unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_coach"))
            .current_dir(work.path())
            .env("COACH_LOG", "warn")
            .env_remove("COACH_SMTP_URL")
            .args(["--database-url", &db.url])
            .args(args)
            .output()
            .unwrap()
    };
    let o = run(&["email", "send"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("email is off: give --smtp-url"));
    let o = run(&["email", "schedule", "--org", "nope"]);
    assert_eq!(o.status.code(), Some(1));
    let o = run(&["email", "schedule", "--org", "mail", "--at", "next monday"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("expected a time like"));
    let o = run(&[
        "email",
        "schedule",
        "--org",
        "mail",
        "--at",
        "2026-12-07T09:05:00+01:00",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "queued 0 messages\n");
}
