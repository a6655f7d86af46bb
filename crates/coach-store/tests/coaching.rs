//! Coaching sessions in the store (R14, R26, R27, R34–R43): the life cycle,
//! the agenda's sections and deal limit, private and shared notes, action
//! items that come back until closed, preparation, feedback and
//! observations; on both databases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, Utc};
use coach_core::coaching::{
    ActionStatus, AgendaWarning, FeedbackView, Section, SessionKind, SessionStatus, SubjectKind,
    feedback_view,
};
use coach_core::import::{Mapping, RecordKind};
use coach_core::{Role, Roles};
use coach_store::coaching::{
    ActionFilter, ActionPatch, ItemPatch, NewActionItem, NewFeedback, NewItem, NewSession,
    SessionFilter, SessionPatch, Transition,
};
use coach_store::crm::ImportRequest;
use coach_store::testing::{TestDatabase, fresh_store};
use coach_store::{NewUser, Store, StoreError};
use std::collections::BTreeMap;

struct World {
    store: Store,
    _db: TestDatabase,
    org: String,
    director: String,
    manager: String,
    seller: String,
    peer: String,
}

async fn person(
    store: &Store,
    org: &str,
    email: &str,
    role: Role,
    manager: Option<&str>,
) -> String {
    store
        .create_user(
            org,
            NewUser {
                email: email.into(),
                name: email.split('@').next().unwrap().to_owned(),
                roles: Roles::new([role]),
                manager_id: manager.map(str::to_owned),
                ..NewUser::default()
            },
        )
        .await
        .unwrap()
        .id
}

async fn world() -> World {
    let (store, db) = fresh_store().await;
    let org = store.create_org("acme", "Acme", "UTC").await.unwrap().id;
    let director = person(&store, &org, "director@acme.example", Role::Director, None).await;
    let manager = person(
        &store,
        &org,
        "manager@acme.example",
        Role::Manager,
        Some(&director),
    )
    .await;
    let seller = person(
        &store,
        &org,
        "seller@acme.example",
        Role::Seller,
        Some(&manager),
    )
    .await;
    let peer = person(
        &store,
        &org,
        "peer@acme.example",
        Role::Seller,
        Some(&manager),
    )
    .await;
    World {
        store,
        _db: db,
        org,
        director,
        manager,
        seller,
        peer,
    }
}

impl World {
    async fn session(&self, kind: SessionKind, days_ahead: i64) -> coach_store::coaching::Session {
        self.store
            .create_coaching_session(
                &self.org,
                NewSession {
                    kind,
                    manager_id: self.manager.clone(),
                    seller_id: self.seller.clone(),
                    starts_at: Utc::now() + Duration::days(days_ahead),
                    minutes: None,
                    ad_hoc: false,
                    series_id: None,
                    desired_outcome: None,
                },
                &self.manager,
            )
            .await
            .unwrap()
    }

    async fn deals(&self) -> Vec<String> {
        let today = Utc::now().date_naive();
        let csv = format!(
            "source_id,name,owner,stage,amount,currency,close_date,created_date\n\
             O-1,Early one,seller@acme.example,Prospecting,1000,EUR,2027-03-01,{today}\n\
             O-2,Early two,seller@acme.example,Qualification,1000,EUR,2027-03-02,{today}\n\
             O-3,Late one,seller@acme.example,Negotiation/Review,1000,EUR,2027-01-01,{today}\n\
             O-4,Late two,seller@acme.example,Proposal/Price Quote,1000,EUR,2027-01-02,{today}\n\
             O-5,Someone else's,peer@acme.example,Prospecting,1000,EUR,2027-01-02,{today}\n"
        );
        let report = self
            .store
            .import(
                &self.org,
                std::io::Cursor::new(csv.into_bytes()),
                &ImportRequest::new(RecordKind::Opportunities, Mapping::default()),
                None,
                &mut |_| {},
            )
            .await
            .unwrap();
        assert!(report.written, "{:?}", report.errors);
        let picks = self
            .store
            .deals_to_pick(&self.org, &self.seller)
            .await
            .unwrap();
        picks.into_iter().map(|d| d.opportunity_id).collect()
    }
}

fn deal(id: &str) -> NewItem {
    NewItem {
        section: Section::Focus,
        title: "Deal".into(),
        minutes: 10,
        subject: Some((SubjectKind::Opportunity, id.to_owned())),
        inspection: false,
    }
}

