//! The ROA model in the store (R1–R5): the default model, the chain rules
//! (R2), the standards rule (R4) with its history, activities from the CRM,
//! scoring, targets, and the values the scorecard reads; on both databases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Days, NaiveDate, Utc};
use coach_core::import::{Mapping, RecordKind};
use coach_core::records::CallKind;
use coach_core::roa::{
    ActivityGroup, Criterion, CrmSource, MeasureLevel, MeasureValue, Metric, Per, Period, Rubric,
    scorecard,
};
use coach_core::{Role, Roles};
use coach_store::crm::ImportRequest;
use coach_store::roa::{
    ActivityFilter, ActivityTypePatch, MeasurePatch, NewActivity, NewActivityType, NewMeasure,
    NewStandard, TargetScope,
};
use coach_store::testing::{TestDatabase, fresh_store};
use coach_store::{NewUser, Store, StoreError};
use rust_decimal::Decimal;

struct World {
    store: Store,
    _db: TestDatabase,
    org: String,
    other: String,
    manager: String,
    seller: String,
}

async fn world() -> World {
    let (store, db) = fresh_store().await;
    let org = store.create_org("acme", "Acme", "UTC").await.unwrap();
    let other = store.create_org("other", "Other", "UTC").await.unwrap();
    let manager = store
        .create_user(
            &org.id,
            NewUser {
                email: "manager@acme.example".into(),
                name: "Manager".into(),
                roles: Roles::new([Role::Manager]),
                ..NewUser::default()
            },
        )
        .await
        .unwrap();
    let seller = store
        .create_user(
            &org.id,
            NewUser {
                email: "seller@acme.example".into(),
                name: "Seller".into(),
                roles: Roles::new([Role::Seller]),
                manager_id: Some(manager.id.clone()),
                ..NewUser::default()
            },
        )
        .await
        .unwrap();
    World {
        store,
        _db: db,
        org: org.id,
        other: other.id,
        manager: manager.id,
        seller: seller.id,
    }
}

fn rubric(criteria: usize) -> Rubric {
    Rubric {
        criteria: (1..=criteria)
            .map(|i| Criterion {
                name: format!("Criterion {i}"),
                levels: vec!["Weak".into(), "Fair".into(), "Good".into()],
            })
            .collect(),
        good_level: 2,
    }
}

