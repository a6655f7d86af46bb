//! The store conformance suite: the same behaviour on SQLite and PostgreSQL.
//! Run with `COACH_TEST_DATABASE=postgres` for the second backend.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, Utc};
use coach_core::{Role, Roles};
use coach_store::testing::fresh_store;
use coach_store::{NewUser, StoreError, UserFilter, UserPatch};

fn person(email: &str, roles: &[Role], manager: Option<&str>) -> NewUser {
    NewUser {
        email: email.to_owned(),
        name: email.split('@').next().unwrap().to_owned(),
        roles: Roles::new(roles.iter().copied()),
        manager_id: manager.map(str::to_owned),
        ..NewUser::default()
    }
}

#[tokio::test]
async fn migrations_apply_once_and_a_second_run_changes_nothing() {
    let (store, _db) = fresh_store().await;
    assert_eq!(
        store.applied_migrations().await.unwrap(),
        store.known_migrations()
    );
    assert_eq!(store.migrate().await.unwrap(), 0);
}

#[tokio::test]
async fn migration_folders_hold_the_same_versions_for_both_databases() {
    let names = |dir: &str| {
        let mut v: Vec<String> = std::fs::read_dir(format!(
            "{}/../../migrations/{dir}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
        v.sort();
        v
    };
    assert!(!names("sqlite").is_empty());
    assert_eq!(names("sqlite"), names("postgres"));
}

#[tokio::test]
async fn an_organization_slug_is_unique() {
    let (store, _db) = fresh_store().await;
    let org = store
        .create_org("acme", "Acme", "Europe/Berlin")
        .await
        .unwrap();
    assert_eq!(store.org_by_slug("acme").await.unwrap(), org);
    let again = store.create_org("acme", "Other", "UTC").await;
    assert!(matches!(again, Err(StoreError::Invalid(e)) if e.field == "slug"));
    assert!(matches!(
        store.org_by_slug("nope").await,
        Err(StoreError::NotFound)
    ));
}

#[tokio::test]
async fn people_keep_their_roles_manager_and_organization_time_zone() {
    let (store, _db) = fresh_store().await;
    let org = store
        .create_org("acme", "Acme", "Europe/Berlin")
        .await
        .unwrap();
    let d = store
        .create_user(
            &org.id,
            person("D@acme.test", &[Role::Director, Role::Manager], None),
        )
        .await
        .unwrap();
    let s = store
        .create_user(&org.id, person("s@acme.test", &[Role::Seller], Some(&d.id)))
        .await
        .unwrap();
    assert_eq!(d.email, "d@acme.test");
    assert_eq!(d.roles.names(), ["director", "manager"]);
    assert_eq!(s.manager_id.as_deref(), Some(d.id.as_str()));
    assert_eq!(s.time_zone, "Europe/Berlin");
    assert!(s.active);
    assert_eq!(
        store
            .user_by_email(&org.id, "S@ACME.test")
            .await
            .unwrap()
            .id,
        s.id
    );
}

#[tokio::test]
async fn an_email_signs_in_to_one_account_only() {
    let (store, _db) = fresh_store().await;
    let a = store.create_org("a-org", "A", "UTC").await.unwrap();
    let b = store.create_org("b-org", "B", "UTC").await.unwrap();
    store
        .create_user(&a.id, person("x@example.com", &[Role::Seller], None))
        .await
        .unwrap();
    let dup = store
        .create_user(&b.id, person("X@example.com", &[Role::Seller], None))
        .await;
    assert!(matches!(dup, Err(StoreError::Invalid(e)) if e.field == "email"));
}

#[tokio::test]
async fn a_person_of_another_organization_is_not_found_by_id() {
    let (store, _db) = fresh_store().await;
    let a = store.create_org("a-org", "A", "UTC").await.unwrap();
    let b = store.create_org("b-org", "B", "UTC").await.unwrap();
    let x = store
        .create_user(&a.id, person("x@example.com", &[Role::Seller], None))
        .await
        .unwrap();
    assert!(matches!(
        store.user(&b.id, &x.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(
        store
            .users(&b.id, &UserFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    let cross = store
        .create_user(&b.id, person("y@example.com", &[Role::Seller], Some(&x.id)))
        .await;
    assert!(matches!(cross, Err(StoreError::Invalid(e)) if e.field == "manager_id"));
    let patch = UserPatch {
        name: Some("Hijack".into()),
        ..UserPatch::default()
    };
    assert!(matches!(
        store.update_user(&b.id, &x.id, patch, None).await,
        Err(StoreError::NotFound)
    ));
}

#[tokio::test]
async fn reporting_lines_cannot_loop() {
    let (store, _db) = fresh_store().await;
    let org = store.create_org("acme", "Acme", "UTC").await.unwrap();
    let d = store
        .create_user(&org.id, person("d@a.test", &[Role::Director], None))
        .await
        .unwrap();
    let m = store
        .create_user(&org.id, person("m@a.test", &[Role::Manager], Some(&d.id)))
        .await
        .unwrap();
    let patch = UserPatch {
        manager_id: Some(Some(m.id.clone())),
        ..UserPatch::default()
    };
    let err = store.update_user(&org.id, &d.id, patch, None).await;
    assert!(matches!(err, Err(StoreError::Invalid(e)) if e.field == "manager_id"));
    assert_eq!(store.user(&org.id, &d.id).await.unwrap().manager_id, None);
    let chart = store.org_chart(&org.id).await.unwrap();
    assert!(chart.is_below(&m.id, &d.id));
}

#[tokio::test]
async fn a_stale_version_changes_nothing() {
    let (store, _db) = fresh_store().await;
    let org = store.create_org("acme", "Acme", "UTC").await.unwrap();
    let u = store
        .create_user(&org.id, person("u@a.test", &[Role::Seller], None))
        .await
        .unwrap();
    let first = UserPatch {
        name: Some("First".into()),
        ..UserPatch::default()
    };
    let v2 = store
        .update_user(&org.id, &u.id, first, Some(u.version))
        .await
        .unwrap();
    assert_eq!(v2.version, u.version + 1);
    let second = UserPatch {
        name: Some("Second".into()),
        ..UserPatch::default()
    };
    assert!(matches!(
        store
            .update_user(&org.id, &u.id, second, Some(u.version))
            .await,
        Err(StoreError::Stale)
    ));
    assert_eq!(store.user(&org.id, &u.id).await.unwrap().name, "First");
}

#[tokio::test]
async fn users_list_filters_and_pages_in_id_order() {
    let (store, _db) = fresh_store().await;
    let org = store.create_org("acme", "Acme", "UTC").await.unwrap();
    let m = store
        .create_user(&org.id, person("m@a.test", &[Role::Manager], None))
        .await
        .unwrap();
    let mut sellers = Vec::new();
    for i in 0..5 {
        sellers.push(
            store
                .create_user(
                    &org.id,
                    person(&format!("s{i}@a.test"), &[Role::Seller], Some(&m.id)),
                )
                .await
                .unwrap(),
        );
    }
    let f = UserFilter {
        role: Some(Role::Seller),
        limit: Some(2),
        ..UserFilter::default()
    };
    let page1 = store.users(&org.id, &f).await.unwrap();
    assert_eq!(
        page1.iter().map(|u| &u.email).collect::<Vec<_>>(),
        ["s0@a.test", "s1@a.test"]
    );
    let f2 = UserFilter {
        after: Some(page1[1].id.clone()),
        ..f.clone()
    };
    let page2 = store.users(&org.id, &f2).await.unwrap();
    assert_eq!(page2[0].email, "s2@a.test");
    let by_manager = UserFilter {
        manager_id: Some(m.id.clone()),
        ..UserFilter::default()
    };
    assert_eq!(store.users(&org.id, &by_manager).await.unwrap().len(), 5);
    let search = UserFilter {
        search: Some("S3".into()),
        ..UserFilter::default()
    };
    assert_eq!(
        store.users(&org.id, &search).await.unwrap()[0].email,
        "s3@a.test"
    );
    let only = UserFilter {
        only: Some(vec![sellers[4].id.clone()]),
        ..UserFilter::default()
    };
    assert_eq!(store.users(&org.id, &only).await.unwrap().len(), 1);
}

#[tokio::test]
async fn deactivation_keeps_the_person_and_ends_their_sessions() {
    let (store, _db) = fresh_store().await;
    let org = store.create_org("acme", "Acme", "UTC").await.unwrap();
    let u = store
        .create_user(&org.id, person("u@a.test", &[Role::Seller], None))
        .await
        .unwrap();
    let (cookie, _) = store.create_session(&org.id, &u.id).await.unwrap();
    assert!(store.session(&cookie).await.unwrap().is_some());
    let off = UserPatch {
        active: Some(false),
        ..UserPatch::default()
    };
    let u2 = store.update_user(&org.id, &u.id, off, None).await.unwrap();
    assert!(!u2.active);
    assert!(store.session(&cookie).await.unwrap().is_none());
    let inactive = UserFilter {
        active: Some(false),
        ..UserFilter::default()
    };
    assert_eq!(store.users(&org.id, &inactive).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_password_change_ends_every_session_of_that_person() {
    let (store, _db) = fresh_store().await;
    let org = store.create_org("acme", "Acme", "UTC").await.unwrap();
    let u = store
        .create_user(&org.id, person("u@a.test", &[Role::Seller], None))
        .await
        .unwrap();
    let (c1, _) = store.create_session(&org.id, &u.id).await.unwrap();
    let (c2, s2) = store.create_session(&org.id, &u.id).await.unwrap();
    assert_ne!(c1, c2);
    assert_eq!(
        store.session(&c2).await.unwrap().unwrap().csrf_token,
        s2.csrf_token
    );
    store
        .set_password_hash(&org.id, &u.id, "$argon2id$fake")
        .await
        .unwrap();
    assert!(store.session(&c1).await.unwrap().is_none());
    assert!(store.session(&c2).await.unwrap().is_none());
    assert_eq!(
        store
            .password_hash(&org.id, &u.id)
            .await
            .unwrap()
            .as_deref(),
        Some("$argon2id$fake")
    );
}

#[tokio::test]
async fn api_tokens_work_until_revoked_and_are_stored_hashed() {
    let (store, _db) = fresh_store().await;
    let org = store.create_org("acme", "Acme", "UTC").await.unwrap();
    let u = store
        .create_user(&org.id, person("u@a.test", &[Role::Seller], None))
        .await
        .unwrap();
    let (secret, token) = store.create_token(&org.id, &u.id, "laptop").await.unwrap();
    assert!(secret.starts_with("coach_") && secret.len() > 40);
    assert!(secret.starts_with(&token.prefix));
    assert_eq!(
        store.token_owner(&secret).await.unwrap(),
        Some((org.id.clone(), u.id.clone()))
    );
    assert_eq!(store.token_owner("coach_wrong").await.unwrap(), None);
    store.revoke_token(&org.id, &u.id, &token.id).await.unwrap();
    assert_eq!(store.token_owner(&secret).await.unwrap(), None);
    let listed = store.tokens_of(&org.id, &u.id).await.unwrap();
    assert!(listed[0].revoked_at.is_some());
    assert!(matches!(
        store.revoke_token(&org.id, &u.id, &token.id).await,
        Err(StoreError::NotFound)
    ));
}

#[tokio::test]
async fn login_attempts_are_limited_per_key_within_the_window() {
    let (store, _db) = fresh_store().await;
    let now = Utc::now();
    let keys = vec!["acct:a@x.test".to_owned(), "ip:127.0.0.1".to_owned()];
    for _ in 0..10 {
        assert_eq!(
            store
                .take_attempt(&keys, 10, Duration::seconds(60), now)
                .await
                .unwrap(),
            None
        );
    }
    let wait = store
        .take_attempt(&keys, 10, Duration::seconds(60), now)
        .await
        .unwrap();
    assert!(wait.is_some_and(|w| w > Duration::zero() && w <= Duration::seconds(60)));
    let other_ip = vec!["acct:a@x.test".to_owned(), "ip:10.0.0.9".to_owned()];
    assert!(
        store
            .take_attempt(&other_ip, 10, Duration::seconds(60), now)
            .await
            .unwrap()
            .is_some()
    );
    let later = now + Duration::seconds(61);
    assert_eq!(
        store
            .take_attempt(&keys, 10, Duration::seconds(60), later)
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn concurrent_writers_never_surface_database_is_locked() {
    let (store, _db) = fresh_store().await;
    let org = store.create_org("acme", "Acme", "UTC").await.unwrap();
    let u = store
        .create_user(&org.id, person("u@a.test", &[Role::Seller], None))
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..16 {
        let (store, org_id, uid) = (store.clone(), org.id.clone(), u.id.clone());
        tasks.push(tokio::spawn(async move {
            let patch = UserPatch {
                name: Some(format!("Name {i}")),
                ..UserPatch::default()
            };
            store.update_user(&org_id, &uid, patch, None).await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(
        store.user(&org.id, &u.id).await.unwrap().version,
        u.version + 16
    );
}

#[tokio::test]
async fn an_email_can_change_to_a_free_one_and_sign_in_follows() {
    let (store, _db) = fresh_store().await;
    let org = store.create_org("acme", "Acme", "UTC").await.unwrap();
    let a = store
        .create_user(&org.id, person("a@a.test", &[Role::Seller], None))
        .await
        .unwrap();
    store
        .create_user(&org.id, person("b@a.test", &[Role::Seller], None))
        .await
        .unwrap();
    let taken = UserPatch {
        email: Some("B@a.test".into()),
        ..UserPatch::default()
    };
    assert!(
        matches!(store.update_user(&org.id, &a.id, taken, None).await, Err(StoreError::Invalid(e)) if e.field == "email")
    );
    let free = UserPatch {
        email: Some("A.New@a.test".into()),
        ..UserPatch::default()
    };
    assert_eq!(
        store
            .update_user(&org.id, &a.id, free, None)
            .await
            .unwrap()
            .email,
        "a.new@a.test"
    );
    assert!(store.login_lookup("a@a.test").await.unwrap().is_none());
    assert_eq!(
        store
            .login_lookup("a.new@a.test")
            .await
            .unwrap()
            .map(|(u, _)| u.id),
        Some(a.id.clone())
    );
    let same = UserPatch {
        email: Some("a.new@a.test".into()),
        ..UserPatch::default()
    };
    assert!(
        store.update_user(&org.id, &a.id, same, None).await.is_ok(),
        "keeping one's own email is no conflict"
    );
}

#[tokio::test]
async fn a_new_organization_starts_from_the_default_stage_map_and_admins_change_it() {
    use coach_core::crm::{BuyingStage, StageMap};
    let (store, _db) = fresh_store().await;
    let a = store.create_org("a-org", "A", "UTC").await.unwrap();
    let b = store.create_org("b-org", "B", "UTC").await.unwrap();
    assert_eq!(
        store.crm_stage_map(&a.id).await.unwrap(),
        StageMap::default_for_common_crms()
    );
    store
        .set_crm_stage(&a.id, " Verbal Commit ", BuyingStage::MitigateRisks)
        .await
        .unwrap();
    store
        .set_crm_stage(&a.id, "PROSPECTING", BuyingStage::EstablishCriteria)
        .await
        .unwrap();
    let map = store.crm_stage_map(&a.id).await.unwrap();
    assert_eq!(map.stage("verbal commit"), Ok(BuyingStage::MitigateRisks));
    assert_eq!(
        map.stage("Prospecting"),
        Ok(BuyingStage::EstablishCriteria),
        "one entry per name, any case"
    );
    assert_eq!(
        map.entries()
            .filter(|(n, _)| n.eq_ignore_ascii_case("prospecting"))
            .count(),
        1
    );
    store
        .remove_crm_stage(&a.id, "verbal COMMIT")
        .await
        .unwrap();
    assert!(
        store
            .crm_stage_map(&a.id)
            .await
            .unwrap()
            .stage("Verbal Commit")
            .is_err()
    );
    assert!(matches!(
        store.remove_crm_stage(&a.id, "Verbal Commit").await,
        Err(StoreError::NotFound)
    ));
    assert!(
        matches!(store.set_crm_stage(&a.id, "  ", BuyingStage::ClosedWon).await, Err(StoreError::Invalid(e)) if e.field == "crm_stage")
    );
    assert_eq!(
        store.crm_stage_map(&b.id).await.unwrap(),
        StageMap::default_for_common_crms(),
        "another organization's map is untouched"
    );
    store.delete_org(&a.id).await.unwrap();
    assert!(
        store
            .crm_stage_map(&a.id)
            .await
            .unwrap()
            .entries()
            .next()
            .is_none()
    );
}