#[tokio::test]
async fn a_session_starts_with_the_three_sections_and_the_template_of_its_kind() {
    let w = world().await;
    let s = w.session(SessionKind::Account, 3).await;
    assert_eq!(
        (s.status, s.minutes, s.kind),
        (SessionStatus::Scheduled, 60, SessionKind::Account)
    );
    assert!(!s.desired_outcome.is_empty());
    assert!(
        s.prep_due_on < s.starts_at.date_naive(),
        "preparation is due before the day (R27)"
    );
    let agenda = w.store.agenda(&w.org, &s.id).await.unwrap();
    for section in Section::ALL {
        assert!(
            agenda.iter().any(|i| i.section == *section),
            "{section} (R35)"
        );
    }
    assert!(
        agenda.windows(2).all(|p| p[0].section <= p[1].section),
        "sections in order"
    );
    assert!(
        w.store
            .agenda_warnings(&w.org, &s)
            .await
            .unwrap()
            .is_empty()
    );
    // A scheduled session lies ahead; one held already is ad hoc.
    let past = w
        .store
        .create_coaching_session(
            &w.org,
            NewSession {
                kind: SessionKind::Call,
                manager_id: w.manager.clone(),
                seller_id: w.seller.clone(),
                starts_at: Utc::now() - Duration::hours(2),
                minutes: Some(30),
                ad_hoc: false,
                series_id: None,
                desired_outcome: None,
            },
            &w.manager,
        )
        .await;
    assert!(matches!(past, Err(StoreError::Invalid(e)) if e.field == "starts_at"));
    let seen = w
        .store
        .coaching_sessions(
            &w.org,
            &SessionFilter {
                people: Some(vec![w.peer.clone()]),
                ..SessionFilter::default()
            },
        )
        .await
        .unwrap();
    assert!(
        seen.is_empty(),
        "the peer's scope holds none of the seller's sessions"
    );
    let mine = w
        .store
        .coaching_sessions(
            &w.org,
            &SessionFilter {
                people: Some(vec![w.seller.clone()]),
                ..SessionFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);
}

#[tokio::test]
async fn the_life_cycle_records_the_opening_and_the_close_and_a_move_keeps_the_first_time() {
    let w = world().await;
    let s = w.session(SessionKind::Opportunity, 2).await;
    let first = s.starts_at;
    let moved = w
        .store
        .update_coaching_session(
            &w.org,
            &s.id,
            Some(s.version),
            SessionPatch {
                starts_at: Some(first + Duration::days(1)),
                ..SessionPatch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(moved.original_starts_at, Some(first));
    assert!(moved.moved());
    // A stale version changes nothing.
    let stale = w
        .store
        .update_coaching_session(
            &w.org,
            &s.id,
            Some(s.version),
            SessionPatch {
                desired_outcome: Some("Other".into()),
                ..SessionPatch::default()
            },
        )
        .await;
    assert!(matches!(stale, Err(StoreError::Stale)));
    // Closing needs an opening first (R34).
    let early = w
        .store
        .transition(&w.org, &s.id, None, Transition::Close)
        .await;
    assert!(matches!(early, Err(StoreError::Invalid(e)) if e.field == "status"));
    let open = w
        .store
        .transition(&w.org, &s.id, None, Transition::Open)
        .await
        .unwrap();
    assert_eq!(open.status, SessionStatus::InProgress);
    assert!(open.agenda_agreed_at.is_some());
    let cancel = w
        .store
        .transition(&w.org, &s.id, None, Transition::Cancel("Ill".into()))
        .await;
    assert!(
        cancel.is_err(),
        "an opened session is closed, not cancelled"
    );
    let held = w
        .store
        .transition(&w.org, &s.id, None, Transition::Close)
        .await
        .unwrap();
    assert_eq!(held.status, SessionStatus::Held);
    assert!(held.agenda_reviewed_at.unwrap() >= held.agenda_agreed_at.unwrap());
    assert_eq!(
        held.kept_as_scheduled(),
        Some(false),
        "moved, so not kept as scheduled"
    );
    // A held session's agenda is kept as it was.
    let late = w
        .store
        .add_agenda_item(
            &w.org,
            &s.id,
            NewItem {
                section: Section::Focus,
                title: "Late".into(),
                minutes: 5,
                subject: None,
                inspection: false,
            },
            &w.manager,
        )
        .await;
    assert!(matches!(late, Err(StoreError::Invalid(_))));
    // Cancelling needs a reason.
    let other = w.session(SessionKind::Call, 4).await;
    assert!(
        w.store
            .transition(&w.org, &other.id, None, Transition::Cancel(" ".into()))
            .await
            .is_err()
    );
    let cancelled = w
        .store
        .transition(
            &w.org,
            &other.id,
            None,
            Transition::Cancel("Customer visit".into()),
        )
        .await
        .unwrap();
    assert_eq!(
        (cancelled.status, cancelled.kept_as_scheduled()),
        (SessionStatus::Cancelled, Some(false))
    );
}

#[tokio::test]
async fn an_opportunity_session_takes_at_most_three_deals_an_hour_of_the_sellers_own() {
    let w = world().await;
    let ids = w.deals().await;
    let picks = w.store.deals_to_pick(&w.org, &w.seller).await.unwrap();
    assert_eq!(picks.len(), 4, "the seller's open deals only");
    assert!(
        picks[0].stage.is_early() && picks[1].stage.is_early(),
        "early stages first (R25)"
    );
    assert!(!picks[3].stage.is_early());
    let s = w.session(SessionKind::Opportunity, 3).await;
    for id in &ids[..3] {
        w.store
            .add_agenda_item(&w.org, &s.id, deal(id), &w.seller)
            .await
            .unwrap();
    }
    let warnings = w.store.agenda_warnings(&w.org, &s).await.unwrap();
    assert!(
        warnings
            .iter()
            .any(|x| matches!(x, AgendaWarning::ManyDeals { deals: 3, .. })),
        "{warnings:?}"
    );
    let fourth = w
        .store
        .add_agenda_item(&w.org, &s.id, deal(&ids[3]), &w.seller)
        .await;
    match fourth {
        Err(StoreError::Invalid(e)) => {
            assert!(e.message.contains("at most 3 deals"), "{}", e.message)
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // Shortening the session to 30 minutes would break the rule too.
    let short = w
        .store
        .update_coaching_session(
            &w.org,
            &s.id,
            None,
            SessionPatch {
                minutes: Some(30),
                ..SessionPatch::default()
            },
        )
        .await;
    assert!(matches!(short, Err(StoreError::Invalid(e)) if e.field == "minutes"));
    // Another seller's deal never enters the session.
    let peer_deal: (String,) = sqlx_free_lookup(&w, "Someone else's").await;
    let other = w.session(SessionKind::Account, 5).await;
    let refused = w
        .store
        .add_agenda_item(&w.org, &other.id, deal(&peer_deal.0), &w.manager)
        .await;
    assert!(matches!(refused, Err(StoreError::Invalid(e)) if e.field == "subject_id"));
    let agenda = w.store.agenda(&w.org, &s.id).await.unwrap();
    assert_eq!(
        agenda
            .iter()
            .filter(|i| i.subject_name.as_deref() == Some("Early one"))
            .count(),
        1,
        "items name what they are about"
    );
}

async fn sqlx_free_lookup(w: &World, name: &str) -> (String,) {
    let all = w
        .store
        .opportunities(&w.org, &coach_store::crm::RecordFilter::default())
        .await
        .unwrap();
    (all.into_iter().find(|o| o.name == name).unwrap().id,)
}

#[tokio::test]
async fn notes_are_private_unless_shared_and_a_stale_save_changes_nothing() {
    let w = world().await;
    let s = w.session(SessionKind::Call, 1).await;
    let private = w
        .store
        .add_note(&w.org, &s.id, &w.seller, "my private thoughts", false)
        .await
        .unwrap();
    let shared = w
        .store
        .add_note(&w.org, &s.id, &w.seller, "for both of us", true)
        .await
        .unwrap();
    let manager_note = w
        .store
        .add_note(&w.org, &s.id, &w.manager, "manager's own", false)
        .await
        .unwrap();
    let seen_by_manager: Vec<String> = w
        .store
        .notes(&w.org, &s.id, &w.manager)
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.body)
        .collect();
    assert_eq!(seen_by_manager, ["for both of us", "manager's own"]);
    let seen_by_seller = w.store.notes(&w.org, &s.id, &w.seller).await.unwrap();
    assert_eq!(seen_by_seller.len(), 2);
    assert!(matches!(
        w.store.note(&w.org, &private.id, &w.manager).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        w.store.note(&w.org, &manager_note.id, &w.seller).await,
        Err(StoreError::NotFound)
    ));
    // Only the author writes; a stale version is refused and the text stays.
    let saved = w
        .store
        .save_note(&w.org, &private.id, &w.seller, Some(1), Some("v2"), None)
        .await
        .unwrap();
    assert_eq!(saved.version, 2);
    let stale = w
        .store
        .save_note(&w.org, &private.id, &w.seller, Some(1), Some("lost?"), None)
        .await;
    assert!(matches!(stale, Err(StoreError::Stale)));
    assert_eq!(
        w.store
            .note(&w.org, &private.id, &w.seller)
            .await
            .unwrap()
            .body,
        "v2"
    );
    assert!(matches!(
        w.store
            .save_note(&w.org, &shared.id, &w.manager, None, Some("hijack"), None)
            .await,
        Err(StoreError::NotFound)
    ));
    // Sharing it later makes it visible.
    w.store
        .save_note(&w.org, &private.id, &w.seller, None, None, Some(true))
        .await
        .unwrap();
    assert_eq!(
        w.store
            .notes(&w.org, &s.id, &w.manager)
            .await
            .unwrap()
            .len(),
        3
    );
}

#[tokio::test]
async fn action_items_come_back_in_the_next_review_until_closed() {
    let w = world().await;
    let first = w.session(SessionKind::Account, 1).await;
    let early = w
        .store
        .create_action_item(
            &w.org,
            NewActionItem {
                session_id: first.id.clone(),
                owner_id: None,
                title: "Too early".into(),
                subject: None,
                due_on: Utc::now().date_naive(),
            },
            &w.seller,
        )
        .await;
    assert!(early.is_err(), "action items are agreed in the session");
    w.store
        .transition(&w.org, &first.id, None, Transition::Open)
        .await
        .unwrap();
    let due = Utc::now().date_naive() + Duration::days(7);
    let item = w
        .store
        .create_action_item(
            &w.org,
            NewActionItem {
                session_id: first.id.clone(),
                owner_id: None,
                title: "Send the account plan".into(),
                subject: None,
                due_on: due,
            },
            &w.seller,
        )
        .await
        .unwrap();
    assert_eq!(
        (item.owner_id.as_str(), item.status),
        (w.seller.as_str(), ActionStatus::Open)
    );
    let bad_owner = w
        .store
        .create_action_item(
            &w.org,
            NewActionItem {
                session_id: first.id.clone(),
                owner_id: Some(w.peer.clone()),
                title: "X".into(),
                subject: None,
                due_on: due,
            },
            &w.seller,
        )
        .await;
    assert!(matches!(bad_owner, Err(StoreError::Invalid(e)) if e.field == "owner_id"));
    w.store
        .transition(&w.org, &first.id, None, Transition::Close)
        .await
        .unwrap();
    let next = w.session(SessionKind::Account, 8).await;
    let review = w.store.review_items(&w.org, &next).await.unwrap();
    assert_eq!(
        review.iter().map(|i| i.title.as_str()).collect::<Vec<_>>(),
        ["Send the account plan"]
    );
    assert!(
        w.store
            .review_items(&w.org, &first)
            .await
            .unwrap()
            .is_empty(),
        "not in its own session's review"
    );
    let done = w
        .store
        .update_action_item(
            &w.org,
            &item.id,
            Some(item.version),
            ActionPatch {
                status: Some(ActionStatus::Done),
                ..ActionPatch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(done.closed_on, Some(Utc::now().date_naive()));
    let stale = w
        .store
        .update_action_item(
            &w.org,
            &item.id,
            Some(item.version),
            ActionPatch {
                status: Some(ActionStatus::Dropped),
                ..ActionPatch::default()
            },
        )
        .await;
    assert!(matches!(stale, Err(StoreError::Stale)));
    // Done and due within two weeks of the session: still shown, as done.
    let review = w.store.review_items(&w.org, &next).await.unwrap();
    assert_eq!(review[0].status, ActionStatus::Done);
    let open = w
        .store
        .action_items(
            &w.org,
            &ActionFilter {
                owner_id: Some(w.seller.clone()),
                statuses: Some(vec![ActionStatus::Open]),
                ..ActionFilter::default()
            },
        )
        .await
        .unwrap();
    assert!(open.is_empty());
    let scoped = w
        .store
        .action_items(
            &w.org,
            &ActionFilter {
                people: Some(vec![w.peer.clone()]),
                ..ActionFilter::default()
            },
        )
        .await
        .unwrap();
    assert!(scoped.is_empty());
}

#[tokio::test]
async fn preparation_needs_picked_deals_with_fresh_crm_data_and_both_sides() {
    let w = world().await;
    let ids = w.deals().await;
    let s = w.session(SessionKind::Opportunity, 4).await;
    let none = w.store.seller_prepared(&w.org, &s.id).await;
    assert!(matches!(none, Err(StoreError::Invalid(e)) if e.message.contains("pick the deals")));
    w.store
        .add_agenda_item(&w.org, &s.id, deal(&ids[0]), &w.seller)
        .await
        .unwrap();
    let picked = w.store.picked_deals(&w.org, &s).await.unwrap();
    assert_eq!(picked.len(), 1);
    assert!(picked[0].fresh, "just imported");
    let seller_done = w.store.seller_prepared(&w.org, &s.id).await.unwrap();
    assert_eq!(
        seller_done.status,
        SessionStatus::Scheduled,
        "the manager has not prepared yet"
    );
    w.store
        .prepare_question(&w.org, &s.id, "What does doing nothing cost them?", true)
        .await
        .unwrap();
    let both = w.store.manager_prepared(&w.org, &s.id, 45).await.unwrap();
    assert_eq!(
        (both.status, both.prep_minutes),
        (SessionStatus::Prepared, 45)
    );
    assert_eq!(
        w.store
            .prepared_questions(&w.org, &s.id)
            .await
            .unwrap()
            .len(),
        1
    );
    // A deal the CRM has not touched for longer than the organization allows is stale.
    let mut settings = w.store.coaching_settings(&w.org).await.unwrap();
    assert_eq!(
        (
            settings.feedback_min_answers,
            settings.prep_working_days,
            settings.crm_fresh_days
        ),
        (5, 2, 7)
    );
    settings.crm_fresh_days = 0;
    assert!(
        w.store
            .set_coaching_settings(&w.org, &settings)
            .await
            .is_err()
    );
    let bank = w
        .store
        .question_bank(&w.org, Some(SessionKind::Opportunity))
        .await
        .unwrap();
    assert!(
        bank.len() >= 8 && bank[0].open,
        "the default bank, open-ended first (R37)"
    );
}

#[tokio::test]
async fn feedback_is_given_once_after_a_held_session_and_read_only_in_aggregate() {
    let w = world().await;
    let s = w.session(SessionKind::Call, 1).await;
    let f = NewFeedback {
        most_valuable: "The questions".into(),
        could_be_better: "Start on time".into(),
        rating: 4,
        would_pay: true,
    };
    assert!(
        w.store.give_feedback(&w.org, &s.id, &f).await.is_err(),
        "not before it is held"
    );
    w.store
        .transition(&w.org, &s.id, None, Transition::Open)
        .await
        .unwrap();
    // An observer files what they saw.
    let not_joined = w
        .store
        .file_observation(&w.org, &s.id, &w.director, &BTreeMap::new(), "")
        .await;
    assert!(not_joined.is_err());
    w.store
        .set_observer(&w.org, &s.id, Some(&w.director))
        .await
        .unwrap();
    let checks = BTreeMap::from([
        ("prepared".to_owned(), true),
        ("questions_first".to_owned(), false),
    ]);
    let o = w
        .store
        .file_observation(&w.org, &s.id, &w.director, &checks, "Ask before telling.")
        .await
        .unwrap();
    assert_eq!(
        (o.manager_id.as_str(), o.checks.len()),
        (w.manager.as_str(), 2)
    );
    let unknown = BTreeMap::from([("charisma".to_owned(), true)]);
    assert!(
        w.store
            .file_observation(&w.org, &s.id, &w.director, &unknown, "")
            .await
            .is_err()
    );
    w.store
        .transition(&w.org, &s.id, None, Transition::Close)
        .await
        .unwrap();
    w.store.give_feedback(&w.org, &s.id, &f).await.unwrap();
    assert!(
        w.store.give_feedback(&w.org, &s.id, &f).await.is_err(),
        "once"
    );
    assert!(
        w.store
            .give_feedback(
                &w.org,
                &s.id,
                &NewFeedback {
                    rating: 9,
                    ..f.clone()
                }
            )
            .await
            .is_err()
    );
    let answers = w.store.feedback_answers(&w.org, &w.manager).await.unwrap();
    assert_eq!(
        feedback_view(&answers, 5),
        FeedbackView::TooFew { n: 1, min: 5 }
    );
    assert_eq!(
        w.store
            .own_feedback(&w.org, &s.id, &w.seller)
            .await
            .unwrap()
            .unwrap()
            .rating,
        4
    );
    assert!(
        w.store
            .own_feedback(&w.org, &s.id, &w.manager)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn concurrent_edits_of_an_agenda_item_lose_nothing() {
    let w = world().await;
    let s = w.session(SessionKind::Account, 1).await;
    w.store
        .transition(&w.org, &s.id, None, Transition::Open)
        .await
        .unwrap();
    let item = w
        .store
        .agenda(&w.org, &s.id)
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.section == Section::Focus)
        .unwrap();
    let note = w
        .store
        .add_note(&w.org, &s.id, &w.manager, "", false)
        .await
        .unwrap();
    for n in [2usize, 8, 32] {
        let mut tasks = Vec::new();
        for client in 0..n {
            let store = w.store.clone();
            let (org, item_id, note_id, manager) = (
                w.org.clone(),
                item.id.clone(),
                note.id.clone(),
                w.manager.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let mut stale = 0;
                let line = format!("[{n}:{client}]");
                loop {
                    let current = store.agenda_item_session(&org, &item_id).await.unwrap();
                    let fresh = store
                        .agenda(&org, &current.id)
                        .await
                        .unwrap()
                        .into_iter()
                        .find(|i| i.id == item_id)
                        .unwrap();
                    let patch = ItemPatch {
                        decision: Some(format!("{}{line}", fresh.decision)),
                        ..ItemPatch::default()
                    };
                    match store
                        .update_agenda_item(&org, &item_id, Some(fresh.version), patch)
                        .await
                    {
                        Ok(_) => break,
                        Err(StoreError::Stale) => stale += 1,
                        Err(e) => panic!("{e}"),
                    }
                }
                loop {
                    let fresh = store.note(&org, &note_id, &manager).await.unwrap();
                    match store
                        .save_note(
                            &org,
                            &note_id,
                            &manager,
                            Some(fresh.version),
                            Some(&format!("{}{line}", fresh.body)),
                            None,
                        )
                        .await
                    {
                        Ok(_) => break,
                        Err(StoreError::Stale) => stale += 1,
                        Err(e) => panic!("{e}"),
                    }
                }
                stale
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let decision = w
            .store
            .agenda(&w.org, &s.id)
            .await
            .unwrap()
            .into_iter()
            .find(|i| i.id == item.id)
            .unwrap()
            .decision;
        let body = w
            .store
            .note(&w.org, &note.id, &w.manager)
            .await
            .unwrap()
            .body;
        for client in 0..n {
            let line = format!("[{n}:{client}]");
            assert!(
                decision.contains(&line),
                "lost {line} in the agenda at N = {n}"
            );
            assert!(body.contains(&line), "lost {line} in the note at N = {n}");
        }
    }
}

#[tokio::test]
async fn a_call_plan_keeps_the_stage_records_the_outcome_and_takes_feedback_after_the_call() {
    use coach_store::call_plans::{CallPlanFilter, NewCallPlan, PlanText};
    let w = world().await;
    let ids = w.deals().await;
    let text = PlanText {
        objective: "Agree the evaluation criteria".into(),
        agenda: vec![("Open".into(), 5), ("Their criteria".into(), 20)],
        questions: "Who else decides?".into(),
        next_step: "A workshop with the CFO".into(),
        ..PlanText::default()
    };
    let day = Utc::now().date_naive() + Duration::days(2);
    let plan = w
        .store
        .create_call_plan(
            &w.org,
            NewCallPlan {
                seller_id: w.seller.clone(),
                opportunity_id: Some(ids[0].clone()),
                session_id: None,
                planned_for: day,
                text: text.clone(),
            },
            &w.seller,
        )
        .await
        .unwrap();
    assert!(
        plan.stage.is_some_and(|s| s.is_early()),
        "the deal's stage when planned (R30)"
    );
    assert_eq!(plan.missing(), vec!["possible solutions"]);
    let peer_deal = sqlx_free_lookup(&w, "Someone else's").await.0;
    let refused = w
        .store
        .create_call_plan(
            &w.org,
            NewCallPlan {
                seller_id: w.seller.clone(),
                opportunity_id: Some(peer_deal),
                session_id: None,
                planned_for: day,
                text: text.clone(),
            },
            &w.seller,
        )
        .await;
    assert!(matches!(refused, Err(StoreError::Invalid(e)) if e.field == "opportunity_id"));
    let empty = PlanText {
        objective: " ".into(),
        ..text.clone()
    };
    assert!(matches!(
        w.store.update_call_plan(&w.org, &plan.id, Some(plan.version), day, empty).await,
        Err(StoreError::Invalid(e)) if e.field == "objective"
    ));
    let better = PlanText {
        solutions: "A pilot in one region".into(),
        ..text
    };
    let saved = w
        .store
        .update_call_plan(&w.org, &plan.id, Some(plan.version), day, better.clone())
        .await
        .unwrap();
    assert!(saved.missing().is_empty());
    assert!(matches!(
        w.store
            .update_call_plan(&w.org, &plan.id, Some(plan.version), day, better)
            .await,
        Err(StoreError::Stale)
    ));
    let early = w
        .store
        .give_call_feedback(&w.org, &plan.id, &w.manager, "Good questions")
        .await;
    assert!(early.is_err(), "feedback follows the call");
    let held = w
        .store
        .record_call_outcome(
            &w.org,
            &plan.id,
            true,
            "They agreed to the workshop.",
            Some(&w.manager),
        )
        .await
        .unwrap();
    assert_eq!((held.next_step_won, held.observed()), (Some(true), false));
    let observed = w
        .store
        .give_call_feedback(
            &w.org,
            &plan.id,
            &w.manager,
            "You asked before proposing. Keep that.",
        )
        .await
        .unwrap();
    assert!(observed.observed());
    let mine = w
        .store
        .call_plans(
            &w.org,
            &CallPlanFilter {
                sellers: Some(vec![w.peer.clone()]),
                ..CallPlanFilter::default()
            },
        )
        .await
        .unwrap();
    assert!(mine.is_empty());
}

#[tokio::test]
async fn an_opportunity_moves_forward_only_with_its_evidence_and_negotiates_only_without_open_concerns()
 {
    use coach_core::crm::BuyingStage;
    use coach_core::opportunity_plans::{Concern, Evidence, Formality, Known, Verdict};
    use coach_store::opportunity_plans::PlanDraft;
    let w = world().await;
    w.deals().await;
    let (late,) = sqlx_free_lookup(&w, "Late one").await;
    // Nothing stored yet: the CRM says negotiation, the evidence supports
    // only the first stage (R24).
    let plan = w.store.opportunity_plan(&w.org, &late).await.unwrap();
    assert_eq!(
        (plan.version, plan.crm_stage, plan.stage),
        (0, BuyingStage::MitigateRisks, BuyingStage::IdentifyNeeds)
    );
    assert!(
        w.store
            .opportunity_plans(&w.org, None)
            .await
            .unwrap()
            .is_empty()
    );
    let mut draft = PlanDraft {
        notes: BTreeMap::from([
            (
                Evidence::BuyingProcess,
                "RFP, then a pilot, then the board".to_owned(),
            ),
            (Evidence::Needs, "Cut onboarding time by half".to_owned()),
        ]),
        verdict: Some(Verdict::Pursue),
        verdict_reasons: "Clear pain and a sponsor".into(),
        ..PlanDraft::default()
    };
    let saved = w
        .store
        .save_opportunity_plan(&w.org, &late, Some(0), draft.clone(), &w.seller)
        .await
        .unwrap();
    assert_eq!((saved.version, saved.verdict), (1, Verdict::Pursue));
    // A stale save changes nothing.
    assert!(matches!(
        w.store
            .save_opportunity_plan(&w.org, &late, Some(0), draft.clone(), &w.seller)
            .await,
        Err(StoreError::Stale)
    ));
    // Forward needs the evidence of every earlier stage; the refusal names it.
    let refused = w
        .store
        .move_opportunity_stage(
            &w.org,
            &late,
            Some(1),
            BuyingStage::EstablishCriteria,
            &w.seller,
        )
        .await;
    assert!(matches!(&refused, Err(StoreError::Invalid(e))
        if e.field == "stage" && e.message.contains("decision-makers and influencers and budget")));
    assert_eq!(
        w.store
            .opportunity_plan(&w.org, &late)
            .await
            .unwrap()
            .version,
        1
    );
    draft.notes.insert(
        Evidence::DecisionMakers,
        "CFO decides; IT lead influences".into(),
    );
    draft
        .notes
        .insert(Evidence::Budget, "120k approved for this year".into());
    let saved = w
        .store
        .save_opportunity_plan(&w.org, &late, Some(1), draft.clone(), &w.seller)
        .await
        .unwrap();
    assert_eq!(saved.supported_stage(), BuyingStage::EstablishCriteria);
    let moved = w
        .store
        .move_opportunity_stage(
            &w.org,
            &late,
            Some(saved.version),
            BuyingStage::EstablishCriteria,
            &w.seller,
        )
        .await
        .unwrap();
    assert_eq!(moved.stage, BuyingStage::EstablishCriteria);
    // Criteria and the rest of the way, then concerns.
    for (e, text) in [
        (Evidence::Criteria, "Time to value, security, price"),
        (Evidence::Competitors, "Rival A and doing nothing"),
        (Evidence::ViewOfOurs, "Best on time to value"),
        (
            Evidence::ViewOfCompetitors,
            "Rival A cheaper, weaker on security",
        ),
    ] {
        draft.notes.insert(e, text.into());
    }
    draft.concerns = vec![
        Concern {
            text: "Data residency".into(),
            response: "EU hosting".into(),
            addressed: true,
        },
        Concern {
            text: "Rollout effort".into(),
            response: String::new(),
            addressed: false,
        },
    ];
    let saved = w
        .store
        .save_opportunity_plan(&w.org, &late, Some(moved.version), draft.clone(), &w.seller)
        .await
        .unwrap();
    assert_eq!(saved.open_concerns(), 1);
    let at_risks = w
        .store
        .move_opportunity_stage(&w.org, &late, None, BuyingStage::MitigateRisks, &w.manager)
        .await
        .unwrap();
    // R23: refused while a concern is open; recorded with a reason.
    let refused = w
        .store
        .start_negotiation(&w.org, &late, None, None, &w.seller)
        .await;
    assert!(matches!(&refused, Err(StoreError::Invalid(e)) if e.field == "override_reason"));
    let started = w
        .store
        .start_negotiation(
            &w.org,
            &late,
            Some(at_risks.version),
            Some("Budget lapses at quarter end"),
            &w.manager,
        )
        .await
        .unwrap();
    let n = started.negotiation.clone().unwrap();
    assert_eq!(
        (n.by.as_str(), n.override_reason.as_deref()),
        (w.manager.as_str(), Some("Budget lapses at quarter end"))
    );
    assert!(
        w.store
            .start_negotiation(&w.org, &late, None, None, &w.seller)
            .await
            .is_err()
    );
    // Moving back undoes the start; the moves are logged in order.
    let back = w
        .store
        .move_opportunity_stage(&w.org, &late, None, BuyingStage::AssessSolutions, &w.seller)
        .await
        .unwrap();
    assert_eq!(back.negotiation, None);
    let moves = w.store.stage_moves(&w.org, &late).await.unwrap();
    assert_eq!(
        moves.iter().map(|m| (m.from, m.to)).collect::<Vec<_>>(),
        [
            (BuyingStage::IdentifyNeeds, BuyingStage::EstablishCriteria),
            (BuyingStage::EstablishCriteria, BuyingStage::MitigateRisks),
            (BuyingStage::MitigateRisks, BuyingStage::AssessSolutions),
        ]
    );
    assert_eq!(moves[1].by, w.manager);
    // Bad input names its field and keeps the data.
    let before = w.store.opportunity_plan(&w.org, &late).await.unwrap();
    let bad = PlanDraft {
        verdict: Some(Verdict::Drop),
        verdict_reasons: " ".into(),
        ..draft.clone()
    };
    assert!(matches!(
        w.store.save_opportunity_plan(&w.org, &late, None, bad, &w.seller).await,
        Err(StoreError::Invalid(e)) if e.field == "verdict_reasons"
    ));
    let bad = PlanDraft {
        concerns: vec![Concern {
            text: " ".into(),
            response: String::new(),
            addressed: false,
        }],
        ..draft
    };
    assert!(matches!(
        w.store.save_opportunity_plan(&w.org, &late, None, bad, &w.seller).await,
        Err(StoreError::Invalid(e)) if e.field == "concerns"
    ));
    assert_eq!(
        w.store.opportunity_plan(&w.org, &late).await.unwrap(),
        before
    );
    let listed = w
        .store
        .opportunity_plans(&w.org, Some(std::slice::from_ref(&w.seller)))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert!(
        w.store
            .opportunity_plans(&w.org, Some(std::slice::from_ref(&w.peer)))
            .await
            .unwrap()
            .is_empty()
    );
    // Formality rules (R16) are the organization's.
    assert_eq!(
        w.store.formality(&w.org).await.unwrap(),
        Formality::default()
    );
    let rules = Formality {
        min_amount: Some(rust_decimal::Decimal::from(50_000)),
        currency: Some("eur".into()),
        min_importance: None,
        ..Formality::default()
    };
    let set = w.store.set_formality(&w.org, rules).await.unwrap();
    assert_eq!(
        (set.currency.as_deref(), set.min_importance),
        (Some("EUR"), None)
    );
    assert_eq!(set.min_amount, Some(rust_decimal::Decimal::from(50_000)));
}