fn standard(quantity: i64) -> NewStandard {
    NewStandard {
        quantity,
        per: Per::Week,
        team_id: None,
        rubric: rubric(2),
    }
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

async fn objective(w: &World, name: &str) -> String {
    let model = w.store.roa_model(&w.org).await.unwrap();
    model
        .level(MeasureLevel::Objective)
        .find(|m| m.name == name)
        .unwrap()
        .id
        .clone()
}

async fn import_csv(w: &World, kind: RecordKind, csv: String) {
    let report = w
        .store
        .import(
            &w.org,
            std::io::Cursor::new(csv.into_bytes()),
            &ImportRequest::new(kind, Mapping::default()),
            None,
            &mut |_| {},
        )
        .await
        .unwrap();
    assert!(report.written, "{:?}", report.errors);
}

#[tokio::test]
async fn a_new_organization_starts_from_the_default_model() {
    let w = world().await;
    let model = w.store.roa_model(&w.org).await.unwrap();
    assert_eq!(model.level(MeasureLevel::Result).count(), 3);
    assert_eq!(model.level(MeasureLevel::Objective).count(), 5);
    assert_eq!(model.activity_types.len(), 6);
    for o in model.level(MeasureLevel::Objective) {
        assert!(!o.drives.is_empty(), "{} drives a result (R2)", o.name);
    }
    for t in &model.activity_types {
        assert!(t.active && !t.drives.is_empty(), "{}", t.name);
        let s = t.current().unwrap();
        assert_eq!(s.seq, 1);
        assert!(!s.rubric.criteria.is_empty());
    }
    let groups: std::collections::BTreeSet<_> =
        model.activity_types.iter().map(|t| t.group).collect();
    assert_eq!(groups.len(), 4);
    // Every organization has its own.
    let other = w.store.roa_model(&w.other).await.unwrap();
    assert_eq!(other.activity_types.len(), 6);
    assert!(
        other
            .activity_types
            .iter()
            .all(|t| model.activity_type(&t.id).is_none())
    );
}

#[tokio::test]
async fn an_activity_type_cannot_be_active_without_both_standards() {
    let w = world().await;
    let close = objective(&w, "Close rate").await;
    let new = |active: bool, standard: Option<NewStandard>| NewActivityType {
        name: "Reference call arranged".into(),
        group: ActivityGroup::Opportunity,
        description: String::new(),
        drives: vec![close.clone()],
        crm_source: None,
        standard,
        active,
    };
    let refused = w
        .store
        .create_activity_type(&w.org, new(true, None), None)
        .await;
    assert!(
        matches!(&refused, Err(StoreError::Invalid(e)) if e.field == "active" && e.message.contains("R4")),
        "{refused:?}"
    );
    let id = w
        .store
        .create_activity_type(&w.org, new(false, None), None)
        .await
        .unwrap();
    let activate = ActivityTypePatch {
        active: Some(true),
        ..ActivityTypePatch::default()
    };
    let refused = w
        .store
        .update_activity_type(&w.org, &id, None, activate.clone(), None)
        .await;
    assert!(matches!(&refused, Err(StoreError::Invalid(e)) if e.field == "active"));
    let model = w.store.roa_model(&w.org).await.unwrap();
    assert!(!model.activity_type(&id).unwrap().active, "nothing changed");

    // An empty rubric is no qualitative standard.
    let mut bad = standard(2);
    bad.rubric.criteria.clear();
    let refused = w
        .store
        .update_activity_type(
            &w.org,
            &id,
            None,
            ActivityTypePatch {
                standard: Some(bad),
                active: Some(true),
                ..ActivityTypePatch::default()
            },
            None,
        )
        .await;
    assert!(matches!(&refused, Err(StoreError::Invalid(e)) if e.field == "rubric"));
    let refused = w
        .store
        .update_activity_type(
            &w.org,
            &id,
            None,
            ActivityTypePatch {
                standard: Some(standard(0)),
                active: Some(true),
                ..ActivityTypePatch::default()
            },
            None,
        )
        .await;
    assert!(matches!(&refused, Err(StoreError::Invalid(e)) if e.field == "quantity"));

    let version = w
        .store
        .roa_model(&w.org)
        .await
        .unwrap()
        .activity_type(&id)
        .unwrap()
        .version;
    w.store
        .update_activity_type(
            &w.org,
            &id,
            Some(version),
            ActivityTypePatch {
                standard: Some(standard(2)),
                active: Some(true),
                ..ActivityTypePatch::default()
            },
            None,
        )
        .await
        .unwrap();
    let t = w
        .store
        .roa_model(&w.org)
        .await
        .unwrap()
        .activity_type(&id)
        .unwrap()
        .clone();
    assert!(t.active);
    assert_eq!(
        (t.current().unwrap().quantity, t.current().unwrap().seq),
        (2, 1)
    );
    let stale = w
        .store
        .update_activity_type(&w.org, &id, Some(version), activate, None)
        .await;
    assert!(matches!(stale, Err(StoreError::Stale)));
}

#[tokio::test]
async fn the_chain_needs_its_links() {
    let w = world().await;
    let refused = w
        .store
        .create_measure(
            &w.org,
            NewMeasure {
                level: MeasureLevel::Objective,
                name: "Upsell rate".into(),
                description: String::new(),
                unit: Some(coach_core::roa::Unit::Percent),
                metric: Metric::Entered,
                drives: vec![],
            },
        )
        .await;
    assert!(
        matches!(&refused, Err(StoreError::Invalid(e)) if e.field == "drives" && e.message.contains("R2"))
    );
    let refused = w
        .store
        .create_activity_type(
            &w.org,
            NewActivityType {
                name: "Lunch".into(),
                group: ActivityGroup::Account,
                description: String::new(),
                drives: vec![],
                crm_source: None,
                standard: Some(standard(1)),
                active: true,
            },
            None,
        )
        .await;
    assert!(matches!(&refused, Err(StoreError::Invalid(e)) if e.field == "drives"));
    // An objective of another organization is not a link target.
    let foreign = w.store.roa_model(&w.other).await.unwrap();
    let theirs = foreign
        .level(MeasureLevel::Objective)
        .next()
        .unwrap()
        .id
        .clone();
    let refused = w
        .store
        .create_activity_type(
            &w.org,
            NewActivityType {
                name: "Lunch".into(),
                group: ActivityGroup::Account,
                description: String::new(),
                drives: vec![theirs],
                crm_source: None,
                standard: Some(standard(1)),
                active: true,
            },
            None,
        )
        .await;
    assert!(matches!(&refused, Err(StoreError::Invalid(e)) if e.field == "drives"));

    // "Sales to new customer types" drives only market share: market share
    // cannot go while it does.
    let model = w.store.roa_model(&w.org).await.unwrap();
    let share = model
        .level(MeasureLevel::Result)
        .find(|m| m.name == "Market share")
        .unwrap()
        .id
        .clone();
    let refused = w.store.delete_measure(&w.org, &share).await;
    assert!(
        matches!(&refused, Err(StoreError::Invalid(e)) if e.message.contains("Sales to new customer types")),
        "{refused:?}"
    );
    let by_type = objective(&w, "Sales to new customer types").await;
    let revenue = model
        .level(MeasureLevel::Result)
        .find(|m| m.name == "Revenue")
        .unwrap()
        .id
        .clone();
    w.store
        .update_measure(
            &w.org,
            &by_type,
            MeasurePatch {
                drives: Some(vec![revenue]),
                ..MeasurePatch::default()
            },
        )
        .await
        .unwrap();
    w.store.delete_measure(&w.org, &share).await.unwrap();
    let model = w.store.roa_model(&w.org).await.unwrap();
    assert!(model.measure(&share).is_none());
    assert!(model.measures.iter().all(|m| !m.drives.contains(&share)));
    assert!(matches!(
        w.store.delete_measure(&w.org, &share).await,
        Err(StoreError::NotFound)
    ));
    // Names are unique per level, ignoring case.
    let dup = w
        .store
        .update_measure(
            &w.org,
            &by_type,
            MeasurePatch {
                name: Some("close RATE".into()),
                ..MeasurePatch::default()
            },
        )
        .await;
    assert!(matches!(&dup, Err(StoreError::Invalid(e)) if e.field == "name"));
}

#[tokio::test]
async fn scores_are_judged_against_the_standard_in_force_on_the_day() {
    let w = world().await;
    let model = w.store.roa_model(&w.org).await.unwrap();
    let demo = model
        .activity_types
        .iter()
        .find(|t| t.name == "Product demo held")
        .unwrap()
        .clone();
    assert_eq!(demo.current().unwrap().rubric.criteria.len(), 2);
    let earlier = today().checked_sub_days(Days::new(10)).unwrap();
    let old = w
        .store
        .log_activity(
            &w.org,
            NewActivity {
                type_id: demo.id.clone(),
                seller_id: w.seller.clone(),
                occurred_on: earlier,
                note: "Demo for Cobalt".into(),
            },
            &w.seller,
        )
        .await
        .unwrap();
    // A new standard today: three criteria, good from level 2 of 3.
    w.store
        .update_activity_type(
            &w.org,
            &demo.id,
            None,
            ActivityTypePatch {
                standard: Some(NewStandard {
                    rubric: rubric(3),
                    ..standard(3)
                }),
                ..ActivityTypePatch::default()
            },
            Some(&w.manager),
        )
        .await
        .unwrap();
    let now = w
        .store
        .log_activity(
            &w.org,
            NewActivity {
                type_id: demo.id.clone(),
                seller_id: w.seller.clone(),
                occurred_on: today(),
                note: String::new(),
            },
            &w.seller,
        )
        .await
        .unwrap();
    // The old activity is scored on the old rubric's two criteria.
    let refused = w
        .store
        .score_activity(&w.org, &old.id, &[3, 3, 3], "", &w.manager)
        .await;
    assert!(matches!(&refused, Err(StoreError::Invalid(e)) if e.field == "levels"));
    let score = w
        .store
        .score_activity(&w.org, &old.id, &[3, 4], "Tailored well", &w.manager)
        .await
        .unwrap();
    assert_eq!(score.standard_seq, 1);
    let score = w
        .store
        .score_activity(&w.org, &now.id, &[2, 2, 3], "", &w.manager)
        .await
        .unwrap();
    assert_eq!(score.standard_seq, 2);
    let refused = w
        .store
        .score_activity(&w.org, &now.id, &[4, 2, 3], "", &w.manager)
        .await;
    assert!(matches!(&refused, Err(StoreError::Invalid(e)) if e.message.contains("1 to 3")));
    // Scoring again replaces the score.
    w.store
        .score_activity(&w.org, &old.id, &[1, 2], "Second look", &w.manager)
        .await
        .unwrap();
    let old = w.store.activity(&w.org, &old.id).await.unwrap();
    let s = old.score.unwrap();
    assert_eq!(
        (s.levels, s.comment.as_str(), s.scored_by_name.as_str()),
        (vec![1, 2], "Second look", "Manager")
    );
    let history = &w.store.roa_model(&w.org).await.unwrap();
    let t = history.activity_type(&demo.id).unwrap();
    assert_eq!(t.standards.len(), 2);
    assert_eq!(t.standard_on(earlier).unwrap().seq, 1);
    assert_eq!(t.standard_on(today()).unwrap().seq, 2);
    // Another organization's id is not found.
    assert!(matches!(
        w.store
            .score_activity(&w.other, &now.id, &[1, 1, 1], "", &w.manager)
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        w.store.activity(&w.other, &now.id).await,
        Err(StoreError::NotFound)
    ));
}

#[tokio::test]
async fn logging_checks_the_day_and_the_type() {
    let w = world().await;
    let model = w.store.roa_model(&w.org).await.unwrap();
    let t = model.activity_types[0].id.clone();
    let log = |type_id: String, on: NaiveDate| NewActivity {
        type_id,
        seller_id: w.seller.clone(),
        occurred_on: on,
        note: String::new(),
    };
    let tomorrow = today().checked_add_days(Days::new(2)).unwrap();
    let refused = w
        .store
        .log_activity(&w.org, log(t.clone(), tomorrow), &w.seller)
        .await;
    assert!(matches!(&refused, Err(StoreError::Invalid(e)) if e.field == "occurred_on"));
    let foreign = w.store.roa_model(&w.other).await.unwrap().activity_types[0]
        .id
        .clone();
    let refused = w
        .store
        .log_activity(&w.org, log(foreign, today()), &w.seller)
        .await;
    assert!(matches!(&refused, Err(StoreError::Invalid(e)) if e.field == "type_id"));
    w.store
        .update_activity_type(
            &w.org,
            &t,
            None,
            ActivityTypePatch {
                active: Some(false),
                ..ActivityTypePatch::default()
            },
            None,
        )
        .await
        .unwrap();
    let refused = w
        .store
        .log_activity(&w.org, log(t, today()), &w.seller)
        .await;
    assert!(matches!(&refused, Err(StoreError::Invalid(e)) if e.message.contains("not active")));
    assert!(
        w.store
            .activities(&w.org, &ActivityFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn mapped_crm_calls_count_as_activities() {
    let w = world().await;
    import_csv(
        &w,
        RecordKind::Calls,
        "source_id,subject,owner,occurred_at,kind\n\
         C-1,Demo for Cobalt,seller@acme.example,2026-11-02 10:00,demo\n\
         C-2,Intro call,seller@acme.example,2026-11-03 10:00,phone\n\
         C-3,Visit,seller@acme.example,2026-11-04 10:00,meeting\n"
            .into(),
    )
    .await;
    let all = w
        .store
        .activities(&w.org, &ActivityFilter::default())
        .await
        .unwrap();
    let mut names: Vec<(&str, Option<&str>)> = all
        .iter()
        .map(|a| (a.type_name.as_str(), a.call_subject.as_deref()))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            ("Product demo held", Some("Demo for Cobalt")),
            ("Prospecting to target segments", Some("Intro call")),
        ]
    );
    assert_eq!(all[0].occurred_on.to_string().len(), 10);
    // Meetings count once an activity type maps them; demos stop counting
    // when the mapping goes, except a scored one.
    let model = w.store.roa_model(&w.org).await.unwrap();
    let demo = model
        .activity_types
        .iter()
        .find(|t| t.crm_source == Some(CrmSource::Call(CallKind::Demo)))
        .unwrap()
        .id
        .clone();
    let phone_activity = all
        .iter()
        .find(|a| a.call_subject.as_deref() == Some("Intro call"))
        .unwrap();
    w.store
        .score_activity(&w.org, &phone_activity.id, &[3, 3], "", &w.manager)
        .await
        .unwrap();
    w.store
        .update_activity_type(
            &w.org,
            &demo,
            None,
            ActivityTypePatch {
                crm_source: Some(Some(CrmSource::Call(CallKind::Meeting))),
                ..ActivityTypePatch::default()
            },
            None,
        )
        .await
        .unwrap();
    let prospecting = model
        .activity_types
        .iter()
        .find(|t| t.crm_source == Some(CrmSource::Call(CallKind::Phone)))
        .unwrap()
        .id
        .clone();
    w.store
        .update_activity_type(
            &w.org,
            &prospecting,
            None,
            ActivityTypePatch {
                crm_source: Some(None),
                ..ActivityTypePatch::default()
            },
            None,
        )
        .await
        .unwrap();
    let mut now: Vec<Option<String>> = w
        .store
        .activities(&w.org, &ActivityFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.call_subject)
        .collect();
    now.sort();
    assert_eq!(
        now,
        [Some("Intro call".to_owned()), Some("Visit".to_owned())]
    );
    // Syncing again adds nothing.
    assert_eq!(w.store.sync_crm_activities(&w.org).await.unwrap(), 0);

    // Opportunities opened count once a type maps them, on the day they
    // were created, for their owner; a reassigned deal moves its unscored
    // activity to the new owner.
    w.store
        .update_activity_type(
            &w.org,
            &prospecting,
            None,
            ActivityTypePatch {
                crm_source: Some(Some(CrmSource::OpportunityOpened)),
                ..ActivityTypePatch::default()
            },
            None,
        )
        .await
        .unwrap();
    let deals = |owner: &str| {
        format!(
            "source_id,name,owner,stage,created_date\n\
             O-1,Cobalt pilot,{owner},Prospecting,2026-11-03\n\
             O-2,No date,seller@acme.example,Prospecting,\n"
        )
    };
    import_csv(&w, RecordKind::Opportunities, deals("seller@acme.example")).await;
    let opened: Vec<_> = w
        .store
        .activities(&w.org, &ActivityFilter::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.opportunity_id.is_some())
        .collect();
    assert_eq!(
        opened.len(),
        1,
        "the deal without a creation date does not count"
    );
    assert_eq!(
        (
            opened[0].opportunity_name.as_deref(),
            opened[0].occurred_on.to_string().as_str(),
            opened[0].seller_id.as_str()
        ),
        (Some("Cobalt pilot"), "2026-11-03", w.seller.as_str())
    );
    import_csv(&w, RecordKind::Opportunities, deals("manager@acme.example")).await;
    let moved: Vec<_> = w
        .store
        .activities(&w.org, &ActivityFilter::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.opportunity_id.is_some())
        .collect();
    assert_eq!(moved.len(), 1);
    assert_eq!(moved[0].seller_id, w.manager, "counted for the new owner");
    // Deactivating the type stops the counting of unscored records.
    w.store
        .update_activity_type(
            &w.org,
            &prospecting,
            None,
            ActivityTypePatch {
                active: Some(false),
                ..ActivityTypePatch::default()
            },
            None,
        )
        .await
        .unwrap();
    let left: Vec<_> = w
        .store
        .activities(&w.org, &ActivityFilter::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.type_id == prospecting)
        .map(|a| a.score.is_some())
        .collect();
    assert_eq!(left, [true], "only the scored phone call stays");
}

#[tokio::test]
async fn the_scorecard_reads_values_and_the_nearest_target() {
    let w = world().await;
    // November 2026: two deals won (1000 + 500 EUR), one lost, one created
    // (the 500) plus one created and still open (2000).
    import_csv(
        &w,
        RecordKind::Opportunities,
        "source_id,name,owner,stage,amount,currency,close_date,created_date\n\
         O-1,Won big,seller@acme.example,Closed Won,1000,EUR,2026-11-10,2026-09-01\n\
         O-2,Won small,seller@acme.example,Closed Won,500,EUR,2026-11-20,2026-11-02\n\
         O-3,Lost,seller@acme.example,Closed Lost,700,EUR,2026-11-21,2026-10-01\n\
         O-4,Open,seller@acme.example,Prospecting,2000,EUR,2027-01-31,2026-11-15\n\
         O-5,Won in October,seller@acme.example,Closed Won,900,EUR,2026-10-31,2026-10-01\n"
            .into(),
    )
    .await;
    let november: Period = "2026-11".parse().unwrap();
    let model = w.store.roa_model(&w.org).await.unwrap();
    let id = |name: &str| {
        model
            .measures
            .iter()
            .find(|m| m.name == name)
            .unwrap()
            .id
            .clone()
    };
    let close = id("Close rate");
    // The organization's target, overridden for the team, then the seller.
    w.store
        .set_target(
            &w.org,
            &close,
            november,
            TargetScope::Organization,
            "50",
            &w.manager,
        )
        .await
        .unwrap();
    w.store
        .set_target(
            &w.org,
            &close,
            november,
            TargetScope::Team(w.manager.clone()),
            "60",
            &w.manager,
        )
        .await
        .unwrap();
    w.store
        .set_target(
            &w.org,
            &id("Revenue"),
            november,
            TargetScope::Seller(w.seller.clone()),
            "1200.50",
            &w.manager,
        )
        .await
        .unwrap();
    let refused = w
        .store
        .set_target(
            &w.org,
            &close,
            november,
            TargetScope::Organization,
            "120",
            &w.manager,
        )
        .await;
    assert!(matches!(&refused, Err(StoreError::Invalid(e)) if e.field == "value"));
    let refused = w
        .store
        .set_value(&w.org, &close, &w.seller, november, "10", &w.manager)
        .await;
    assert!(matches!(&refused, Err(StoreError::Invalid(e)) if e.message.contains("computed")));
    w.store
        .set_value(
            &w.org,
            &id("Profit"),
            &w.seller,
            november,
            "310.25",
            &w.manager,
        )
        .await
        .unwrap();

    let facts = w
        .store
        .seller_facts(
            &w.org,
            &model,
            &[(w.seller.clone(), Some(w.manager.clone()))],
            november.start(),
            november.end(),
            Some(november),
        )
        .await
        .unwrap();
    let f = &facts[0];
    let eur = |v: i64| MeasureValue::Money([("EUR".to_owned(), Decimal::from(v))].into());
    assert_eq!(f.values[&id("Revenue")], eur(1500));
    assert_eq!(f.values[&id("Pipeline created")], eur(2500));
    assert_eq!(f.values[&close], MeasureValue::Rate { won: 2, of: 3 });
    assert_eq!(f.values[&id("Deals won")], MeasureValue::Count(2));
    assert_eq!(
        f.values[&id("Profit")],
        MeasureValue::Entered("310.25".parse().unwrap())
    );
    assert_eq!(f.values[&id("Market share")], MeasureValue::Missing);
    assert_eq!(f.targets[&close], Decimal::from(60));
    assert_eq!(
        f.targets[&id("Revenue")],
        "1200.5".parse::<Decimal>().unwrap()
    );

    let card = scorecard(
        &model.view(),
        f,
        november,
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
    );
    let line = card.objectives.iter().find(|o| o.id == close).unwrap();
    assert_eq!(line.target_met, Some(true), "2 of 3 = 66.7% ≥ 60%");
    let revenue = card.results.iter().find(|r| r.name == "Revenue").unwrap();
    assert_eq!(revenue.target_met, Some(true), "1500 ≥ 1200.50");
    // Every activity drives close rate, revenue… only those driving an
    // objective with a target are aligned (R3).
    let unaligned: Vec<&str> = card.unaligned().map(|a| a.name.as_str()).collect();
    assert_eq!(
        unaligned,
        ["Territory plan reviewed", "Prospecting to target segments"]
    );
    // Another seller on another team gets the organization's target.
    w.store
        .remove_target(
            &w.org,
            &close,
            november,
            &TargetScope::Team(w.manager.clone()),
        )
        .await
        .unwrap();
    let facts = w
        .store
        .seller_facts(
            &w.org,
            &model,
            &[(w.seller.clone(), None)],
            november.start(),
            november.end(),
            Some(november),
        )
        .await
        .unwrap();
    assert_eq!(facts[0].targets[&close], Decimal::from(50));
}

#[tokio::test]
async fn deleting_an_organization_deletes_its_model() {
    let w = world().await;
    let model = w.store.roa_model(&w.org).await.unwrap();
    w.store
        .log_activity(
            &w.org,
            NewActivity {
                type_id: model.activity_types[0].id.clone(),
                seller_id: w.seller.clone(),
                occurred_on: today(),
                note: String::new(),
            },
            &w.seller,
        )
        .await
        .unwrap();
    w.store.delete_org(&w.org).await.unwrap();
    assert!(w.store.roa_model(&w.org).await.unwrap().measures.is_empty());
    assert_eq!(
        w.store
            .roa_model(&w.other)
            .await
            .unwrap()
            .activity_types
            .len(),
        6
    );
}
