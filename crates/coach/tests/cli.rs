//! The real `coach` binary in a temporary directory: help, exit codes,
//! configuration layers, organizations, people, passwords, tokens, the demo,
//! and two server processes sharing one database.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use coach_store::testing::{TestDatabase, fresh_database};
use reqwest::StatusCode;
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

fn coach(dir: &Path, db: &TestDatabase, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_coach"));
    cmd.current_dir(dir)
        .env_remove("COACH_DATABASE_URL")
        .env("COACH_LOG", "warn")
        .arg("--database-url")
        .arg(&db.url)
        .args(args);
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "command failed: {}", text(o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A `coach serve` process, stopped when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(dir: &Path, db: &TestDatabase) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_coach"))
        .current_dir(dir)
        .env("COACH_LOG", "warn")
        .args(["serve", "--bind", "127.0.0.1:0", "--database-url", &db.url])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines
        .next()
        .expect("the server prints where it listens")
        .unwrap();
    let addr = line
        .split("listening on ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .unwrap_or_else(|| panic!("{line}"))
        .to_owned();
    std::thread::spawn(move || for _ in lines {});
    Server { child, base: addr }
}

async fn sign_in(client: &reqwest::Client, base: &str, email: &str, password: &str) -> StatusCode {
    let page = client
        .get(format!("{base}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let marker = "name=\"_csrf\" value=\"";
    let start = page.find(marker).unwrap() + marker.len();
    let csrf = &page[start..start + page[start..].find('"').unwrap()];
    let r = client
        .post(format!("{base}/login"))
        .form(&[("email", email), ("password", password), ("_csrf", csrf)])
        .send()
        .await
        .unwrap();
    r.status()
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn org_with_admin(dir: &Path, db: &TestDatabase) {
    ok(&coach(
        dir,
        db,
        &[
            "org",
            "create",
            "--slug",
            "acme",
            "--name",
            "Acme Sales",
            "--time-zone",
            "Europe/Paris",
            "--admin-email",
            "ops@acme.test",
            "--admin-name",
            "Olga Ops",
            "--password-stdin",
        ],
        Some("ops-password-1\n"),
    ));
}

#[test]
fn help_explains_every_command_and_bad_usage_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_coach"))
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap()
    };
    let help = run(&["--help"]);
    assert!(help.status.success());
    let help = String::from_utf8_lossy(&help.stdout).into_owned();
    for command in ["serve", "demo", "migrate", "org", "user", "token"] {
        assert!(help.contains(command), "{command} in --help");
    }
    for args in [
        vec!["serve", "--help"],
        vec!["demo", "--help"],
        vec!["migrate", "--help"],
        vec!["org", "create", "--help"],
        vec!["user", "add", "--help"],
        vec!["user", "list", "--help"],
        vec!["user", "set-password", "--help"],
        vec!["token", "create", "--help"],
        vec!["token", "revoke", "--help"],
        vec!["token", "list", "--help"],
    ] {
        let o = run(&args);
        assert!(o.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("Usage: coach"),
            "{args:?}"
        );
    }
    assert_eq!(run(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(run(&["user", "add", "--org", "x"]).status.code(), Some(2));
}

#[tokio::test]
async fn migrate_brings_the_schema_up_to_date_and_a_second_run_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_database().await;
    let first = ok(&coach(dir.path(), &db, &["migrate"], None));
    assert!(
        first.contains("migrations applied") && !first.contains("(0 migrations"),
        "{first}"
    );
    assert!(ok(&coach(dir.path(), &db, &["migrate"], None)).contains("0 migrations applied"));
}

#[tokio::test]
async fn the_embedded_default_needs_no_configuration_and_honours_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_coach"))
        .current_dir(dir.path())
        .env_remove("COACH_DATABASE_URL")
        .env_remove("COACH_DATA_DIR")
        .arg("migrate")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert!(dir.path().join("coach-data/coach.db").exists());
    let o = Command::new(env!("CARGO_BIN_EXE_coach"))
        .current_dir(dir.path())
        .env_remove("COACH_DATABASE_URL")
        .env("COACH_DATA_DIR", "elsewhere")
        .arg("migrate")
        .output()
        .unwrap();
    assert!(o.status.success());
    assert!(dir.path().join("elsewhere/coach.db").exists());
    std::fs::write(dir.path().join("coach.toml"), "data_dir = \"from-file\"\n").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_coach"))
        .current_dir(dir.path())
        .env_remove("COACH_DATABASE_URL")
        .env_remove("COACH_DATA_DIR")
        .args(["--config", "coach.toml", "migrate"])
        .output()
        .unwrap();
    assert!(o.status.success());
    assert!(dir.path().join("from-file/coach.db").exists());
    let o = Command::new(env!("CARGO_BIN_EXE_coach"))
        .current_dir(dir.path())
        .args(["--database-url", "mysql://nope", "migrate"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("sqlite:// or postgres://"));
}

#[tokio::test]
async fn organizations_people_and_passwords_are_managed_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_database().await;
    org_with_admin(dir.path(), &db).await;
    let dup = coach(
        dir.path(),
        &db,
        &[
            "org",
            "create",
            "--slug",
            "acme",
            "--name",
            "Again",
            "--admin-email",
            "x@acme.test",
            "--admin-name",
            "X",
            "--password-stdin",
        ],
        Some("ops-password-1\n"),
    );
    assert_eq!(dup.status.code(), Some(1));
    assert!(text(&dup).contains("already exists"));
    ok(&coach(
        dir.path(),
        &db,
        &[
            "user",
            "add",
            "--org",
            "acme",
            "--email",
            "mia@acme.test",
            "--name",
            "Mia Manager",
            "--role",
            "manager",
        ],
        None,
    ));
    let out = ok(&coach(
        dir.path(),
        &db,
        &[
            "user",
            "add",
            "--org",
            "acme",
            "--email",
            "sid@acme.test",
            "--name",
            "Sid Seller",
            "--role",
            "seller",
            "--manager",
            "mia@acme.test",
            "--password-stdin",
        ],
        Some("sid-password-1\n"),
    ));
    assert!(out.contains("Added Sid Seller"));
    let bad = coach(
        dir.path(),
        &db,
        &[
            "user",
            "add",
            "--org",
            "acme",
            "--email",
            "x@acme.test",
            "--name",
            "X",
            "--role",
            "owner",
        ],
        None,
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad).contains("unknown role"));
    let nobody = coach(dir.path(), &db, &["user", "list", "--org", "nope"], None);
    assert_eq!(nobody.status.code(), Some(1));
    assert!(text(&nobody).contains("no organization with slug \"nope\""));
    let list: serde_json::Value = serde_json::from_str(&ok(&coach(
        dir.path(),
        &db,
        &["user", "list", "--org", "acme", "--json"],
        None,
    )))
    .unwrap();
    let sid = list
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "sid@acme.test")
        .unwrap();
    assert_eq!(sid["manager"], "mia@acme.test");
    assert_eq!(sid["time_zone"], "Europe/Paris");
    let short = coach(
        dir.path(),
        &db,
        &[
            "user",
            "set-password",
            "--org",
            "acme",
            "--email",
            "sid@acme.test",
            "--password-stdin",
        ],
        Some("short\n"),
    );
    assert_eq!(short.status.code(), Some(1));
    assert!(text(&short).contains("at least 8 characters"));
    let no_tty = coach(
        dir.path(),
        &db,
        &[
            "user",
            "set-password",
            "--org",
            "acme",
            "--email",
            "sid@acme.test",
        ],
        None,
    );
    assert_eq!(no_tty.status.code(), Some(1));
    assert!(text(&no_tty).contains("--password-stdin"));

    let server = serve(dir.path(), &db);
    let before = browser();
    assert_eq!(
        sign_in(&before, &server.base, "sid@acme.test", "sid-password-1").await,
        StatusCode::SEE_OTHER
    );
    ok(&coach(
        dir.path(),
        &db,
        &[
            "user",
            "set-password",
            "--org",
            "acme",
            "--email",
            "sid@acme.test",
            "--password-stdin",
        ],
        Some("reset-by-admin-2\n"),
    ));
    let after = before
        .get(format!("{}/", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        after.status(),
        StatusCode::SEE_OTHER,
        "a reset ends the person's sessions"
    );
    assert_eq!(
        sign_in(&browser(), &server.base, "sid@acme.test", "sid-password-1").await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sign_in(
            &browser(),
            &server.base,
            "sid@acme.test",
            "reset-by-admin-2"
        )
        .await,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_token_made_on_the_command_line_works_until_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_database().await;
    org_with_admin(dir.path(), &db).await;
    let created = coach(
        dir.path(),
        &db,
        &[
            "token",
            "create",
            "--org",
            "acme",
            "--email",
            "ops@acme.test",
            "--name",
            "nightly sync",
        ],
        None,
    );
    let token = ok(&created).trim().to_owned();
    assert!(
        token.starts_with("coach_"),
        "only the token on stdout: {token}"
    );
    let id = String::from_utf8_lossy(&created.stderr)
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_owned();
    let listed = ok(&coach(
        dir.path(),
        &db,
        &["token", "list", "--org", "acme", "--email", "ops@acme.test"],
        None,
    ));
    assert!(listed.contains("nightly sync") && listed.contains(&id) && !listed.contains(&token));
    let server = serve(dir.path(), &db);
    let api = reqwest::Client::new();
    let me = api
        .get(format!("{}/api/v1/me", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    ok(&coach(
        dir.path(),
        &db,
        &[
            "token",
            "revoke",
            "--org",
            "acme",
            "--email",
            "ops@acme.test",
            "--id",
            &id,
        ],
        None,
    ));
    let me = api
        .get(format!("{}/api/v1/me", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    let again = coach(
        dir.path(),
        &db,
        &[
            "token",
            "revoke",
            "--org",
            "acme",
            "--email",
            "ops@acme.test",
            "--id",
            &id,
        ],
        None,
    );
    assert_eq!(again.status.code(), Some(1));
}

#[tokio::test]
async fn the_demo_is_created_once_the_same_every_time_and_anew_with_reset() {
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_database().await;
    let first = ok(&coach(dir.path(), &db, &["demo", "--no-serve"], None));
    assert!(
        first.contains("Created the demo organization")
            && first.contains("admin@demo.example")
            && first.contains("coach-demo")
    );
    let people = ok(&coach(
        dir.path(),
        &db,
        &["user", "list", "--org", "demo", "--json"],
        None,
    ));
    let activities = |db: &TestDatabase| {
        ok(&coach(
            dir.path(),
            db,
            &["export", "--org", "demo", "--kind", "activities"],
            None,
        ))
    };
    let first_activities = activities(&db);
    let again = ok(&coach(dir.path(), &db, &["demo", "--no-serve"], None));
    assert!(again.contains("already exists"));
    ok(&coach(
        dir.path(),
        &db,
        &["demo", "--reset", "--no-serve"],
        None,
    ));
    let anew = ok(&coach(
        dir.path(),
        &db,
        &["user", "list", "--org", "demo", "--json"],
        None,
    ));
    let strip = |json: &str| -> Vec<serde_json::Value> {
        let mut v: Vec<serde_json::Value> = serde_json::from_str(json).unwrap();
        for p in &mut v {
            p.as_object_mut().unwrap().remove("id");
        }
        v
    };
    assert_eq!(
        strip(&people),
        strip(&anew),
        "the same people, roles and lines"
    );
    assert_eq!(
        people, anew,
        "and the same ids: the demo comes from a fixed seed"
    );
    assert_eq!(
        first_activities,
        activities(&db),
        "the same half year of activities and scores"
    );
    let rows: Vec<&str> = first_activities.lines().skip(1).collect();
    assert!(
        first_activities.starts_with("\u{feff}day,seller,activity,group,note,crm_record,from_crm"),
        "{}",
        &first_activities[..200.min(first_activities.len())]
    );
    assert!(
        rows.len() > 3000,
        "half a year for 24 sellers: {}",
        rows.len()
    );
    // The levels column (the ninth) is filled for scored activities.
    let scored = rows
        .iter()
        .filter(|r| r.split(',').nth(8).is_some_and(|l| !l.is_empty()))
        .count();
    assert!(scored > 500, "managers scored some: {scored}");
    let per_seller = |n: u32| {
        rows.iter()
            .filter(|r| r.contains(&format!(",seller{n}@demo.example,")))
            .count()
    };
    let counts: Vec<usize> = (1..=24).map(per_seller).collect();
    let (least, most) = (
        counts.iter().min().copied().unwrap_or(0),
        counts.iter().max().copied().unwrap_or(0),
    );
    assert!(
        least > 0 && most > least * 3 / 2,
        "sellers differ: {counts:?}"
    );
    // Half a year of coaching, with three believably different managers,
    // exported without a word of anyone's notes (R38).
    let sessions: Vec<serde_json::Value> = serde_json::from_str(&ok(&coach(
        dir.path(),
        &db,
        &[
            "export", "--org", "demo", "--kind", "sessions", "--format", "json",
        ],
        None,
    )))
    .unwrap();
    let held = |m: &str| {
        sessions
            .iter()
            .filter(|s| s["manager"] == m && s["status"] == "held")
            .count()
    };
    let kept = |m: &str| {
        let mine: Vec<_> = sessions
            .iter()
            .filter(|s| s["manager"] == m && !s["kept_as_scheduled"].is_null())
            .collect();
        mine.iter()
            .filter(|s| s["kept_as_scheduled"] == true)
            .count() as f64
            / mine.len() as f64
    };
    let bare = |m: &str| {
        sessions
            .iter()
            .filter(|s| s["manager"] == m && s["no_next_step"] == true)
            .count()
    };
    let (m1, m3) = ("manager1@demo.example", "manager3@demo.example");
    assert!(held(m1) > 60 && held(m3) > 20, "{} {}", held(m1), held(m3));
    assert!(
        kept(m1) > kept(m3) + 0.3,
        "kept as scheduled: {} vs {}",
        kept(m1),
        kept(m3)
    );
    assert!(
        bare(m3) > bare(m1),
        "sessions with no next step: {} vs {}",
        bare(m3),
        bare(m1)
    );
    assert!(
        sessions
            .iter()
            .any(|s| s["status"] == "scheduled" || s["status"] == "prepared"),
        "the coming sessions"
    );
    let items = ok(&coach(
        dir.path(),
        &db,
        &["export", "--org", "demo", "--kind", "action-items"],
        None,
    ));
    assert!(
        items.starts_with("\u{feff}id,session_id,seller,owner,title"),
        "{}",
        &items[..80.min(items.len())]
    );
    let late = items
        .lines()
        .filter(|l| l.contains(",done,") && l.ends_with(",false"))
        .count();
    assert!(late > 10, "some items done late: {late}");
    assert!(items.contains(",dropped,"), "some dropped");
    let plans: Vec<serde_json::Value> = serde_json::from_str(&ok(&coach(
        dir.path(),
        &db,
        &[
            "export",
            "--org",
            "demo",
            "--kind",
            "call-plans",
            "--format",
            "json",
        ],
        None,
    )))
    .unwrap();
    assert!(
        plans.len() >= 24,
        "call plans for most sellers: {}",
        plans.len()
    );
    assert!(plans.iter().any(|p| p["observed"] == true), "some observed");
    assert!(
        plans.iter().any(|p| p["next_step_won"].is_null()),
        "some still to come"
    );
    // Opportunity plans: most sellers keep some, with evidence missing, open
    // concerns, the CRM ahead of the evidence, and one override (R16, R22–R24).
    let deals: Vec<serde_json::Value> = serde_json::from_str(&ok(&coach(
        dir.path(),
        &db,
        &[
            "export",
            "--org",
            "demo",
            "--kind",
            "opportunity-plans",
            "--format",
            "json",
        ],
        None,
    )))
    .unwrap();
    let owners: std::collections::BTreeSet<_> =
        deals.iter().map(|d| d["owner"].to_string()).collect();
    assert!(
        owners.len() >= 18,
        "plans for most sellers: {}",
        owners.len()
    );
    assert!(
        deals.iter().any(|d| d["missing_to_move_on"] != ""),
        "evidence missing"
    );
    assert!(
        deals.iter().any(|d| d["crm_stage"] != d["stage"]),
        "the CRM ahead of the evidence"
    );
    assert!(
        deals
            .iter()
            .any(|d| d["no_criteria_past_first_stage"] == true),
        "an R22 flag"
    );
    assert_eq!(
        deals
            .iter()
            .filter(|d| !d["negotiation_override"].is_null())
            .count(),
        1,
        "one negotiation started with concerns open"
    );
    let evidence_note = "Onboarding a new hire takes nine weeks";
    assert!(
        !serde_json::to_string(&deals)
            .unwrap()
            .contains(evidence_note),
        "evidence notes stay out of the export"
    );
    // Territories: ten accounts per seller in three tiers, plans of the
    // first manager's sellers weigh engagement, the second's set a tier by hand.
    let territory: Vec<serde_json::Value> = serde_json::from_str(&ok(&coach(
        dir.path(),
        &db,
        &[
            "export",
            "--org",
            "demo",
            "--kind",
            "territories",
            "--format",
            "json",
        ],
        None,
    )))
    .unwrap();
    assert_eq!(territory.len(), 24 * 10);
    let seller1: Vec<_> = territory
        .iter()
        .filter(|r| r["seller"] == "seller1@demo.example")
        .collect();
    let tiers: Vec<_> = ["A", "B", "C"]
        .iter()
        .map(|t| seller1.iter().filter(|r| r["tier"] == *t).count())
        .collect();
    assert_eq!(tiers, [2, 3, 5], "a fifth in A, three tenths in B");
    let by_hand = territory
        .iter()
        .filter(|r| !r["set_by_hand_because"].is_null())
        .count();
    assert_eq!(by_hand, 8, "one for each of the second manager's sellers");
    // Account plans: every key account needs one; the first manager's
    // sellers wrote theirs, the third's none.
    let keys: Vec<serde_json::Value> = serde_json::from_str(&ok(&coach(
        dir.path(),
        &db,
        &[
            "export",
            "--org",
            "demo",
            "--kind",
            "account-plans",
            "--format",
            "json",
        ],
        None,
    )))
    .unwrap();
    assert_eq!(keys.len(), 24 * 2, "two key accounts per seller");
    assert!(keys.iter().all(|k| k["plan_required"] == true));
    let written = |who: &str| {
        keys.iter()
            .filter(|k| k["owner"] == who && k["plan_written"] == true)
            .count()
    };
    assert_eq!(
        (
            written("seller1@demo.example"),
            written("seller17@demo.example")
        ),
        (2, 0)
    );
    // The rhythm planner (R17): six hours a week cannot hold eight sellers
    // with weekly call coaching; the refusal says why and what to cut.
    let plan = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec![
            "plan",
            "--org",
            "demo",
            "--manager",
            "manager1@demo.example",
            "--json",
        ];
        args.extend_from_slice(extra);
        serde_json::from_str(&ok(&coach(dir.path(), &db, &args, None))).unwrap()
    };
    let refused = plan(&["--hours", "6", "--weekly-calls"]);
    assert_eq!(refused["viable"], false);
    assert_eq!(refused["capacity_minutes_per_week"], 360);
    assert_eq!(refused["cuts"][0]["kind"], "call");
    assert_eq!(refused["cuts"][0]["to_weeks"], 0);
    let viable = plan(&["--hours", "16", "--months", "2", "--from", "2027-03-01"]);
    assert_eq!(viable["viable"], true, "{viable}");
    let series = viable["series"].as_array().unwrap();
    let sellers: std::collections::BTreeSet<_> = series
        .iter()
        .filter(|s| s["kind"] == "territory_tactical")
        .map(|s| s["seller_id"].to_string())
        .collect();
    assert_eq!(sellers.len(), 8, "a territory series for every seller");
    let mut blocks: Vec<(String, String)> = series
        .iter()
        .flat_map(|s| s["occurrences"].as_array().unwrap().iter())
        .map(|o| {
            (
                o["prep_starts_at"].as_str().unwrap().to_owned(),
                o["ends_at"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    blocks.sort();
    assert!(
        blocks.windows(2).all(|w| w[0].1 < w[1].0),
        "no two blocks overlap"
    );
    assert!(viable["load"].as_array().unwrap().iter().all(|w| {
        w["coaching_minutes"].as_u64().unwrap() + w["preparation_minutes"].as_u64().unwrap()
            <= w["capacity_minutes"].as_u64().unwrap()
    }));
    let wrong = coach(
        dir.path(),
        &db,
        &["plan", "--org", "demo", "--manager", "seller1@demo.example"],
        None,
    );
    assert_eq!(wrong.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("has no sellers reporting to them"));
    // Without --manager: every manager with sellers.
    let everyone: serde_json::Value = serde_json::from_str(&ok(&coach(
        dir.path(),
        &db,
        &["plan", "--org", "demo", "--hours", "16", "--json"],
        None,
    )))
    .unwrap();
    assert_eq!(everyone.as_array().map(Vec::len), Some(3));
    let whole = format!("{items}{}", serde_json::to_string(&sessions).unwrap());
    for private in [
        "My own worry",
        "Call the CFO's assistant",
        "Watch the late-stage habit",
    ] {
        assert!(
            !whole.contains(private),
            "a note leaked into an export: {private}"
        );
    }
    let list = strip(&anew);
    assert_eq!(list.len(), 29);
    let seller17 = list
        .iter()
        .find(|p| p["email"] == "seller17@demo.example")
        .unwrap();
    assert_eq!(seller17["manager"], "manager3@demo.example");

    let server = serve(dir.path(), &db);
    for email in [
        "admin@demo.example",
        "director@demo.example",
        "manager2@demo.example",
        "seller24@demo.example",
    ] {
        let b = browser();
        assert_eq!(
            sign_in(&b, &server.base, email, "coach-demo").await,
            StatusCode::SEE_OTHER,
            "{email}"
        );
        assert_eq!(
            b.get(format!("{}/", server.base))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::OK,
            "{email}"
        );
    }
}

#[tokio::test]
async fn two_server_processes_on_one_database_serve_the_same_session_alternately() {
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_database().await;
    org_with_admin(dir.path(), &db).await;
    let a = serve(dir.path(), &db);
    let b = serve(dir.path(), &db);
    assert_ne!(a.base, b.base);
    let client = browser();
    assert_eq!(
        sign_in(&client, &a.base, "ops@acme.test", "ops-password-1").await,
        StatusCode::SEE_OTHER
    );
    for round in 0..4 {
        let base = if round % 2 == 0 { &b.base } else { &a.base };
        let me: serde_json::Value = client
            .get(format!("{base}/api/v1/me"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap_or_default();
        assert_eq!(me["email"], "ops@acme.test", "round {round} on {base}");
    }
    // A form made by one process is accepted by the other (CSRF token lives in the database).
    let profile = client
        .get(format!("{}/profile", a.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let marker = "name=\"_csrf\" value=\"";
    let start = profile.find(marker).unwrap() + marker.len();
    let csrf = profile[start..start + profile[start..].find('"').unwrap()].to_owned();
    let saved = client
        .post(format!("{}/profile", b.base))
        .form(&[
            ("name", "Olga Renamed"),
            ("time_zone", "Europe/Paris"),
            ("_csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let me: serde_json::Value = client
        .get(format!("{}/api/v1/me", a.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["name"], "Olga Renamed");
    // Signing out on one ends the session on both.
    let out = client
        .post(format!("{}/logout", a.base))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        client
            .get(format!("{}/api/v1/me", b.base))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

fn fixture(name: &str) -> String {
    format!(
        "{}/../coach-store/tests/fixtures/import/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

async fn org_with_sellers(dir: &Path, db: &TestDatabase) {
    org_with_admin(dir, db).await;
    for email in ["seller1@acme.example", "seller2@acme.example"] {
        ok(&coach(
            dir,
            db,
            &[
                "user", "add", "--org", "acme", "--email", email, "--name", email, "--role",
                "seller",
            ],
            None,
        ));
    }
}

#[tokio::test]
async fn crm_exports_import_and_export_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_database().await;
    org_with_sellers(dir.path(), &db).await;
    let run = |args: &[&str]| coach(dir.path(), &db, args, None);
    let accounts = fixture("salesforce_accounts.csv");
    let first = ok(&run(&[
        "import", "--kind", "accounts", &accounts, "--org", "acme",
    ]));
    assert!(
        first.contains("2 rows of accounts from Salesforce")
            && first.contains("Imported: 2 new, 0 updated, 0 unchanged."),
        "{first}"
    );
    let again = ok(&run(&[
        "import", "--kind", "accounts", &accounts, "--org", "acme",
    ]));
    assert!(
        again.contains("Imported: 0 new, 0 updated, 2 unchanged."),
        "{again}"
    );
    ok(&run(&[
        "import",
        "--kind",
        "opportunities",
        &fixture("salesforce_opportunities.csv"),
        "--org",
        "acme",
    ]));
    let dry = ok(&run(&[
        "import",
        "--kind",
        "opportunities",
        &fixture("salesforce_opportunities_moved.csv"),
        "--org",
        "acme",
        "--dry-run",
        "--json",
    ]));
    let report: serde_json::Value = serde_json::from_str(&dry).unwrap();
    assert_eq!(
        (
            &report["updated"],
            &report["stage_changes"],
            &report["written"]
        ),
        (
            &serde_json::json!(1),
            &serde_json::json!(1),
            &serde_json::json!(false)
        )
    );

    let bad = run(&[
        "import",
        "--kind",
        "opportunities",
        &fixture("one_bad_row.csv"),
        "--org",
        "acme",
    ]);
    assert_eq!(bad.status.code(), Some(1), "{}", text(&bad));
    let out = text(&bad);
    assert!(
        out.contains(
            "record 2 (line 3), column 5 \"amount\": \"$100\": an amount such as 1,234.56"
        ) && out.contains("1 problem found; nothing was imported"),
        "{out}"
    );
    let rejects = dir.path().join("rejects.csv");
    let skipped = ok(&run(&[
        "import",
        "--kind",
        "opportunities",
        &fixture("one_bad_row.csv"),
        "--org",
        "acme",
        "--skip-invalid",
        "--rejects",
        rejects.to_str().unwrap(),
    ]));
    assert!(
        skipped.contains("2 new, 0 updated, 0 unchanged, 1 rejected"),
        "{skipped}"
    );
    assert!(
        std::fs::read_to_string(&rejects)
            .unwrap()
            .contains("B-2,Bad amount")
    );
    let dates = run(&[
        "import",
        "--kind",
        "opportunities",
        &fixture("salesforce_report.csv"),
        "--org",
        "acme",
        "--date-format",
        "MM/DD/YYYY",
    ]);
    assert!(dates.status.success(), "{}", text(&dates));
    let wrong = run(&[
        "import",
        "--kind",
        "opportunities",
        &fixture("not_csv.xlsx"),
        "--org",
        "acme",
    ]);
    assert!(
        !wrong.status.success() && text(&wrong).contains("this is a ZIP archive"),
        "{}",
        text(&wrong)
    );

    let csv = ok(&run(&[
        "export",
        "--kind",
        "opportunities",
        "--org",
        "acme",
    ]));
    assert!(
        csv.starts_with("\u{feff}source_id,name,owner,account,amount"),
        "{csv}"
    );
    assert!(csv.contains("006A000000XyZaB,Acme renewal,seller1@acme.example,001A0000006Vm9r,12500.00,EUR,Prospecting,identify_needs"));
    let out = dir.path().join("accounts.json");
    ok(&run(&[
        "export",
        "--kind",
        "accounts",
        "--org",
        "acme",
        "--format",
        "json",
        "--out",
        out.to_str().unwrap(),
    ]));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(json.as_array().map(Vec::len), Some(2));
}

/// Writes an opportunities file of `rows` rows for seller1.
fn big_file(dir: &Path, rows: usize) -> std::path::PathBuf {
    let path = dir.join("big.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(f, "source_id,name,owner,stage,amount,currency").unwrap();
    for i in 0..rows {
        writeln!(
            f,
            "BIG-{i:07},Deal {i},seller1@acme.example,Prospecting,{i}.50,EUR"
        )
        .unwrap();
    }
    f.flush().unwrap();
    path
}

/// Reliability T4: `kill -9` during a 200,000-row import leaves the
/// database as it was (no rows, integrity intact), and a re-run completes.
#[tokio::test]
async fn a_killed_import_changes_nothing_and_a_rerun_completes() {
    const ROWS: usize = 200_000;
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_database().await;
    org_with_sellers(dir.path(), &db).await;
    let file = big_file(dir.path(), ROWS);
    let store = coach_store::Store::connect(&db.url).await.unwrap();
    let org = store.org_by_slug("acme").await.unwrap();
    let count = || async {
        store
            .opportunities(&org.id, &coach_store::crm::RecordFilter::default())
            .await
            .unwrap()
            .len()
    };
    let mut kills = Vec::new();
    for delay_ms in [400u64, 1500] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_coach"))
            .current_dir(dir.path())
            .env("COACH_LOG", "warn")
            .args([
                "--database-url",
                &db.url,
                "import",
                "--kind",
                "opportunities",
            ])
            .arg(&file)
            .args(["--org", "acme"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(delay_ms)).await;
        let finished = child.try_wait().unwrap().is_some();
        child.kill().unwrap_or(()); // SIGKILL
        child.wait().unwrap();
        let rows = count().await;
        assert!(
            rows == 0 || rows == ROWS,
            "after kill -9 at {delay_ms} ms: {rows} rows"
        );
        assert_eq!(
            store.check_integrity().await.unwrap(),
            "ok",
            "after kill -9 at {delay_ms} ms"
        );
        kills.push((delay_ms, finished, rows));
    }
    assert!(
        kills
            .iter()
            .any(|(_, finished, rows)| !finished && *rows == 0),
        "at least one kill landed mid-import: {kills:?}"
    );
    let rerun = ok(&coach(
        dir.path(),
        &db,
        &[
            "import",
            "--kind",
            "opportunities",
            file.to_str().unwrap(),
            "--org",
            "acme",
        ],
        None,
    ));
    assert!(
        rerun.contains("Imported: 200000 new") || rerun.contains("200000 unchanged"),
        "{rerun}"
    );
    assert_eq!(count().await, ROWS);
    assert_eq!(store.check_integrity().await.unwrap(), "ok");
    println!(
        "T4: {} kills during a {ROWS}-row import ({kills:?}); database unchanged each time; re-run complete",
        kills.len()
    );
}

#[tokio::test]
async fn a_made_up_history_is_the_same_for_a_seed_and_bad_options_are_refused() {
    let counts = |db: &TestDatabase, dir: &Path| {
        let out = ok(&coach(
            dir,
            db,
            &[
                "history",
                "--org",
                "acme",
                "--years",
                "1",
                "--seed",
                "7",
                "--early-win-lift",
                "0.1",
            ],
            None,
        ));
        assert!(out.starts_with("1 teams: "), "{out}");
        out.split(" (").next().unwrap().to_owned()
    };
    let mut runs = Vec::new();
    for _ in 0..2 {
        let dir = tempfile::tempdir().unwrap();
        let db = fresh_database().await;
        org_with_admin(dir.path(), &db).await;
        ok(&coach(
            dir.path(),
            &db,
            &[
                "user",
                "add",
                "--org",
                "acme",
                "--email",
                "boss@acme.test",
                "--name",
                "Bea Boss",
                "--role",
                "manager",
            ],
            None,
        ));
        for n in 1..=3 {
            let email = format!("s{n}@acme.test");
            ok(&coach(
                dir.path(),
                &db,
                &[
                    "user",
                    "add",
                    "--org",
                    "acme",
                    "--email",
                    &email,
                    "--name",
                    &email,
                    "--role",
                    "seller",
                    "--manager",
                    "boss@acme.test",
                ],
                None,
            ));
        }
        runs.push(counts(&db, dir.path()));
        // Bad options change nothing and say which.
        for (args, says) in [
            (vec!["--years", "0"], "--years"),
            (vec!["--keep", "1.5"], "--keep"),
            (vec!["--early-win-lift=-0.1"], "--early-win-lift"),
        ] {
            let mut all = vec!["history", "--org", "acme"];
            all.extend(args);
            let o = coach(dir.path(), &db, &all, None);
            assert_eq!(o.status.code(), Some(1), "{}", text(&o));
            assert!(text(&o).contains(says), "{}", text(&o));
        }
        let o = coach(dir.path(), &db, &["history", "--org", "nobody"], None);
        assert_eq!(o.status.code(), Some(1));
    }
    // "1 teams: N sessions, M action items, K closed deals, from to to".
    assert_eq!(runs[0], runs[1]);
    let sessions: u64 = runs[0].split_whitespace().nth(2).unwrap().parse().unwrap();
    assert!(sessions > 50, "{}", runs[0]);
}
