//! Email end to end (reliability T15): messages go through a real SMTP
//! server on 127.0.0.1 (Python's `aiosmtpd`, started per test), and Python's
//! own MIME parser reads what arrived. Invitations carry the feed's UIDs;
//! reminders and digests come at the right moment in each person's time
//! zone; preferences and unsubscribe links hold; no header can be injected;
//! two senders never send one message twice.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use chrono::{DateTime, Datelike as _, Duration, NaiveTime, TimeZone as _, Utc};
use coach_core::coaching::SessionKind;
use coach_core::email::{
    EmailKind, WorkingHours, first_working_day_of_month, is_working_day, prep_reminder_at,
    session_reminder_at,
};
use coach_store::coaching::{NewActionItem, NewSession, SessionPatch, Transition};
use coach_web::AppState;
use coach_web::email::{Mailer, schedule, send_due};
use common::{Fixture, TestApp, seed};
use serde_json::Value;
use std::io::BufRead as _;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

fn python() -> String {
    std::env::var("COACH_TEST_PYTHON")
        .unwrap_or_else(|_| format!("{}/../../.venv/bin/python", env!("CARGO_MANIFEST_DIR")))
}

/// The SMTP sink: a child process, stopped when dropped.
struct Sink {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Sink {
    fn start(extra: &[&str]) -> Sink {
        let dir = tempfile::tempdir().unwrap();
        let script = format!("{}/tests/support/smtp_sink.py", env!("CARGO_MANIFEST_DIR"));
        let mut child = Command::new(python())
            .arg(&script)
            .arg("--dir")
            .arg(dir.path())
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "the SMTP sink needs Python with aiosmtpd ({}; scripts/test installs it): {e}",
                    python()
                )
            });
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().parse().unwrap_or_else(|_| {
            panic!("the SMTP sink did not start (Python with aiosmtpd is needed): {line:?}")
        });
        Sink { child, port, dir }
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, in order.
    fn messages(&self) -> Vec<Value> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
            .collect()
    }
}

fn header<'a>(m: &'a Value, name: &str) -> Vec<&'a str> {
    m["headers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h[0].as_str().unwrap().eq_ignore_ascii_case(name))
        .map(|h| h[1].as_str().unwrap())
        .collect()
}

fn subject(m: &Value) -> &str {
    header(m, "Subject")[0]
}

