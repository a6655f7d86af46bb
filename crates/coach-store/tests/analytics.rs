//! The analytics' facts as the store loads them (R14–R45): a synthetic
//! history written in bulk and read back gives the same practice figures
//! and the same outcomes as the history itself; a scope sees its own
//! sellers only, and another organization nothing; on both databases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use coach_core::analytics::synth::{Options, Team, team_history};
use coach_core::analytics::{Band, Coached, Rules, Window, outcomes, practice};
use coach_core::{Role, Roles};
use coach_store::analytics::Scope;
use coach_store::testing::fresh_store;
use coach_store::{NewUser, Store};

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

async fn team(store: &Store, org: &str, n: usize, director: &str) -> Team {
    let manager = person(
        store,
        org,
        &format!("m{n}@{org}.example"),
        Role::Manager,
        Some(director),
    )
    .await;
    let mut sellers = Vec::new();
    for s in 0..4 {
        sellers.push(
            person(
                store,
                org,
                &format!("m{n}s{s}@{org}.example"),
                Role::Seller,
                Some(&manager),
            )
            .await,
        );
    }
    Team {
        manager_id: manager,
        seller_ids: sellers,
        director_id: Some(director.to_owned()),
    }
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[tokio::test]
async fn a_history_read_back_gives_the_figures_it_was_made_with() {
    let (store, _db) = fresh_store().await;
    let org = store.create_org("acme", "Acme", "UTC").await.unwrap().id;
    let other = store.create_org("other", "Other", "UTC").await.unwrap().id;
    let director = person(&store, &org, "director@acme.example", Role::Director, None).await;
    let a = team(&store, &org, 1, &director).await;
    let b = team(&store, &org, 2, &director).await;
    let other_director = person(
        &store,
        &other,
        "director@other.example",
        Role::Director,
        None,
    )
    .await;
    let c = team(&store, &other, 3, &other_director).await;

    let mut options = Options::year_to(d("2026-06-30"), 42);
    options.plant.early_win_lift = 0.2;
    let histories = [
        team_history(&a, 1, &options),
        team_history(&b, 2, &options),
        team_history(&c, 3, &options),
    ];
    store.insert_history(&org, &histories[0]).await.unwrap();
    store.insert_history(&org, &histories[1]).await.unwrap();
    store.insert_history(&other, &histories[2]).await.unwrap();

    let window = Window {
        from: d("2025-10-01"),
        to: d("2026-06-30"),
    };
    let rules = Rules {
        window,
        today: d("2026-06-30"),
        band: Band::default(),
        min_answers: 5,
    };
    let tz = chrono_tz::UTC;

    // One team: the store's facts give what the history's own facts give.
    let scope = Scope::People {
        sellers: a.seller_ids.clone(),
        managers: vec![a.manager_id.clone()],
    };
    let loaded = store
        .practice_facts(&org, &scope, &window, tz)
        .await
        .unwrap();
    let (made, made_deals) = histories[0].facts();
    let from_store = practice(&loaded, &a.seller_ids, &rules);
    let from_history = practice(&made, &a.seller_ids, &rules);
    assert!(from_store.held > 20, "{}", from_store.held);
    assert_eq!(from_store, from_history);

    let deals = store.deal_facts(&org, &scope, &window, tz).await.unwrap();
    let mut expected: Vec<_> = made_deals
        .into_iter()
        .filter(|d| window.contains(d.closed_on))
        .collect();
    let mut got = deals.clone();
    expected.sort_by(|x, y| x.id.cmp(&y.id));
    got.sort_by(|x, y| x.id.cmp(&y.id));
    assert_eq!(got, expected);
    assert!(got.iter().any(|d| d.coached == Coached::Early));
    assert_eq!(outcomes(&got), outcomes(&expected));

    // The organization: both teams, nothing of the other organization.
    let all = store
        .practice_facts(&org, &Scope::Organization, &window, tz)
        .await
        .unwrap();
    let sellers: Vec<String> = a.seller_ids.iter().chain(&b.seller_ids).cloned().collect();
    assert!(all.sessions.iter().all(|s| sellers.contains(&s.seller_id)));
    assert!(
        all.sessions
            .iter()
            .any(|s| b.seller_ids.contains(&s.seller_id))
    );
    assert!(
        all.feedback
            .iter()
            .all(|f| f.manager_id == a.manager_id || f.manager_id == b.manager_id)
    );
    let org_deals = store
        .deal_facts(&org, &Scope::Organization, &window, tz)
        .await
        .unwrap();
    assert!(org_deals.iter().all(|d| sellers.contains(&d.seller_id)));
    assert!(org_deals.len() > deals.len());

    // Another organization's people asked for by id give nothing.
    let stolen = Scope::People {
        sellers: c.seller_ids.clone(),
        managers: vec![c.manager_id.clone()],
    };
    let none = store
        .practice_facts(&org, &stolen, &window, tz)
        .await
        .unwrap();
    assert!(none.sessions.is_empty() && none.actions.is_empty() && none.feedback.is_empty());
    assert!(
        store
            .deal_facts(&org, &stolen, &window, tz)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_band_is_kept_per_organization_and_an_empty_one_refused() {
    let (store, _db) = fresh_store().await;
    let org = store.create_org("acme", "Acme", "UTC").await.unwrap().id;
    let mut settings = store.coaching_settings(&org).await.unwrap();
    assert_eq!(settings.band, Band::default());
    settings.band = Band::new(60, 240).unwrap();
    store.set_coaching_settings(&org, &settings).await.unwrap();
    assert_eq!(
        store.coaching_settings(&org).await.unwrap().band,
        Band::new(60, 240).unwrap()
    );
    // An empty band is refused and nothing changes.
    settings.band = Band {
        low_minutes: 300,
        high_minutes: 200,
    };
    let e = store
        .set_coaching_settings(&org, &settings)
        .await
        .unwrap_err();
    assert!(format!("{e:?}").contains("band_high_minutes"), "{e:?}");
    assert_eq!(
        store.coaching_settings(&org).await.unwrap().band,
        Band::new(60, 240).unwrap()
    );
}
