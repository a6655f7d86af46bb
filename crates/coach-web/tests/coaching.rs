//! The coaching conversation through the API (R14, R26, R27, R34–R43): a
//! session prepared, run from opening to close, its next steps coming back
//! for review, feedback in aggregate only, a director's observation, the
//! Markdown summary, and T5 (N people editing the same agenda item and note
//! at once lose nothing); on both databases.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)]

mod common;

use chrono::{Duration, Utc};
use common::{Fixture, TestApp, seed};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

#[derive(Clone)]
struct Api {
    client: Client,
    token: String,
    base: String,
}

impl Api {
    async fn of(app: &TestApp, f: &Fixture, key: &str) -> Api {
        let p = &f.people[key];
        let (token, _) = app
            .store
            .create_token(&p.org, &p.id, "coaching")
            .await
            .unwrap();
        Api {
            client: Client::new(),
            token,
            base: app.base.clone(),
        }
    }

    async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        if_match: Option<i64>,
    ) -> (StatusCode, Value) {
        let mut rb = self
            .client
            .request(method.parse().unwrap(), format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(v) = if_match {
            rb = rb.header("if-match", format!("\"v{v}\""));
        }
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let r = rb.send().await.unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn send(&self, method: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(method, path, Some(body), None).await
    }

    async fn get(&self, path: &str) -> Value {
        let (s, v) = self.call("GET", path, None, None).await;
        assert_eq!(s, StatusCode::OK, "{path}: {v}");
        v
    }

    async fn ok(&self, method: &str, path: &str, body: Value) -> Value {
        let (s, v) = self.send(method, path, body).await;
        assert!(s.is_success(), "{method} {path}: {s} {v}");
        v
    }
}

async fn deals(app: &TestApp, f: &Fixture) {
    use coach_core::import::{Mapping, RecordKind};
    let today = Utc::now().date_naive();
    let e = &f.people["seller1"].email;
    let csv = format!(
        "source_id,name,owner,stage,amount,currency,close_date,created_date\n\
         D-1,Acme expansion,{e},Qualification,1000,EUR,2027-03-01,{today}\n\
         D-2,Beta rollout,{e},Needs Analysis,1000,EUR,2027-03-02,{today}\n\
         D-3,Gamma renewal,{e},Negotiation/Review,1000,EUR,2027-01-01,{today}\n"
    );
    let report = app
        .store
        .import(
            &f.org_a,
            std::io::Cursor::new(csv.into_bytes()),
            &coach_store::crm::ImportRequest::new(RecordKind::Opportunities, Mapping::default()),
            None,
            &mut |_| {},
        )
        .await
        .unwrap();
    assert!(report.written, "{:?}", report.errors);
}

fn in_days(days: i64) -> String {
    (Utc::now() + Duration::days(days)).to_rfc3339()
}

#[tokio::test]
async fn a_session_from_preparation_to_feedback_through_the_api() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    deals(&app, &f).await;
    let manager = Api::of(&app, &f, "manager1").await;
    let seller = Api::of(&app, &f, "seller1").await;
    let director = Api::of(&app, &f, "director1").await;
    let peer = Api::of(&app, &f, "seller2").await;

    // Only those above the seller schedule; the seller cannot.
    let (s, v) = seller
        .send(
            "POST",
            "/api/v1/sessions",
            json!({"kind": "opportunity", "seller_id": f.id("seller1"), "starts_at": in_days(5)}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (s, v) = manager
        .send(
            "POST",
            "/api/v1/sessions",
            json!({"kind": "courtship", "seller_id": f.id("seller1"), "starts_at": in_days(5)}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("kind"))
    );
    let session = manager
        .ok(
            "POST",
            "/api/v1/sessions",
            json!({"kind": "opportunity", "seller_id": f.id("seller1"), "starts_at": in_days(5)}),
        )
        .await;
    let id = session["id"].as_str().unwrap().to_owned();
    assert_eq!(
        (session["status"].as_str(), session["minutes"].as_u64()),
        (Some("scheduled"), Some(60))
    );
    let sections: Vec<&str> = session["agenda"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["section"].as_str().unwrap())
        .collect();
    for s in ["review", "focus", "next_steps"] {
        assert!(sections.contains(&s), "{s} is always on the agenda (R35)");
    }
    assert_eq!(
        peer.call("GET", &format!("/api/v1/sessions/{id}"), None, None)
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    // The seller picks deals, early stages first (R25); four in an hour is too many (R26).
    let offer = seller.get(&format!("/api/v1/sessions/{id}/deals")).await;
    let candidates = offer["candidates"].as_array().unwrap();
    assert_eq!(offer["max_deals"], 3);
    assert!(candidates.len() >= 4);
    assert!(candidates[0]["early"].as_bool().unwrap() && candidates[1]["early"].as_bool().unwrap());
    assert_eq!(
        candidates.last().unwrap()["name"],
        "Gamma renewal",
        "late stages last"
    );
    for deal in &candidates[..3] {
        seller
            .ok("POST", &format!("/api/v1/sessions/{id}/agenda"), json!({"section": "focus", "title": "Deal review", "minutes": 15, "subject_kind": "opportunity", "subject_id": deal["opportunity_id"]}))
            .await;
    }
    let (s, v) = seller
        .send("POST", &format!("/api/v1/sessions/{id}/agenda"), json!({"section": "focus", "title": "One more", "minutes": 5, "subject_kind": "opportunity", "subject_id": candidates[3]["opportunity_id"]}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("R26"),
        "{v}"
    );
    let other_deal = &f.records["opportunity:seller2"];
    let (s, _) = seller
        .send("POST", &format!("/api/v1/sessions/{id}/agenda"), json!({"section": "focus", "title": "Not mine", "subject_kind": "opportunity", "subject_id": other_deal}))
        .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "another seller's deal never enters the session"
    );
    let detail = manager.get(&format!("/api/v1/sessions/{id}")).await;
    let warnings = detail["warnings"].as_array().unwrap();
    assert!(
        warnings.iter().any(|w| w.as_str().unwrap().contains("R26")),
        "{warnings:?}"
    );
    assert!(
        warnings.iter().any(|w| w.as_str().unwrap().contains("R34")),
        "the items take longer than the hour: {warnings:?}"
    );

    // Preparation: both sides (R18, R27); the manager prepares questions (R37).
    let bank = manager.get("/api/v1/question-bank?kind=opportunity").await;
    let first = &bank["data"][0];
    assert_eq!(first["open"], true);
    manager
        .ok(
            "POST",
            &format!("/api/v1/sessions/{id}/questions"),
            json!({"text": first["text"]}),
        )
        .await;
    assert_eq!(
        seller
            .call(
                "GET",
                &format!("/api/v1/sessions/{id}/questions"),
                None,
                None
            )
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (s, v) = manager
        .send(
            "POST",
            &format!("/api/v1/sessions/{id}/prepared"),
            json!({}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("prep_minutes"))
    );
    manager
        .ok(
            "POST",
            &format!("/api/v1/sessions/{id}/prepared"),
            json!({"prep_minutes": 40}),
        )
        .await;
    let ready = seller
        .ok(
            "POST",
            &format!("/api/v1/sessions/{id}/prepared"),
            json!({}),
        )
        .await;
    assert_eq!(
        (ready["status"].as_str(), ready["prep_minutes"].as_u64()),
        (Some("prepared"), Some(40))
    );

    // The manager moves it: the first time is kept (R14).
    let version = ready["version"].as_i64().unwrap();
    let first_start = ready["starts_at"].as_str().unwrap().to_owned();
    let (s, _) = seller
        .call(
            "PATCH",
            &format!("/api/v1/sessions/{id}"),
            Some(json!({"starts_at": in_days(6)})),
            Some(version),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the manager leads the session");
    let moved = manager
        .call(
            "PATCH",
            &format!("/api/v1/sessions/{id}"),
            Some(json!({"starts_at": in_days(6)})),
            Some(version),
        )
        .await;
    assert_eq!(moved.0, StatusCode::OK, "{}", moved.1);
    assert_eq!(moved.1["moved_from"].as_str(), Some(first_start.as_str()));
    let stale = manager
        .call(
            "PATCH",
            &format!("/api/v1/sessions/{id}"),
            Some(json!({"minutes": 90})),
            Some(version),
        )
        .await;
    assert_eq!(stale.0, StatusCode::PRECONDITION_FAILED);

    // Opening agrees the agenda (R34); a director joins to observe (R43).
    let open = manager
        .ok(
            "POST",
            &format!("/api/v1/sessions/{id}/transitions"),
            json!({"to": "open"}),
        )
        .await;
    assert!(open["agenda_agreed_at"].is_string());
    director
        .ok("PUT", &format!("/api/v1/sessions/{id}/observer"), json!({}))
        .await;
    let focus = open["agenda"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["subject"]["kind"] == "opportunity")
        .unwrap()
        .clone();
    let item_path = format!("/api/v1/agenda-items/{}", focus["id"].as_str().unwrap());
    let timed = seller
        .call(
            "PATCH",
            &item_path,
            Some(json!({"timer": true})),
            Some(focus["version"].as_i64().unwrap()),
        )
        .await;
    assert_eq!(timed.0, StatusCode::OK, "{}", timed.1);
    assert_eq!(timed.1["timer_running"], true);
    let decided = seller
        .call(
            "PATCH",
            &item_path,
            Some(json!({"timer": false, "decision": "Meet the CFO before the demo"})),
            Some(timed.1["version"].as_i64().unwrap()),
        )
        .await;
    assert_eq!(
        (decided.0, decided.1["timer_running"].as_bool()),
        (StatusCode::OK, Some(false))
    );

    // Each side's notes (R38): private unless shared.
    let mine = seller
        .ok(
            "POST",
            &format!("/api/v1/sessions/{id}/notes"),
            json!({"body": "My own worry: budget", "shared": false}),
        )
        .await;
    seller
        .ok(
            "POST",
            &format!("/api/v1/sessions/{id}/notes"),
            json!({"body": "Shared: CFO meeting", "shared": true}),
        )
        .await;
    manager
        .ok(
            "POST",
            &format!("/api/v1/sessions/{id}/notes"),
            json!({"body": "Ask about the champion", "shared": false}),
        )
        .await;
    let seen: Vec<String> = manager.get(&format!("/api/v1/sessions/{id}/notes")).await["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["body"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(seen, ["Shared: CFO meeting", "Ask about the champion"]);
    let note_path = format!("/api/v1/notes/{}", mine["id"].as_str().unwrap());
    assert_eq!(
        manager
            .call("PATCH", &note_path, Some(json!({"body": "x"})), None)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let director_notes = director.get(&format!("/api/v1/sessions/{id}/notes")).await;
    assert_eq!(
        director_notes["data"].as_array().unwrap().len(),
        1,
        "the observer reads the shared note only"
    );

    // The seller's summary becomes action items (R39, R41).
    let due = (Utc::now().date_naive() + Duration::days(7)).to_string();
    let item = seller
        .ok("POST", "/api/v1/action-items", json!({"session_id": id, "title": "Book the CFO meeting", "due_on": due, "subject_kind": "opportunity", "subject_id": focus["subject"]["id"]}))
        .await;
    assert_eq!(
        (item["owner"]["id"].as_str(), item["status"].as_str()),
        (Some(f.id("seller1")), Some("open"))
    );
    assert_eq!(item["subject"]["name"], focus["subject"]["name"]);
    let (s, _) = peer
        .send(
            "POST",
            "/api/v1/action-items",
            json!({"session_id": id, "title": "X", "due_on": due}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let closed = manager
        .ok(
            "POST",
            &format!("/api/v1/sessions/{id}/transitions"),
            json!({"to": "close"}),
        )
        .await;
    assert_eq!(
        (closed["status"].as_str(), closed["no_next_step"].as_bool()),
        (Some("held"), Some(false))
    );
    assert!(closed["agenda_reviewed_at"].is_string());
    assert_eq!(closed["next_steps"].as_array().unwrap().len(), 1);
    let (s, _) = seller
        .send(
            "POST",
            &format!("/api/v1/sessions/{id}/agenda"),
            json!({"section": "focus", "title": "Late"}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a held agenda is kept as it was"
    );

    // The next session reviews the open item (R35 a).
    let next = manager
        .ok(
            "POST",
            "/api/v1/sessions",
            json!({"kind": "account", "seller_id": f.id("seller1"), "starts_at": in_days(12)}),
        )
        .await;
    let review: Vec<&str> = next["review"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(review, ["Book the CFO meeting"]);
    let mine_items = seller
        .get(&format!(
            "/api/v1/action-items?owner_id={}&status=open",
            f.id("seller1")
        ))
        .await;
    assert_eq!(mine_items["data"].as_array().unwrap().len(), 1);
    let item_path = format!("/api/v1/action-items/{}", item["id"].as_str().unwrap());
    let done = seller
        .call(
            "PATCH",
            &item_path,
            Some(json!({"status": "done"})),
            Some(item["version"].as_i64().unwrap()),
        )
        .await;
    assert_eq!(
        (done.0, done.1["done_on_time"].as_bool()),
        (StatusCode::OK, Some(true))
    );

    // Feedback (R40): the seller, once, after a held session; the manager sees only counts below 5.
    let (s, _) = manager
        .send(
            "POST",
            &format!("/api/v1/sessions/{id}/feedback"),
            json!({"rating": 5, "would_pay": true}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = seller
        .send(
            "POST",
            &format!("/api/v1/sessions/{id}/feedback"),
            json!({"rating": 4, "would_pay": true, "most_valuable": "The CFO idea"}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = seller
        .send(
            "POST",
            &format!("/api/v1/sessions/{id}/feedback"),
            json!({"rating": 4, "would_pay": true}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let agg = manager.get("/api/v1/feedback").await;
    assert_eq!((agg["n"].as_u64(), agg["min"].as_u64()), (Some(1), Some(5)));
    assert!(agg["mean_rating"].is_null() && agg["would_pay"].is_null());
    assert!(
        !agg.to_string().contains("CFO idea"),
        "no seller's words reach the manager"
    );
    let by_director = director
        .get(&format!("/api/v1/feedback?manager_id={}", f.id("manager1")))
        .await;
    assert_eq!(by_director["n"], 1);
    assert_eq!(
        seller
            .call(
                "GET",
                &format!("/api/v1/feedback?manager_id={}", f.id("manager1")),
                None,
                None
            )
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    // The director's observation (R43), which the manager reads and the seller does not.
    let (s, v) = director
        .send("PUT", &format!("/api/v1/sessions/{id}/observation"), json!({"checks": {"prepared": true, "questions_first": false, "seller_summarized": true}, "comment": "Ask before telling."}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let seen = manager
        .get(&format!("/api/v1/sessions/{id}/observation"))
        .await;
    assert_eq!(
        (
            seen["checks"]["questions_first"].as_bool(),
            seen["comment"].as_str()
        ),
        (Some(false), Some("Ask before telling."))
    );
    assert_eq!(
        seller
            .call(
                "GET",
                &format!("/api/v1/sessions/{id}/observation"),
                None,
                None
            )
            .await
            .0,
        StatusCode::FORBIDDEN
    );

    // The Markdown summary carries the agenda, decisions and next steps, and only the reader's notes.
    let (s, text) = seller
        .call("GET", &format!("/api/v1/sessions/{id}/summary"), None, None)
        .await;
    let text = text.as_str().unwrap().to_owned();
    assert_eq!(s, StatusCode::OK);
    for part in [
        "## Review of action items",
        "## Focused discussion",
        "Decision: Meet the CFO before the demo",
        "Book the CFO meeting",
        "My own worry",
    ] {
        assert!(text.contains(part), "{part} in:\n{text}");
    }
    let (_, theirs) = manager
        .call("GET", &format!("/api/v1/sessions/{id}/summary"), None, None)
        .await;
    let theirs = theirs.as_str().unwrap();
    assert!(
        !theirs.contains("My own worry") && theirs.contains("Ask about the champion"),
        "{theirs}"
    );
}

#[tokio::test]
async fn a_session_closed_without_a_next_step_is_flagged_and_cancelling_needs_a_reason() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let manager = Api::of(&app, &f, "manager1").await;
    let s = manager
        .ok(
            "POST",
            "/api/v1/sessions",
            json!({"kind": "call", "seller_id": f.id("seller2"), "starts_at": in_days(1)}),
        )
        .await;
    let id = s["id"].as_str().unwrap();
    let (code, v) = manager
        .send(
            "POST",
            &format!("/api/v1/sessions/{id}/transitions"),
            json!({"to": "close"}),
        )
        .await;
    assert_eq!(
        (code, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("status"))
    );
    manager
        .ok(
            "POST",
            &format!("/api/v1/sessions/{id}/transitions"),
            json!({"to": "open"}),
        )
        .await;
    let held = manager
        .ok(
            "POST",
            &format!("/api/v1/sessions/{id}/transitions"),
            json!({"to": "close"}),
        )
        .await;
    assert_eq!(held["no_next_step"], true, "R41");
    let other = manager
        .ok(
            "POST",
            "/api/v1/sessions",
            json!({"kind": "call", "seller_id": f.id("seller2"), "starts_at": in_days(2)}),
        )
        .await;
    let oid = other["id"].as_str().unwrap();
    let (code, _) = manager
        .send(
            "POST",
            &format!("/api/v1/sessions/{oid}/transitions"),
            json!({"to": "cancel"}),
        )
        .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    let cancelled = manager
        .ok(
            "POST",
            &format!("/api/v1/sessions/{oid}/transitions"),
            json!({"to": "cancel", "reason": "Customer workshop"}),
        )
        .await;
    assert_eq!(
        (
            cancelled["status"].as_str(),
            cancelled["kept_as_scheduled"].as_bool()
        ),
        (Some("cancelled"), Some(false))
    );
    let ad_hoc = manager
        .ok("POST", "/api/v1/sessions", json!({"kind": "call", "seller_id": f.id("seller2"), "starts_at": (Utc::now() - Duration::hours(1)).to_rfc3339(), "ad_hoc": true}))
        .await;
    assert_eq!(ad_hoc["ad_hoc"], true);
    let (code, _) = manager
        .send("POST", "/api/v1/sessions", json!({"kind": "call", "seller_id": f.id("seller2"), "starts_at": (Utc::now() - Duration::hours(1)).to_rfc3339()}))
        .await;
    assert_eq!(
        code,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a scheduled session lies ahead"
    );
    let list = manager
        .get(&format!(
            "/api/v1/sessions?seller_id={}&limit=2",
            f.id("seller2")
        ))
        .await;
    assert_eq!(list["data"].as_array().unwrap().len(), 2);
    let cursor = list["next_cursor"].as_str().unwrap();
    let rest = manager
        .get(&format!(
            "/api/v1/sessions?seller_id={}&limit=2&cursor={cursor}",
            f.id("seller2")
        ))
        .await;
    assert_eq!(rest["data"].as_array().unwrap().len(), 1);
    assert!(rest["next_cursor"].is_null());
}

/// T5: N clients edit the same agenda item and the same note at once, each
/// appending its line and retrying on 412 with the fresh version.
#[tokio::test]
async fn t5_concurrent_edits_of_an_agenda_and_a_note_lose_nothing() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let manager = Api::of(&app, &f, "manager1").await;
    let seller = Api::of(&app, &f, "seller1").await;
    let s = manager
        .ok(
            "POST",
            "/api/v1/sessions",
            json!({"kind": "account", "seller_id": f.id("seller1"), "starts_at": in_days(1)}),
        )
        .await;
    let id = s["id"].as_str().unwrap().to_owned();
    let item = s["agenda"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["section"] == "focus")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let note = seller
        .ok(
            "POST",
            &format!("/api/v1/sessions/{id}/notes"),
            json!({"body": ""}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut report = Vec::new();
    for n in [2usize, 8, 32] {
        let mut tasks = Vec::new();
        for client in 0..n {
            // Half the agenda writers are the manager, half the seller; the note is the seller's, open in N tabs.
            let agenda_writer = if client % 2 == 0 {
                manager.clone()
            } else {
                seller.clone()
            };
            let seller = seller.clone();
            let (id, item, note) = (id.clone(), item.clone(), note.clone());
            tasks.push(tokio::spawn(async move {
                let line = format!("[{n}:{client}]");
                let (mut stale, mut errors) = (0, 0);
                loop {
                    let agenda = agenda_writer.get(&format!("/api/v1/sessions/{id}")).await;
                    let current = agenda["agenda"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|i| i["id"] == item.as_str())
                        .unwrap()
                        .clone();
                    let text = format!("{}{line}", current["decision"].as_str().unwrap());
                    let (s, _) = agenda_writer
                        .call(
                            "PATCH",
                            &format!("/api/v1/agenda-items/{item}"),
                            Some(json!({"decision": text})),
                            Some(current["version"].as_i64().unwrap()),
                        )
                        .await;
                    match s.as_u16() {
                        200 => break,
                        412 => stale += 1,
                        _ => errors += 1,
                    }
                    assert!(errors < 3, "agenda write answered {s}");
                }
                loop {
                    let notes = seller.get(&format!("/api/v1/sessions/{id}/notes")).await;
                    let current = notes["data"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|x| x["id"] == note.as_str())
                        .unwrap()
                        .clone();
                    let text = format!("{}{line}", current["body"].as_str().unwrap());
                    let (s, _) = seller
                        .call(
                            "PATCH",
                            &format!("/api/v1/notes/{note}"),
                            Some(json!({"body": text})),
                            Some(current["version"].as_i64().unwrap()),
                        )
                        .await;
                    match s.as_u16() {
                        200 => break,
                        412 => stale += 1,
                        _ => errors += 1,
                    }
                    assert!(errors < 3, "note write answered {s}");
                }
                (stale, errors)
            }));
        }
        let (mut stale, mut errors) = (0, 0);
        for t in tasks {
            let (s, e) = t.await.unwrap();
            stale += s;
            errors += e;
        }
        let detail = manager.get(&format!("/api/v1/sessions/{id}")).await;
        let decision = detail["agenda"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == item.as_str())
            .unwrap()["decision"]
            .as_str()
            .unwrap()
            .to_owned();
        let notes = seller.get(&format!("/api/v1/sessions/{id}/notes")).await;
        let body = notes["data"][0]["body"].as_str().unwrap().to_owned();
        let lost = (0..n)
            .filter(|c| {
                let line = format!("[{n}:{c}]");
                !decision.contains(&line) || !body.contains(&line)
            })
            .count();
        report.push(format!(
            "N = {n}: {stale} stale writes refused (412), {errors} other errors, {lost} lost"
        ));
        assert_eq!((lost, errors), (0, 0), "N = {n}");
    }
    println!("T5: {}", report.join("; "));
}

#[tokio::test]
async fn a_call_plan_through_the_api() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let manager = Api::of(&app, &f, "manager1").await;
    let seller = Api::of(&app, &f, "seller1").await;
    let today = Utc::now().date_naive().to_string();
    let deal = &f.records["opportunity:seller1"];
    let (s, v) = manager
        .send("POST", "/api/v1/call-plans", json!({"seller_id": f.id("seller1"), "opportunity_id": deal, "planned_for": today, "objective": " "}))
        .await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("objective"))
    );
    let plan = manager
        .ok(
            "POST",
            "/api/v1/call-plans",
            json!({"seller_id": f.id("seller1"), "opportunity_id": deal, "planned_for": today, "objective": "Agree the criteria",
                   "agenda": [{"what": "Open", "minutes": 5}], "questions": "Who decides?"}),
        )
        .await;
    assert_eq!(plan["stage"], "identify_needs");
    assert!(
        plan["guidance"]
            .as_str()
            .unwrap()
            .contains("cost of doing nothing"),
        "R30"
    );
    assert_eq!(
        plan["missing"],
        json!(["possible solutions", "the next step to ask for"])
    );
    let path = format!("/api/v1/call-plans/{}", plan["id"].as_str().unwrap());
    let body = json!({"planned_for": today, "objective": "Agree the criteria", "solutions": "A pilot", "next_step": "A workshop"});
    let saved = seller
        .call(
            "PUT",
            &path,
            Some(body.clone()),
            Some(plan["version"].as_i64().unwrap()),
        )
        .await;
    assert_eq!(saved.0, StatusCode::OK, "{}", saved.1);
    assert_eq!(
        saved.1["missing"],
        json!(["an agenda with timings", "key questions"]),
        "a rewrite replaces the whole plan"
    );
    let stale = seller
        .call(
            "PUT",
            &path,
            Some(body),
            Some(plan["version"].as_i64().unwrap()),
        )
        .await;
    assert_eq!(stale.0, StatusCode::PRECONDITION_FAILED);
    let (s, _) = manager
        .send(
            "PUT",
            &format!("{path}/feedback"),
            json!({"feedback": "Too early"}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "feedback follows the call"
    );
    seller
        .ok("PUT", &format!("{path}/outcome"), json!({"next_step_won": false, "outcome": "They want a second meeting first", "attended_by": f.id("manager1")}))
        .await;
    let (s, _) = seller
        .send(
            "PUT",
            &format!("{path}/feedback"),
            json!({"feedback": "Self-praise"}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "those above the seller coach the call"
    );
    let done = manager
        .ok(
            "PUT",
            &format!("{path}/feedback"),
            json!({"feedback": "Ask for the workshop date on the call."}),
        )
        .await;
    assert_eq!(
        (done["observed"].as_bool(), done["next_step_won"].as_bool()),
        (Some(true), Some(false))
    );
    let other = Api::of(&app, &f, "seller2").await;
    assert_eq!(
        other.call("GET", &path, None, None).await.0,
        StatusCode::NOT_FOUND
    );

    // A call's page says whether it needs a plan (R16, R29) and links to writing one.
    let page = app.sign_in(&f.people["seller1"].email).await;
    let get = |path: String| {
        let client = page.client.clone();
        let url = app.url(&path);
        async move { client.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let call = &f.records["call:seller1"];
    let html = get(format!("/calls/{call}")).await;
    assert!(
        html.contains("No plan is required for this call (R16)."),
        "{html}"
    );
    assert!(html.contains(&format!("/call-plans/new?opportunity={deal}")));
    app.store
        .execute_raw(&format!(
            "UPDATE calls SET importance = 'high' WHERE id = '{call}'"
        ))
        .await
        .unwrap();
    let html = get(format!("/calls/{call}")).await;
    assert!(html.contains("A plan is required: the call is important (R29)."));
    // The deal's page lists its call plans with their outcome; another seller sees none of it.
    let html = get(format!("/opportunities/{deal}")).await;
    assert!(
        html.contains("Call plans") && html.contains(plan["id"].as_str().unwrap()),
        "{html}"
    );
    assert!(html.contains("Not won"));
}

#[tokio::test]
async fn an_opportunity_plan_through_the_api() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let seller = Api::of(&app, &f, "seller1").await;
    let manager = Api::of(&app, &f, "manager1").await;
    let deal = &f.records["opportunity:seller1"];
    let path = format!("/api/v1/opportunities/{deal}/plan");
    let plan = seller.get(&path).await;
    assert_eq!(
        (&plan["version"], &plan["stage"], &plan["next_stage"]),
        (
            &json!(0),
            &json!("identify_needs"),
            &json!("establish_criteria")
        )
    );
    assert_eq!(
        plan["missing"],
        json!(["buying_process", "decision_makers", "needs", "budget"])
    );
    assert_eq!(plan["checklist"].as_array().unwrap().len(), 11);
    assert_eq!(
        plan["formal_plan_required"], false,
        "R16: a small, simple deal"
    );

    // Bad input names its field and keeps nothing.
    for (body, field) in [
        (json!({"evidence": {"colour": "red"}}), "evidence"),
        (json!({"verdict": "pursue"}), "verdict_reasons"),
        (json!({"verdict": "maybe"}), "verdict"),
        (json!({"concerns": [{"text": ""}]}), "concerns"),
    ] {
        let (s, v) = seller.call("PUT", &path, Some(body.clone()), Some(0)).await;
        assert_eq!(
            (s, v["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{body}"
        );
    }
    assert_eq!(seller.get(&path).await["version"], 0);

    let stage_one = json!({"buying_process": "RFP then a pilot", "decision_makers": "The CFO", "needs": "Faster onboarding"});
    let (s, saved) = seller
        .call(
            "PUT",
            &path,
            Some(
                json!({"evidence": stage_one, "verdict": "pursue", "verdict_reasons": "A sponsor"}),
            ),
            Some(0),
        )
        .await;
    assert_eq!((s, &saved["version"]), (StatusCode::OK, &json!(1)));
    assert_eq!(saved["missing"], json!(["budget"]));
    // Forward only with the evidence (R24); the refusal names what is missing.
    let stage = format!("{path}/stage");
    let (s, v) = seller
        .send("PUT", &stage, json!({"stage": "establish_criteria"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        v["error"]["message"].as_str().unwrap().contains("budget"),
        "{v}"
    );
    let (s, _) = seller
        .send("PUT", &stage, json!({"stage": "closed_won"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // A stale write changes nothing.
    let (s, _) = seller
        .call(
            "PUT",
            &path,
            Some(json!({"evidence": {"budget": "50k"}})),
            Some(0),
        )
        .await;
    assert_eq!(s, StatusCode::PRECONDITION_FAILED);
    let mut evidence = stage_one.clone();
    evidence["budget"] = json!("50k approved");
    let body = json!({"evidence": evidence, "verdict": "pursue", "verdict_reasons": "A sponsor"});
    manager.call("PUT", &path, Some(body), Some(1)).await;
    let moved = seller
        .ok("PUT", &stage, json!({"stage": "establish_criteria"}))
        .await;
    assert_eq!(moved["stage"], "establish_criteria");
    let flags = moved["flags"].to_string();
    assert!(
        flags.contains("R22"),
        "past stage 1 without criteria: {flags}"
    );
    assert!(
        flags.contains("The CRM still has this deal in Identify needs"),
        "{flags}"
    );
    // The manager preparing an opportunity session sees the flag beside the
    // picked deal, linked to its plan.
    let session = manager
        .ok(
            "POST",
            "/api/v1/sessions",
            json!({"kind": "opportunity", "seller_id": f.id("seller1"), "starts_at": in_days(4)}),
        )
        .await;
    let sid = session["id"].as_str().unwrap();
    seller
        .ok("POST", &format!("/api/v1/sessions/{sid}/agenda"),
            json!({"section": "focus", "title": "This deal", "minutes": 15, "subject_kind": "opportunity", "subject_id": deal}))
        .await;
    let page = app.sign_in(f.email("manager1")).await;
    let html = page
        .get(&app, &format!("/sessions/{sid}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("No buying criteria (R22)"),
        "the R22 flag on the picked deal"
    );
    assert!(html.contains(&format!("/opportunities/{deal}/plan")));

    // The rest of the evidence, one concern open, then negotiation (R23).
    for (k, v) in [
        ("criteria", "Time to value"),
        ("competitors", "Rival A"),
        ("view_of_ours", "Best on time to value"),
        ("view_of_competitors", "Rival A is cheaper"),
    ] {
        evidence[k] = json!(v);
    }
    let body = json!({"evidence": evidence, "verdict": "pursue", "verdict_reasons": "A sponsor",
                      "concerns": [{"text": "Rollout effort", "addressed": false}, {"text": "Price", "response": "Phased", "addressed": true}]});
    let saved = seller.call("PUT", &path, Some(body), None).await.1;
    assert_eq!(saved["open_concerns"], 1);
    let negotiation = format!("{path}/negotiation");
    let (s, v) = seller.send("PUT", &negotiation, json!({})).await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("stage")),
        "negotiation belongs to the last stage"
    );
    seller
        .ok("PUT", &stage, json!({"stage": "assess_solutions"}))
        .await;
    seller
        .ok("PUT", &stage, json!({"stage": "mitigate_risks"}))
        .await;
    let (s, v) = seller.send("PUT", &negotiation, json!({})).await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("override_reason"))
    );
    let started = manager
        .ok(
            "PUT",
            &negotiation,
            json!({"override_reason": "Budget lapses at quarter end"}),
        )
        .await;
    assert_eq!(
        (
            started["negotiation"]["override_reason"].as_str(),
            started["negotiation"]["started_by"].as_str()
        ),
        (Some("Budget lapses at quarter end"), Some(f.id("manager1")))
    );
    assert!(started["flags"].to_string().contains("R23"));

    // Who may see and write it.
    let director = Api::of(&app, &f, "director1").await;
    assert_eq!(director.get(&path).await["stage"], "mitigate_risks");
    let admin = Api::of(&app, &f, "admin").await;
    admin.get(&path).await;
    let (s, _) = admin
        .send("PUT", &stage, json!({"stage": "identify_needs"}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    for key in ["seller2", "manager2", "admin_b"] {
        let other = Api::of(&app, &f, key).await;
        let (s, _) = other.call("GET", &path, None, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{key}");
        let (s, _) = other
            .send("PUT", &stage, json!({"stage": "identify_needs"}))
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{key}");
    }

    // Formality rules (R16) are the organization's; a bad one changes nothing.
    let settings = admin.get("/api/v1/coaching-settings").await;
    assert_eq!(settings["formal_plans"]["min_importance"], "high");
    let mut bad = settings.clone();
    bad["prep_working_days"] = json!(4);
    bad["formal_plans"]["min_amount"] = json!("lots");
    let (s, v) = admin.send("PUT", "/api/v1/coaching-settings", bad).await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("formal_plan_min_amount")
        )
    );
    assert_eq!(admin.get("/api/v1/coaching-settings").await, settings);
    let mut good = settings.clone();
    good["formal_plans"] =
        json!({"min_amount": "500", "currency": "eur", "from_stage": "identify_needs"});
    let set = admin.ok("PUT", "/api/v1/coaching-settings", good).await;
    assert_eq!(
        (
            set["formal_plans"]["currency"].as_str(),
            &set["formal_plans"]["min_importance"]
        ),
        (Some("EUR"), &Value::Null)
    );
    let plan = seller.get(&path).await;
    assert_eq!(plan["formal_plan_required"], true);
    assert_eq!(
        plan["formal_plan_reasons"],
        json!(["amount of at least 500 EUR"])
    );
}

#[tokio::test]
async fn a_territory_plan_through_the_api() {
    use coach_core::import::{Mapping, RecordKind};
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let seller = Api::of(&app, &f, "seller1").await;
    let manager = Api::of(&app, &f, "manager1").await;
    // Ten accounts with potentials 10k … 100k, and calls on two of them.
    let e = &f.people["seller1"].email;
    let mut csv = "source_id,name,owner,segment,potential,currency\n".to_owned();
    for i in 1..=10 {
        csv.push_str(&format!(
            "T-{i},Territory {i},{e},Seg {},{}0000,EUR\n",
            i % 2,
            i
        ));
    }
    let today = coach_web_today(&app, &f).await;
    let mut calls = "source_id,subject,owner,occurred_at,kind,account\n".to_owned();
    for (n, (account, day)) in [
        ("T-10", &today),
        ("T-10", &today),
        ("T-9", &today),
        ("T-1", &today),
    ]
    .into_iter()
    .enumerate()
    {
        calls.push_str(&format!(
            "TC-{n},Visit,{e},{day}T09:00:00Z,meeting,{account}\n"
        ));
    }
    for (kind, text) in [(RecordKind::Accounts, csv), (RecordKind::Calls, calls)] {
        let report = app
            .store
            .import(
                &f.org_a,
                std::io::Cursor::new(text.into_bytes()),
                &coach_store::crm::ImportRequest::new(kind, Mapping::default()),
                None,
                &mut |_| {},
            )
            .await
            .unwrap();
        assert!(report.written, "{:?}", report.errors);
    }
    let path = format!("/api/v1/territory-plans/{}", f.id("seller1"));
    let plan = seller.get(&path).await;
    assert_eq!(plan["version"], 0, "the defaults until written");
    let tier_of = |plan: &Value, name: &str| {
        plan["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == name)
            .map(|a| a["tier"].as_str().unwrap().to_owned())
            .unwrap()
    };
    assert_eq!(tier_of(&plan, "Territory 10"), "a");
    assert_eq!(tier_of(&plan, "Territory 1"), "c");
    // This month: tier A is the top fifth of the eleven accounts (3 of them).
    let month = plan["execution"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(month["month"], today[..7]);
    assert_eq!(month["tiers"][0]["tier"], "a");
    // Tier A: the three made on Territory 10 and 9, and the fixture's own
    // call on the seller's key account (which the scheme also puts in A)
    // when it falls in this month.
    let fixture_call = u64::from(today.starts_with("2026-11"));
    assert_eq!(month["tiers"][0]["made"], 3 + fixture_call);
    assert_eq!(month["tiers"][0]["reached"], 2 + fixture_call);
    assert_eq!(month["tiers"][1]["made"], 0);
    assert_eq!(month["tiers"][2]["made"], 1);

    // Bad schemes and patterns name their field and change nothing.
    let scheme =
        json!({"criteria": [{"measure": "potential", "weight": 5}], "a_share": 10, "b_share": 20});
    let pattern = json!({"a": "2", "b": "1", "c": "0.5"});
    for (body, field) in [
        (
            json!({"scheme": {"criteria": [], "a_share": 10, "b_share": 20}, "call_pattern": pattern}),
            "criteria",
        ),
        (
            json!({"scheme": {"criteria": [{"measure": "mood", "weight": 5}], "a_share": 10, "b_share": 20}, "call_pattern": pattern}),
            "criteria",
        ),
        (
            json!({"scheme": {"criteria": [{"measure": "potential", "weight": 5}], "a_share": 60, "b_share": 40}, "call_pattern": pattern}),
            "a_share",
        ),
        (
            json!({"scheme": scheme, "call_pattern": {"a": "1", "b": "2", "c": "0"}}),
            "calls_b",
        ),
        (
            json!({"scheme": scheme, "call_pattern": {"a": "lots", "b": "1", "c": "0"}}),
            "calls_a",
        ),
    ] {
        let (s, v) = seller.send("PUT", &path, body.clone()).await;
        assert_eq!(
            (s, v["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{body}"
        );
    }
    assert_eq!(seller.get(&path).await["version"], 0);
    let body = json!({"scheme": scheme, "call_pattern": pattern,
                      "messaging": [{"segment": "Seg 1", "message": "Pilot in six weeks"}]});
    let (s, saved) = manager
        .call("PUT", &path, Some(body.clone()), Some(0))
        .await;
    assert_eq!((s, &saved["version"]), (StatusCode::OK, &json!(1)));
    assert_eq!(saved["call_pattern"]["c"], "0.5");
    assert_eq!(saved["messaging"][0]["segment"], "Seg 1");
    let (s, _) = seller.call("PUT", &path, Some(body), Some(0)).await;
    assert_eq!(
        s,
        StatusCode::PRECONDITION_FAILED,
        "a stale write changes nothing"
    );

    // A tier set by hand needs a reason, is kept with it, and can be undone.
    let low = saved["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "Territory 1")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let tier = format!("{path}/tiers/{low}");
    let (s, v) = seller.send("PUT", &tier, json!({"tier": "a"})).await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("reason"))
    );
    let set = seller
        .ok(
            "PUT",
            &tier,
            json!({"tier": "a", "reason": "New CFO consolidates suppliers"}),
        )
        .await;
    let row = set["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == low.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (&row["tier"], &row["computed_tier"]),
        (&json!("a"), &json!("c"))
    );
    assert_eq!(row["adjusted"]["reason"], "New CFO consolidates suppliers");
    let undone = seller.ok("PUT", &tier, json!({"tier": null})).await;
    assert_eq!(tier_of(&undone, "Territory 1"), "c");
    // Another seller's account is not found; nor is the plan for others.
    let other = format!("{path}/tiers/{}", f.records["account:seller2"]);
    let (s, _) = seller
        .send("PUT", &other, json!({"tier": "a", "reason": "x"}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    for key in ["seller2", "manager2", "admin_b"] {
        let api = Api::of(&app, &f, key).await;
        let (s, _) = api.call("GET", &path, None, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{key}");
    }
}

/// Today in org A's time zone, as `YYYY-MM-DD`.
async fn coach_web_today(app: &TestApp, f: &Fixture) -> String {
    let org = app.store.org(&f.org_a).await.unwrap();
    let tz: chrono_tz::Tz = org.time_zone.parse().unwrap();
    Utc::now().with_timezone(&tz).date_naive().to_string()
}

#[tokio::test]
async fn an_account_plan_through_the_api() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let seller = Api::of(&app, &f, "seller1").await;
    let manager = Api::of(&app, &f, "manager1").await;
    let admin = Api::of(&app, &f, "admin").await;
    let account = &f.records["account:seller1"];
    let path = format!("/api/v1/accounts/{account}/plan");
    let plan = seller.get(&path).await;
    assert_eq!(
        (&plan["version"], &plan["key_account"]),
        (&json!(0), &json!(true))
    );
    assert_eq!(
        plan["plan_required"], false,
        "not required until the organization says so"
    );
    // The map starts from the account's contacts, with their role.
    assert_eq!(plan["people"].as_array().unwrap().len(), 1);
    assert_eq!(plan["people"][0]["role"], "champion");
    let mut settings = admin.get("/api/v1/coaching-settings").await;
    settings["key_accounts_need_plan"] = json!(true);
    admin.ok("PUT", "/api/v1/coaching-settings", settings).await;
    let plan = seller.get(&path).await;
    assert_eq!(plan["plan_required"], true);
    assert!(
        plan["flags"].to_string().contains("needs a plan"),
        "{}",
        plan["flags"]
    );

    for (body, field) in [
        (
            json!({"people": [{"name": "", "role": "influencer", "stance": "neutral", "relationship": "none"}]}),
            "people",
        ),
        (
            json!({"people": [{"name": "Kim", "role": "boss", "stance": "neutral", "relationship": "none"}]}),
            "people",
        ),
        (
            json!({"actions": [{"activity": "Brief the COO", "status": "someday"}]}),
            "actions",
        ),
        (
            json!({"actions": [{"activity": " ", "status": "planned"}]}),
            "actions",
        ),
    ] {
        let (s, v) = seller.send("PUT", &path, body.clone()).await;
        assert_eq!(
            (s, v["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{body}"
        );
    }
    assert_eq!(seller.get(&path).await["version"], 0);
    let body = json!({
        "assessment": "Growing in two regions",
        "goals": "Halve onboarding time",
        "mutual_value": "A region a quarter",
        "people": [{"name": "Dana", "title": "COO", "role": "decision_maker", "stance": "opponent", "relationship": "weak"}],
        "actions": [{"activity": "Brief the COO", "time_frame": "Q1", "owner": "Me", "status": "doing"}]
    });
    let (s, saved) = seller.call("PUT", &path, Some(body.clone()), Some(0)).await;
    assert_eq!((s, &saved["version"]), (StatusCode::OK, &json!(1)));
    let flags = saved["flags"].to_string();
    assert!(flags.contains("A decision-maker is against us"), "{flags}");
    assert!(!flags.contains("needs a plan"), "{flags}");
    let (s, _) = manager.call("PUT", &path, Some(body), Some(0)).await;
    assert_eq!(s, StatusCode::PRECONDITION_FAILED);

    // Account coaching on it, marked strategic by the session's manager.
    let session = manager
        .ok(
            "POST",
            "/api/v1/sessions",
            json!({"kind": "account", "seller_id": f.id("seller1"), "starts_at": in_days(2)}),
        )
        .await;
    let sid = session["id"].as_str().unwrap();
    manager
        .ok("POST", &format!("/api/v1/sessions/{sid}/agenda"),
            json!({"section": "focus", "title": "Where it is heading", "minutes": 20, "subject_kind": "account", "subject_id": account}))
        .await;
    let (s, _) = seller
        .send(
            "PUT",
            &format!("/api/v1/sessions/{sid}/focus"),
            json!({"focus": "strategic"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the manager marks it");
    let (s, v) = manager
        .send(
            "PUT",
            &format!("/api/v1/sessions/{sid}/focus"),
            json!({"focus": "sideways"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("focus"))
    );
    manager
        .ok(
            "PUT",
            &format!("/api/v1/sessions/{sid}/focus"),
            json!({"focus": "tactical"}),
        )
        .await;
    let plan = seller.get(&path).await;
    assert_eq!(plan["coaching"][0]["focus"], "tactical");
    assert!(
        plan["coaching_focus"]
            .as_str()
            .unwrap()
            .contains("0 strategic, 1 tactical")
    );
    // A session of another kind cannot be marked.
    let opp = manager
        .ok(
            "POST",
            "/api/v1/sessions",
            json!({"kind": "opportunity", "seller_id": f.id("seller1"), "starts_at": in_days(3)}),
        )
        .await;
    let (s, _) = manager
        .send(
            "PUT",
            &format!("/api/v1/sessions/{}/focus", opp["id"].as_str().unwrap()),
            json!({"focus": "strategic"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // Who may see and write it.
    let (s, _) = admin.send("PUT", &path, json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    for key in ["seller2", "manager2", "admin_b"] {
        let other = Api::of(&app, &f, key).await;
        let (s, _) = other.call("GET", &path, None, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{key}");
    }
}

#[tokio::test]
async fn a_managers_home_shows_the_kept_as_scheduled_rate_with_its_sample() {
    use coach_core::coaching::{SessionKind, SessionStatus};
    use coach_store::coaching::PastSession;
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let page = app.sign_in(f.email("manager1")).await;
    let home = page.get(&app, "/").await.text().await.unwrap();
    assert!(home.contains("Not enough data yet"), "no sessions over yet");
    // Twelve scheduled sessions over the last two months: ten held (one of
    // them moved), two missed; and an ad-hoc one, which does not count.
    let past = |days: i64, status, ad_hoc, moved: bool| PastSession {
        kind: SessionKind::Opportunity,
        manager_id: f.id("manager1").to_owned(),
        seller_id: f.id("seller1").to_owned(),
        observer_id: None,
        ad_hoc,
        status,
        starts_at: Utc::now() - Duration::days(days),
        minutes: 60,
        original_starts_at: moved.then(|| Utc::now() - Duration::days(days + 1)),
        desired_outcome: String::new(),
        prep_due_on: (Utc::now() - Duration::days(days + 2)).date_naive(),
        seller_prepared_at: None,
        manager_prepared_at: None,
        prep_minutes: 0,
        cancel_reason: String::new(),
        items: Vec::new(),
        questions: Vec::new(),
        notes: Vec::new(),
        actions: Vec::new(),
        feedback: None,
        observation: None,
    };
    let mut sessions: Vec<PastSession> = (0..10)
        .map(|i| past(8 + i * 5, SessionStatus::Held, false, i == 3))
        .collect();
    sessions.push(past(20, SessionStatus::Missed, false, false));
    sessions.push(past(33, SessionStatus::Missed, false, false));
    sessions.push(past(12, SessionStatus::Held, true, false));
    app.store
        .load_past_sessions(&f.org_a, &sessions)
        .await
        .unwrap();
    let home = page.get(&app, "/").await.text().await.unwrap();
    assert!(
        home.contains("83% kept as scheduled (95% interval 55–95%)"),
        "{}",
        &home[home.find("rhythm-h").unwrap_or(0)..][..600.min(home.len())]
    );
    assert!(home.contains("10 of 12 scheduled sessions over the last 90 days were held"));
    // A seller has no rhythm card.
    let seller = app.sign_in(f.email("seller1")).await;
    let home = seller.get(&app, "/").await.text().await.unwrap();
    assert!(!home.contains("Your rhythm"));
}