fn to_of(m: &Value) -> Vec<String> {
    m["rcpt_tos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

fn text(m: &Value) -> &str {
    m["text"].as_str().unwrap_or_default()
}

/// The calendar part of a message, unfolded.
fn calendar(m: &Value) -> (String, String) {
    let c = &m["calendars"][0];
    (
        c["method"].as_str().unwrap_or_default().to_owned(),
        c["body"].as_str().unwrap_or_default().replace("\r\n ", ""),
    )
}

struct Setup {
    app: TestApp,
    f: Fixture,
    state: AppState,
    sink: Sink,
    mailer: Mailer,
}

async fn setup(sink_args: &[&str]) -> Setup {
    let app = TestApp::spawn_with(|c| {
        c.email_enabled = true;
    })
    .await;
    let f = seed(&app).await;
    let sink = Sink::start(sink_args);
    let mailer = Mailer::new(&sink.url(), "Coach <coach@coach.test>").unwrap();
    let state = AppState::new(app.store.clone(), app.config.clone());
    Setup {
        app,
        f,
        state,
        sink,
        mailer,
    }
}

impl Setup {
    async fn send(&self, now: DateTime<Utc>) -> coach_web::email::Sent {
        send_due(
            &self.state,
            &self.mailer,
            "test-worker",
            now,
            Duration::seconds(60),
        )
        .await
        .unwrap()
    }

    /// A session of manager1 with seller1, `days` ahead at 10:00 Berlin on
    /// a working day.
    async fn book(&self, days: i64) -> coach_store::coaching::Session {
        let berlin = chrono_tz::Europe::Berlin;
        let mut day = (Utc::now() + Duration::days(days))
            .with_timezone(&berlin)
            .date_naive();
        while !is_working_day(day) {
            day += Duration::days(1);
        }
        let starts_at = berlin
            .from_local_datetime(&day.and_time(NaiveTime::from_hms_opt(10, 0, 0).unwrap()))
            .single()
            .unwrap()
            .with_timezone(&Utc);
        self.app
            .store
            .create_coaching_session(
                &self.f.org_a,
                NewSession {
                    kind: SessionKind::Opportunity,
                    manager_id: self.f.id("manager1").to_owned(),
                    seller_id: self.f.id("seller1").to_owned(),
                    starts_at,
                    minutes: Some(60),
                    ad_hoc: false,
                    series_id: None,
                    desired_outcome: Some("Two deals moved to the next stage".to_owned()),
                },
                self.f.id("manager1"),
            )
            .await
            .unwrap()
    }

    /// A session of manager1 with seller1 under way now (ad hoc), where
    /// action items are agreed.
    async fn open_session(&self) -> String {
        let s = self
            .app
            .store
            .create_coaching_session(
                &self.f.org_a,
                NewSession {
                    kind: SessionKind::Opportunity,
                    manager_id: self.f.id("manager1").to_owned(),
                    seller_id: self.f.id("seller1").to_owned(),
                    starts_at: Utc::now() - Duration::minutes(10),
                    minutes: Some(60),
                    ad_hoc: true,
                    series_id: None,
                    desired_outcome: None,
                },
                self.f.id("manager1"),
            )
            .await
            .unwrap();
        self.app
            .store
            .transition(&self.f.org_a, &s.id, None, Transition::Open)
            .await
            .unwrap();
        s.id
    }

    async fn set_time_zone(&self, key: &str, tz: &str) {
        self.app
            .store
            .update_user(
                &self.f.org_a,
                self.f.id(key),
                coach_store::UserPatch {
                    time_zone: Some(tz.to_owned()),
                    ..Default::default()
                },
                None,
            )
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_booked_moved_and_cancelled_session_reaches_both_sides_with_the_feeds_uid() {
    let s = setup(&[]).await;
    s.set_time_zone("seller1", "America/New_York").await;
    let session = s.book(5).await;
    let sent = s.send(Utc::now()).await;
    assert_eq!(sent.sent, 2, "{sent:?}");
    let got = s.sink.messages();
    assert_eq!(got.len(), 2);
    let to_seller = got
        .iter()
        .find(|m| to_of(m) == vec![s.f.email("seller1").to_owned()])
        .expect("the seller is invited");
    let to_manager = got
        .iter()
        .find(|m| to_of(m) == vec![s.f.email("manager1").to_owned()])
        .expect("the manager is invited");
    // Each in their own time zone: 10:00 Berlin is 04:00 in New York.
    let ny = session
        .starts_at
        .with_timezone(&chrono_tz::America::New_York)
        .format("%H:%M")
        .to_string();
    assert_eq!(ny, "04:00");
    assert!(subject(to_seller).starts_with("Booked: Opportunity coaching with manager1"));
    assert!(
        subject(to_seller).ends_with(", 04:00"),
        "{}",
        subject(to_seller)
    );
    assert!(
        subject(to_manager).ends_with(", 10:00"),
        "{}",
        subject(to_manager)
    );
    assert!(text(to_seller).contains("America/New_York"));
    assert!(text(to_seller).contains("Two deals moved to the next stage"));
    assert!(text(to_seller).contains(&format!("/sessions/{}", session.id)));
    assert!(m_html(to_seller).contains(&format!("/sessions/{}", session.id)));
    // The invitation: METHOD:REQUEST, the feed's UID, organizer and attendee.
    let (method, ics) = calendar(to_seller);
    assert_eq!(method, "REQUEST");
    assert!(ics.contains("METHOD:REQUEST"), "{ics}");
    let uid = format!("UID:{}@coach", session.id);
    assert!(ics.contains(&uid), "{ics}");
    assert!(ics.contains(&format!("mailto:{}", s.f.email("manager1"))));
    assert!(ics.contains(&format!("mailto:{}", s.f.email("seller1"))));
    assert_eq!(to_seller["attachments"][0]["filename"], "invite.ics");
    // Read by an independent parser (Python's icalendar): one event, the
    // session's time, organizer and attendee.
    let events = to_seller["calendars"][0]["events"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["uid"], format!("{}@coach", session.id));
    assert_eq!(
        events[0]["start"],
        session.starts_at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    );
    assert_eq!(
        events[0]["organizer"],
        format!("mailto:{}", s.f.email("manager1"))
    );
    assert_eq!(
        events[0]["attendees"][0],
        format!("mailto:{}", s.f.email("seller1"))
    );
    // The seller's feed has the same event.
    let secret = s
        .app
        .store
        .calendar_secret(&s.f.org_a, s.f.id("seller1"))
        .await
        .unwrap();
    let feed = reqwest::get(s.app.url(&format!("/calendar/{secret}.ics")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(feed.contains(&uid), "the feed holds the invitation's UID");
    // Moved: a new request with a higher sequence.
    let sequence = |ics: &str| -> u32 {
        ics.lines()
            .find_map(|l| l.strip_prefix("SEQUENCE:"))
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    };
    let first = sequence(&ics);
    let moved = s
        .app
        .store
        .update_coaching_session(
            &s.f.org_a,
            &session.id,
            None,
            SessionPatch {
                starts_at: Some(session.starts_at + Duration::hours(2)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(s.send(Utc::now()).await.sent, 2);
    let got = s.sink.messages();
    let moved_mail = &got[2..]
        .iter()
        .find(|m| to_of(m) == vec![s.f.email("seller1").to_owned()])
        .unwrap();
    assert!(
        subject(moved_mail).starts_with("Moved:"),
        "{}",
        subject(moved_mail)
    );
    assert!(subject(moved_mail).ends_with(", 06:00"));
    let (_, ics) = calendar(moved_mail);
    assert!(sequence(&ics) > first);
    assert!(ics.contains(&uid));
    // Cancelled: METHOD:CANCEL, same UID, status cancelled.
    s.app
        .store
        .transition(
            &s.f.org_a,
            &moved.id,
            None,
            Transition::Cancel("The customer visit moved".to_owned()),
        )
        .await
        .unwrap();
    assert_eq!(s.send(Utc::now()).await.sent, 2);
    let got = s.sink.messages();
    let cancel = got[4..]
        .iter()
        .find(|m| to_of(m) == vec![s.f.email("seller1").to_owned()])
        .unwrap();
    let (method, ics) = calendar(cancel);
    assert_eq!(method, "CANCEL");
    assert!(ics.contains("METHOD:CANCEL") && ics.contains("STATUS:CANCELLED"));
    assert_eq!(cancel["calendars"][0]["events"][0]["status"], "CANCELLED");
    assert!(ics.contains(&uid));
    assert!(subject(cancel).starts_with("Called off:"));
    assert!(text(cancel).contains("The customer visit moved"));
    // Nothing left, nothing sent twice.
    assert_eq!(s.send(Utc::now()).await, Default::default());
    assert_eq!(s.sink.messages().len(), 6);
}

fn m_html(m: &Value) -> &str {
    m["html"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn session_and_preparation_reminders_come_at_the_start_of_each_persons_day() {
    let s = setup(&[]).await;
    s.set_time_zone("seller1", "America/New_York").await;
    let session = s.book(9).await;
    s.send(Utc::now()).await; // the invitations
    let before = s.sink.messages().len();
    // The manager's working day, as set for the rhythm planner: 07:30 to
    // 15:30; the seller keeps nine to five.
    s.app
        .store
        .set_rhythm_settings(
            &s.f.org_a,
            s.f.id("manager1"),
            &coach_store::rhythm::RhythmSettings {
                day: (
                    NaiveTime::from_hms_opt(7, 30, 0).unwrap(),
                    NaiveTime::from_hms_opt(15, 30, 0).unwrap(),
                ),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let berlin = WorkingHours {
        tz: chrono_tz::Europe::Berlin,
        start: NaiveTime::from_hms_opt(7, 30, 0).unwrap(),
        end: NaiveTime::from_hms_opt(15, 30, 0).unwrap(),
    };
    let new_york = WorkingHours::nine_to_five(chrono_tz::America::New_York);
    let manager_at = session_reminder_at(&berlin, session.starts_at);
    assert_eq!(
        manager_at
            .with_timezone(&chrono_tz::Europe::Berlin)
            .format("%H:%M")
            .to_string(),
        "07:30"
    );
    let seller_at = session_reminder_at(&new_york, session.starts_at);
    assert!(manager_at < seller_at, "Berlin's morning comes first");
    // A minute before the manager's moment: nothing.
    let org = &s.f.org_a;
    let queued_reminders = |list: Vec<coach_store::email::Queued>| {
        list.into_iter()
            .filter(|q| q.kind == EmailKind::SessionReminder)
            .count()
    };
    schedule(&s.state, org, manager_at - Duration::minutes(1))
        .await
        .unwrap();
    let manager_id = s.f.id("manager1");
    let seller_id = s.f.id("seller1");
    assert_eq!(
        queued_reminders(s.app.store.messages_for(org, manager_id).await.unwrap()),
        0
    );
    // At the manager's moment: the manager's, not yet the seller's.
    schedule(&s.state, org, manager_at + Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(
        queued_reminders(s.app.store.messages_for(org, manager_id).await.unwrap()),
        1
    );
    assert_eq!(
        queued_reminders(s.app.store.messages_for(org, seller_id).await.unwrap()),
        0
    );
    // Again, and at the seller's moment: one each, never two.
    schedule(&s.state, org, seller_at + Duration::minutes(1))
        .await
        .unwrap();
    schedule(&s.state, org, seller_at + Duration::minutes(2))
        .await
        .unwrap();
    assert_eq!(
        queued_reminders(s.app.store.messages_for(org, manager_id).await.unwrap()),
        1
    );
    assert_eq!(
        queued_reminders(s.app.store.messages_for(org, seller_id).await.unwrap()),
        1
    );
    // The seller's preparation deadline (R27) passed before these
    // moments, so no preparation reminder is queued this late.
    assert!(
        s.app
            .store
            .messages_for(org, seller_id)
            .await
            .unwrap()
            .iter()
            .all(|q| q.kind != EmailKind::PrepReminder)
    );
    let sent = s.send(seller_at + Duration::minutes(3)).await;
    assert_eq!(sent.sent, 2, "{sent:?}");
    let got = s.sink.messages();
    let new: Vec<&Value> = got[before..].iter().collect();
    let reminder = new
        .iter()
        .find(|m| subject(m).contains("coaching with manager1") && subject(m).ends_with("at 04:00"))
        .unwrap_or_else(|| panic!("{:?}", new.iter().map(|m| subject(m)).collect::<Vec<_>>()));
    assert!(text(reminder).contains("Agenda (R35)"));
    assert!(text(reminder).contains("Your preparation is still open (R27)."));
    let for_manager = new
        .iter()
        .find(|m| to_of(m) == vec![s.f.email("manager1").to_owned()])
        .unwrap();
    assert!(
        subject(for_manager).ends_with("at 10:00"),
        "{}",
        subject(for_manager)
    );
    assert!(
        text(for_manager).contains("seller1")
            && text(for_manager).contains("preparation is still open")
    );
}

#[tokio::test]
async fn a_preparation_reminder_goes_before_the_deadline_and_not_once_prepared() {
    let s = setup(&[]).await;
    let session = s.book(9).await;
    s.send(Utc::now()).await;
    let org = &s.f.org_a;
    let berlin = WorkingHours::nine_to_five(chrono_tz::Europe::Berlin);
    let at = prep_reminder_at(&berlin, session.prep_due_on, 24);
    schedule(&s.state, org, at + Duration::minutes(1))
        .await
        .unwrap();
    let before = s.sink.messages().len();
    assert_eq!(s.send(at + Duration::minutes(1)).await.sent, 1);
    let got = s.sink.messages();
    let m = &got[before];
    assert_eq!(to_of(m), vec![s.f.email("seller1").to_owned()]);
    assert!(subject(m).starts_with("Prepare by "), "{}", subject(m));
    assert!(text(m).contains("Pick up to three deals"));
    // Another session, prepared before its reminder: the reminder is dropped.
    let other = s.book(16).await;
    s.send(Utc::now()).await;
    let at = prep_reminder_at(&berlin, other.prep_due_on, 24);
    schedule(&s.state, org, at + Duration::minutes(1))
        .await
        .unwrap();
    // The seller prepares (written straight, as the preparation page would
    // after the deals are picked).
    s.app
        .store
        .execute_raw(&format!(
            "UPDATE coaching_sessions SET seller_prepared_at = '2026-01-01T00:00:00.000000Z' WHERE id = '{}'",
            other.id
        ))
        .await
        .unwrap();
    let before = s.sink.messages().len();
    let sent = s.send(at + Duration::minutes(1)).await;
    assert_eq!((sent.sent, sent.dropped), (0, 1), "{sent:?}");
    assert_eq!(s.sink.messages().len(), before);
}

#[tokio::test]
async fn action_items_and_digests_arrive_on_working_mornings() {
    let s = setup(&[]).await;
    let org = &s.f.org_a;
    let session_id = s.open_session().await;
    let berlin = WorkingHours::nine_to_five(chrono_tz::Europe::Berlin);
    // The next working morning after tomorrow, 09:30 Berlin.
    let mut day = Utc::now()
        .with_timezone(&chrono_tz::Europe::Berlin)
        .date_naive()
        + Duration::days(1);
    while !is_working_day(day) {
        day += Duration::days(1);
    }
    let morning = berlin.day_start(day) + Duration::minutes(30);
    s.app
        .store
        .create_action_item(
            org,
            NewActionItem {
                session_id: session_id.clone(),
                title: "Send the revised proposal".to_owned(),
                owner_id: Some(s.f.id("seller1").to_owned()),
                due_on: day + Duration::days(1),
                subject: None,
            },
            s.f.id("manager1"),
        )
        .await
        .unwrap();
    s.send(Utc::now()).await;
    let before = s.sink.messages().len();
    schedule(&s.state, org, morning).await.unwrap();
    schedule(&s.state, org, morning + Duration::minutes(5))
        .await
        .unwrap();
    s.send(morning).await;
    let got = s.sink.messages();
    let items: Vec<&Value> = got[before..]
        .iter()
        .filter(|m| subject(m).contains("action item"))
        .collect();
    assert_eq!(items.len(), 1, "one a day");
    assert_eq!(to_of(items[0]), vec![s.f.email("seller1").to_owned()]);
    assert_eq!(subject(items[0]), "1 action item due soon");
    assert!(text(items[0]).contains("Send the revised proposal"));
    // The weekly digest: the manager's Monday morning.
    let mut monday = day + Duration::days(1);
    while monday.weekday() != chrono::Weekday::Mon {
        monday += Duration::days(1);
    }
    let at = berlin.day_start(monday) + Duration::minutes(10);
    schedule(&s.state, org, at - Duration::hours(2))
        .await
        .unwrap();
    let weekly = |list: Vec<coach_store::email::Queued>| {
        list.into_iter()
            .filter(|q| q.kind == EmailKind::WeeklyDigest && q.detail == monday.to_string())
            .count()
    };
    assert_eq!(
        weekly(
            s.app
                .store
                .messages_for(org, s.f.id("manager1"))
                .await
                .unwrap()
        ),
        0,
        "not before the working day starts"
    );
    schedule(&s.state, org, at).await.unwrap();
    assert_eq!(
        weekly(
            s.app
                .store
                .messages_for(org, s.f.id("manager1"))
                .await
                .unwrap()
        ),
        1
    );
    // Directors are not managers: no weekly digest for them.
    assert_eq!(
        weekly(
            s.app
                .store
                .messages_for(org, s.f.id("director1"))
                .await
                .unwrap()
        ),
        0
    );
    let before = s.sink.messages().len();
    s.send(at).await;
    let got = s.sink.messages();
    let digest = got[before..]
        .iter()
        .find(|m| {
            subject(m).starts_with("Your team's week")
                && to_of(m) == vec![s.f.email("manager1").to_owned()]
        })
        .unwrap_or_else(|| {
            panic!(
                "{:?}",
                got[before..].iter().map(subject).collect::<Vec<_>>()
            )
        });
    assert_eq!(to_of(digest), vec![s.f.email("manager1").to_owned()]);
    for part in [
        "Kept as scheduled this month (R14)",
        "Sessions this week",
        "Preparation still missing",
        "Overdue commitments on your team",
    ] {
        assert!(text(digest).contains(part), "{part}: {}", text(digest));
    }
    // The monthly digest: the director's first working day of next month.
    let next_month = first_working_day_of_month(
        (day.with_day(1).unwrap() + Duration::days(32))
            .with_day(1)
            .unwrap(),
    );
    let at = berlin.day_start(next_month) + Duration::minutes(10);
    schedule(&s.state, org, at).await.unwrap();
    let before = s.sink.messages().len();
    s.send(at).await;
    let got = s.sink.messages();
    let monthly: Vec<&Value> = got[before..]
        .iter()
        .filter(|m| subject(m).starts_with("Your managers' coaching"))
        .collect();
    let to: Vec<Vec<String>> = monthly.iter().map(|m| to_of(m)).collect();
    assert!(
        to.contains(&vec![s.f.email("director1").to_owned()]),
        "{to:?}"
    );
    assert!(
        to.contains(&vec![s.f.email("director2").to_owned()]),
        "{to:?}"
    );
    let d1 = monthly
        .iter()
        .find(|m| to_of(m) == vec![s.f.email("director1").to_owned()])
        .unwrap();
    assert!(text(d1).contains("manager1") && text(d1).contains("manager2"));
    assert!(!text(d1).contains("manager3"), "only their own managers");
}

#[tokio::test]
async fn preferences_and_unsubscribe_links_hold_for_one_person_and_one_kind() {
    let s = setup(&[]).await;
    let org = &s.f.org_a;
    let session = s.book(5).await;
    s.send(Utc::now()).await;
    let mail = s
        .sink
        .messages()
        .into_iter()
        .find(|m| to_of(m) == vec![s.f.email("seller1").to_owned()])
        .unwrap();
    let link = header(&mail, "List-Unsubscribe")[0]
        .trim_matches(['<', '>'])
        .to_owned();
    assert!(
        link.starts_with(&s.app.url("/email/unsubscribe/")),
        "{link}"
    );
    assert_eq!(
        header(&mail, "List-Unsubscribe-Post"),
        vec!["List-Unsubscribe=One-Click"]
    );
    // Opening the link changes nothing; the one-click post, without any
    // cookie, turns off invitations for the seller only.
    let page = reqwest::get(&link).await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Stop these emails"));
    assert!(
        s.app
            .store
            .wants_email(org, s.f.id("seller1"), EmailKind::Invitation)
            .await
            .unwrap()
    );
    let r = reqwest::Client::new()
        .post(&link)
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let store = &s.app.store;
    assert!(
        !store
            .wants_email(org, s.f.id("seller1"), EmailKind::Invitation)
            .await
            .unwrap()
    );
    assert!(
        store
            .wants_email(org, s.f.id("seller1"), EmailKind::SessionReminder)
            .await
            .unwrap()
    );
    assert!(
        store
            .wants_email(org, s.f.id("manager1"), EmailKind::Invitation)
            .await
            .unwrap()
    );
    // A wrong link finds nothing.
    let wrong = reqwest::Client::new()
        .post(s.app.url("/email/unsubscribe/not-a-link"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 404);
    // The next invitation goes to the manager only.
    s.app
        .store
        .update_coaching_session(
            org,
            &session.id,
            None,
            SessionPatch {
                starts_at: Some(session.starts_at + Duration::hours(1)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let sent = s.send(Utc::now()).await;
    assert_eq!((sent.sent, sent.dropped), (1, 1), "{sent:?}");
    // The profile: the seller turns session reminders off too.
    let seller = s.app.sign_in(s.f.email("seller1")).await;
    let page = seller.get(&s.app, "/profile").await.text().await.unwrap();
    assert!(page.contains("Session reminders"));
    assert!(
        !page.contains("Weekly digest") && !page.contains("Monthly digest"),
        "a seller is not offered the leaders' digests"
    );
    let manager = s.app.sign_in(s.f.email("manager1")).await;
    let page = manager.get(&s.app, "/profile").await.text().await.unwrap();
    assert!(page.contains("Weekly digest") && !page.contains("Monthly digest"));
    let r = seller
        .post_form(&s.app, "/profile/email", &[("action_items", "1")])
        .await;
    assert_eq!(r.status(), 303);
    assert!(
        !store
            .wants_email(org, s.f.id("seller1"), EmailKind::SessionReminder)
            .await
            .unwrap()
    );
    assert!(
        store
            .wants_email(org, s.f.id("seller1"), EmailKind::ActionItems)
            .await
            .unwrap()
    );

    // The scheduler queues no session reminder for the seller now; the
    // manager's comes as before.
    let berlin = WorkingHours::nine_to_five(chrono_tz::Europe::Berlin);
    let at =
        session_reminder_at(&berlin, session.starts_at + Duration::hours(1)) + Duration::minutes(1);
    schedule(&s.state, org, at).await.unwrap();
    let reminders = |list: Vec<coach_store::email::Queued>| {
        list.iter()
            .filter(|q| q.kind == EmailKind::SessionReminder)
            .count()
    };
    assert_eq!(
        reminders(store.messages_for(org, s.f.id("seller1")).await.unwrap()),
        0
    );
    assert_eq!(
        reminders(store.messages_for(org, s.f.id("manager1")).await.unwrap()),
        1
    );
    // An organization that requires invitations: the link cannot turn them
    // off, and they come again.
    store
        .set_email_settings(
            org,
            &coach_store::email::EmailSettings {
                required: vec![EmailKind::Invitation],
                prep_reminder_hours: 24,
            },
        )
        .await
        .unwrap();
    assert!(
        store
            .wants_email(org, s.f.id("seller1"), EmailKind::Invitation)
            .await
            .unwrap()
    );
    let page = reqwest::get(&link).await.unwrap().text().await.unwrap();
    assert!(page.contains("cannot be turned off"));
    assert!(
        store
            .set_email_preference(org, s.f.id("seller1"), EmailKind::Invitation, false)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn no_header_can_be_injected_from_a_name() {
    let s = setup(&[]).await;
    // A name written straight into the database (as an old import might
    // have), with a line break and a header after it.
    s.app
        .store
        .execute_raw(&format!(
            "UPDATE users SET name = 'Mallory\r\nBcc: victim@evil.test\r\nX-Injected: yes' WHERE id = '{}'",
            s.f.id("manager1")
        ))
        .await
        .unwrap();
    s.book(5).await;
    assert_eq!(s.send(Utc::now()).await.sent, 2);
    for m in s.sink.messages() {
        let to = to_of(&m);
        assert_eq!(to.len(), 1, "{to:?}");
        assert!(!to[0].contains("evil"));
        assert!(header(&m, "Bcc").is_empty());
        assert!(header(&m, "X-Injected").is_empty());
        let data = m["data"].as_str().unwrap();
        let head = &data[..data.find("\r\n\r\n").unwrap()];
        assert!(
            !head
                .lines()
                .any(|l| l.starts_with("Bcc:") || l.starts_with("X-Injected:")),
            "{head}"
        );
        assert!(
            subject(&m).contains("Mallory Bcc: victim@evil.test") || to[0] != s.f.email("seller1")
        );
    }
}

#[tokio::test]
async fn a_failing_server_is_tried_again_later_and_two_senders_never_send_one_message_twice() {
    let s = setup(&["--fail-first", "1"]).await;
    s.book(5).await;
    let now = Utc::now();
    let first = s.send(now).await;
    assert_eq!((first.sent, first.failed), (1, 1), "{first:?}");
    // The failed one waits a minute; then it goes.
    assert_eq!(s.send(now + Duration::seconds(30)).await.sent, 0);
    assert_eq!(s.send(now + Duration::minutes(2)).await.sent, 1);
    assert_eq!(s.sink.messages().len(), 2);
    // Forty messages, two senders at once.
    for _ in 0..20 {
        s.book(6).await;
    }
    let (a, b) = tokio::join!(
        send_due(
            &s.state,
            &s.mailer,
            "worker-a",
            Utc::now(),
            Duration::seconds(60)
        ),
        send_due(
            &s.state,
            &s.mailer,
            "worker-b",
            Utc::now(),
            Duration::seconds(60)
        ),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.sent + b.sent, 40, "{a:?} {b:?}");
    let ids: Vec<String> = s
        .sink
        .messages()
        .iter()
        .map(|m| header(m, "Message-ID")[0].to_owned())
        .collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "no message twice");
    assert_eq!(ids.len(), 42);
}

#[tokio::test]
async fn an_unreachable_server_loses_nothing() {
    let s = setup(&[]).await;
    s.book(5).await;
    // Nobody listens on this port.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let down = Mailer::new(
        &format!("smtp://127.0.0.1:{closed}"),
        "Coach <coach@coach.test>",
    )
    .unwrap();
    let now = Utc::now();
    let r = send_due(&s.state, &down, "w", now, Duration::seconds(60))
        .await
        .unwrap();
    assert_eq!((r.sent, r.failed), (0, 2));
    let waiting = s
        .app
        .store
        .outbox_counts(&s.f.org_a, now - Duration::days(1))
        .await
        .unwrap();
    assert_eq!((waiting.waiting, waiting.retrying), (2, 2));
    // Back up: both go.
    assert_eq!(s.send(now + Duration::minutes(2)).await.sent, 2);
    assert_eq!(s.sink.messages().len(), 2);
}

#[tokio::test]
async fn an_admin_previews_every_kind_and_others_cannot() {
    let s = setup(&[]).await;
    s.book(3).await;
    let session_id = s.open_session().await;
    s.app
        .store
        .create_action_item(
            &s.f.org_a,
            NewActionItem {
                session_id,
                title: "Call the buyer".to_owned(),
                owner_id: None,
                due_on: Utc::now().date_naive() + Duration::days(1),
                subject: None,
            },
            s.f.id("manager1"),
        )
        .await
        .unwrap();
    let admin = s.app.sign_in(s.f.email("admin")).await;
    let page = admin
        .get(&s.app, "/settings/email")
        .await
        .text()
        .await
        .unwrap();
    for kind in [
        "invitation",
        "cancellation",
        "prep_reminder",
        "session_reminder",
        "action_items",
        "weekly_digest",
        "monthly_digest",
    ] {
        assert!(page.contains(&format!("/settings/email/preview/{kind}")));
        let r = admin
            .get(&s.app, &format!("/settings/email/preview/{kind}"))
            .await;
        assert_eq!(r.status(), 200, "{kind}");
        let body = r.text().await.unwrap();
        assert!(body.contains("Subject"), "{kind}: {body}");
        assert!(!body.contains("No example yet"), "{kind}");
    }
    let manager = s.app.sign_in(s.f.email("manager1")).await;
    assert_eq!(
        manager
            .get(&s.app, "/settings/email/preview/weekly_digest")
            .await
            .status(),
        403
    );
    // Nothing was sent or queued by looking.
    assert_eq!(s.sink.messages().len(), 0);
}

#[tokio::test]
async fn a_new_rhythm_invites_each_seller_to_their_series_and_gives_the_manager_all() {
    let s = setup(&[]).await;
    let manager = s.app.sign_in(s.f.email("manager1")).await;
    let r = manager
        .post_form(
            &s.app,
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
    let series = s
        .app
        .store
        .series_of_manager(&s.f.org_a, s.f.id("manager1"), false)
        .await
        .unwrap();
    assert!(!series.is_empty());
    let sellers: std::collections::BTreeSet<&str> =
        series.iter().map(|r| r.seller_id.as_str()).collect();
    let sent = s.send(Utc::now()).await;
    assert_eq!(sent.sent, sellers.len() + 1, "{sent:?}");
    let got = s.sink.messages();
    // The seller: a request for their own series only, read back by the
    // independent parser with the feed's UIDs and weekly rules.
    let mail = got
        .iter()
        .find(|m| to_of(m) == vec![s.f.email("seller1").to_owned()])
        .unwrap();
    assert!(subject(mail).starts_with("Your coaching rhythm with manager1"));
    let (method, _) = calendar(mail);
    assert_eq!(method, "REQUEST");
    let events = mail["calendars"][0]["events"].as_array().unwrap();
    let theirs: Vec<String> = series
        .iter()
        .filter(|r| r.seller_id == s.f.id("seller1"))
        .map(|r| format!("{}@coach", r.id))
        .collect();
    let masters: Vec<&Value> = events.iter().filter(|e| e["rrule"].is_string()).collect();
    let mut uids: Vec<String> = masters
        .iter()
        .map(|e| e["uid"].as_str().unwrap().to_owned())
        .collect();
    uids.sort();
    let mut expected = theirs.clone();
    expected.sort();
    assert_eq!(uids, expected);
    assert!(
        masters
            .iter()
            .all(|e| e["rrule"].as_str().unwrap().starts_with("FREQ=WEEKLY"))
    );
    let secret = s
        .app
        .store
        .calendar_secret(&s.f.org_a, s.f.id("seller1"))
        .await
        .unwrap();
    let feed = reqwest::get(s.app.url(&format!("/calendar/{secret}.ics")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for uid in &theirs {
        assert!(feed.contains(&format!("UID:{uid}")), "the feed has {uid}");
    }
    // The manager: every series, published (they organize them).
    let mail = got
        .iter()
        .find(|m| to_of(m) == vec![s.f.email("manager1").to_owned()])
        .unwrap();
    assert_eq!(subject(mail), "Your coaching rhythm is planned");
    let (method, _) = calendar(mail);
    assert_eq!(method, "PUBLISH");
    let masters = mail["calendars"][0]["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["rrule"].is_string())
        .count();
    assert_eq!(masters, series.len());
}

#[tokio::test]
async fn the_api_mirrors_the_choices_and_the_rules() {
    let s = setup(&[]).await;
    let org = &s.f.org_a;
    let token = |key: &'static str| {
        let store = s.app.store.clone();
        let user = s.f.id(key).to_owned();
        let org = org.clone();
        async move { store.create_token(&org, &user, "api").await.unwrap().0 }
    };
    let client = reqwest::Client::new();
    let call = |method: reqwest::Method, path: &str, token: &str, body: Option<Value>| {
        let mut r = client.request(method, s.app.url(path)).bearer_auth(token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        r.send()
    };
    let seller = token("seller1").await;
    let r = call(
        reqwest::Method::GET,
        "/api/v1/email-preferences",
        &seller,
        None,
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let kinds: Vec<&str> = v["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "invitation",
            "prep_reminder",
            "session_reminder",
            "action_items"
        ]
    );
    assert_eq!(v["email_enabled"], true);
    let r = call(
        reqwest::Method::PUT,
        "/api/v1/email-preferences",
        &seller,
        Some(serde_json::json!({"kinds": [{"kind": "session_reminder", "on": false}]})),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        !s.app
            .store
            .wants_email(org, s.f.id("seller1"), EmailKind::SessionReminder)
            .await
            .unwrap()
    );
    // A digest for leaders, or a kind that does not exist: refused, and the
    // choice listed before it is not made either.
    for bad in [
        serde_json::json!({"kinds": [{"kind": "action_items", "on": false}, {"kind": "weekly_digest", "on": true}]}),
        serde_json::json!({"kinds": [{"kind": "action_items", "on": false}, {"kind": "newsletter", "on": true}]}),
    ] {
        let r = call(
            reqwest::Method::PUT,
            "/api/v1/email-preferences",
            &seller,
            Some(bad),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 422);
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["error"]["field"], "kinds");
        assert!(
            s.app
                .store
                .wants_email(org, s.f.id("seller1"), EmailKind::ActionItems)
                .await
                .unwrap()
        );
    }
    // The rules: admins only; a bad lead time changes nothing.
    assert_eq!(
        call(
            reqwest::Method::GET,
            "/api/v1/email-settings",
            &seller,
            None
        )
        .await
        .unwrap()
        .status(),
        403
    );
    let admin = token("admin").await;
    let r = call(
        reqwest::Method::PUT,
        "/api/v1/email-settings",
        &admin,
        Some(serde_json::json!({"required": ["invitation"], "prep_reminder_hours": 0})),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 422);
    assert!(
        s.app
            .store
            .email_settings(org)
            .await
            .unwrap()
            .required
            .is_empty()
    );
    let r = call(
        reqwest::Method::PUT,
        "/api/v1/email-settings",
        &admin,
        Some(serde_json::json!({"required": ["invitation", "session_reminder"], "prep_reminder_hours": 6})),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v["required"],
        serde_json::json!(["invitation", "session_reminder"])
    );
    assert_eq!(v["prep_reminder_hours"], 6);
    // Now required, session reminders are on for the seller again, and
    // cannot be turned off.
    let v: Value = call(
        reqwest::Method::GET,
        "/api/v1/email-preferences",
        &seller,
        None,
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let reminder = v["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "session_reminder")
        .unwrap()
        .clone();
    assert_eq!(
        (reminder["on"].clone(), reminder["required"].clone()),
        (Value::Bool(true), Value::Bool(true))
    );
    let r = call(
        reqwest::Method::PUT,
        "/api/v1/email-preferences",
        &seller,
        Some(serde_json::json!({"kinds": [{"kind": "session_reminder", "on": false}]})),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 422);
}
