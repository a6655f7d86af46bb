//! The demo organization of docs/interfaces.md: one admin, one director,
//! three managers with eight sellers each, from a fixed seed, so two demos are
//! the same. Later parts of Coach add their data to this same generator.

use anyhow::anyhow;
use coach_core::import::{Mapping, RecordKind};
use coach_core::{Role, Roles};
use coach_store::crm::ImportRequest;
use coach_store::{NewUser, Store, StoreError};
use coach_web::{PasswordCost, hash_password};
use rand::SeedableRng as _;
use rand::seq::IndexedRandom as _;
use rand_chacha::ChaCha8Rng;

/// The demo organization's slug.
pub const SLUG: &str = "demo";
/// Every demo login's password.
pub const PASSWORD: &str = "coach-demo";
/// The seed of every random choice in the demo.
pub const SEED: u64 = 20_261_126;

const FIRST: &[&str] = &[
    "Amara", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kira",
    "Liam", "Maya", "Noah", "Olivia", "Priya", "Quinn", "Rosa", "Sam", "Tara", "Umar", "Vera",
    "Wes", "Yara", "Zoe", "Luca", "Mina", "Omar",
];
const LAST: &[&str] = &[
    "Adams", "Becker", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jensen",
    "Kowalski", "Lopez", "Moreau", "Nakamura", "Okafor", "Patel", "Quist", "Rossi", "Silva",
    "Tanaka", "Ueda", "Vargas", "Weber", "Young",
];
const ZONES: &[&str] = &["Europe/Berlin", "Europe/London", "America/New_York"];

/// One demo person, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoPerson {
    pub email: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub manager_email: Option<String>,
    pub time_zone: String,
}

/// The demo people, managers before their reports. Pure: the same every time.
pub fn people() -> Vec<DemoPerson> {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let mut used = std::collections::BTreeSet::new();
    let mut name = |rng: &mut ChaCha8Rng| loop {
        let n = format!(
            "{} {}",
            FIRST.choose(rng).unwrap_or(&"Alex"),
            LAST.choose(rng).unwrap_or(&"Doe")
        );
        if used.insert(n.clone()) {
            return n;
        }
    };
    let mut out = vec![
        DemoPerson {
            email: "admin@demo.example".into(),
            name: name(&mut rng),
            roles: vec![Role::Admin],
            manager_email: None,
            time_zone: "Europe/Berlin".into(),
        },
        DemoPerson {
            email: "director@demo.example".into(),
            name: name(&mut rng),
            roles: vec![Role::Director],
            manager_email: None,
            time_zone: "Europe/Berlin".into(),
        },
    ];
    for m in 1..=3 {
        let zone = ZONES[(m - 1) % ZONES.len()];
        out.push(DemoPerson {
            email: format!("manager{m}@demo.example"),
            name: name(&mut rng),
            roles: vec![Role::Manager],
            manager_email: Some("director@demo.example".into()),
            time_zone: zone.into(),
        });
    }
    for s in 1..=24 {
        let m = (s - 1) / 8 + 1;
        out.push(DemoPerson {
            email: format!("seller{s}@demo.example"),
            name: name(&mut rng),
            roles: vec![Role::Seller],
            manager_email: Some(format!("manager{m}@demo.example")),
            time_zone: ZONES[(m - 1) % ZONES.len()].into(),
        });
    }
    out
}

/// The instant the demo's ids carry (UUID v7 holds a time): 2026-01-01 UTC.
const ID_EPOCH_MS: u64 = 1_767_225_600_000;

/// The demo's `n`-th id: a UUID v7 made from the seed, the same in every demo.
pub fn demo_id(n: u64) -> uuid::Uuid {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED.wrapping_add(n).rotate_left(17));
    let mut random = [0u8; 10];
    rand::RngCore::fill_bytes(&mut rng, &mut random);
    uuid::Builder::from_unix_timestamp_millis(ID_EPOCH_MS + n, &random).into_uuid()
}

/// Creates the demo organization unless it exists (`reset`: anew). Returns
/// whether it was created.
pub async fn ensure(store: &Store, reset: bool) -> anyhow::Result<bool> {
    match store.org_by_slug(SLUG).await {
        Ok(org) if reset => store.delete_org(&org.id).await?,
        Ok(_) => return Ok(false),
        Err(StoreError::NotFound) => {}
        Err(e) => return Err(e.into()),
    }
    let org = store
        .create_org(SLUG, "Demo Sales", "Europe/Berlin")
        .await?;
    let hash = hash_password(PASSWORD.to_owned(), PasswordCost::Default)
        .await
        .map_err(|e| anyhow!(e))?;
    let mut ids: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    for (n, p) in (1u64..).zip(people()) {
        let manager_id = p.manager_email.as_ref().and_then(|e| ids.get(e)).cloned();
        let new = NewUser {
            email: p.email.clone(),
            name: p.name,
            roles: Roles::new(p.roles),
            manager_id,
            time_zone: Some(p.time_zone),
            password_hash: Some(hash.clone()),
            crm_id: None,
            id: Some(demo_id(n)),
        };
        let user = store.create_user(&org.id, new).await?;
        ids.insert(p.email, user.id);
    }
    let sellers: Vec<String> = people()
        .into_iter()
        .filter(|p| p.roles.contains(&Role::Seller))
        .map(|p| p.email)
        .collect();
    let today = chrono::Utc::now().date_naive();
    for (kind, csv) in crate::demo_crm::files(&sellers, today) {
        let kind: RecordKind = kind.parse().map_err(|e: String| anyhow!(e))?;
        let request = ImportRequest::new(kind, Mapping::default());
        let report = store
            .import(
                &org.id,
                std::io::Cursor::new(csv.into_bytes()),
                &request,
                None,
                &mut |_| {},
            )
            .await
            .map_err(|e| anyhow!("demo {kind}: {e}"))?;
        if !report.written {
            let first = report
                .errors
                .first()
                .map(ToString::to_string)
                .unwrap_or_default();
            return Err(anyhow!("demo {kind} did not import: {first}"));
        }
    }
    crate::demo_roa::load(store, &org.id, today).await?;
    crate::demo_coaching::load(store, &org.id, today).await?;
    history(store, &org.id, &ids, today).await?;
    // The demo's made-up bookings are not mailed to anyone.
    store.clear_outbox(&org.id).await?;
    Ok(true)
}

/// A year of coaching before today for the three teams, so the analytics
/// have something to show. Two effects are planted, for people to find:
/// deals coached at an early stage win 15 points more (R25), and the third
/// manager keeps 60% of sessions where the others keep 85% (R14).
async fn history(
    store: &Store,
    org_id: &str,
    ids: &std::collections::BTreeMap<String, String>,
    today: chrono::NaiveDate,
) -> anyhow::Result<()> {
    use coach_core::analytics::synth::{Options, Team, team_history};
    let id = |email: &str| {
        ids.get(email)
            .cloned()
            .ok_or_else(|| anyhow!("demo person {email} is missing"))
    };
    let mut options = Options::year_to(today - chrono::Duration::days(1), SEED);
    options.plant.early_win_lift = 0.15;
    options.plant.keep_by_team = vec![(3, 0.6)];
    for m in 1..=3 {
        let team = Team {
            manager_id: id(&format!("manager{m}@demo.example"))?,
            seller_ids: (1..=8)
                .map(|s| id(&format!("seller{}@demo.example", (m - 1) * 8 + s)))
                .collect::<anyhow::Result<_>>()?,
            director_id: Some(id("director@demo.example")?),
        };
        store
            .insert_history(org_id, &team_history(&team, m, &options))
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_is_the_same_every_time_and_follows_the_interface() {
        let a = people();
        assert_eq!(a, people());
        assert_eq!(a.len(), 1 + 1 + 3 + 24);
        let names: std::collections::BTreeSet<_> = a.iter().map(|p| &p.name).collect();
        assert_eq!(names.len(), a.len(), "names are unique");
        let seller9 = a.iter().find(|p| p.email == "seller9@demo.example");
        assert_eq!(
            seller9.and_then(|p| p.manager_email.as_deref()),
            Some("manager2@demo.example")
        );
        let seller24 = a.iter().find(|p| p.email == "seller24@demo.example");
        assert_eq!(
            seller24.and_then(|p| p.manager_email.as_deref()),
            Some("manager3@demo.example")
        );
    }

    #[test]
    fn demo_ids_are_the_same_every_time_distinct_and_in_creation_order() {
        let ids: Vec<uuid::Uuid> = (0..30).map(demo_id).collect();
        assert_eq!(ids, (0..30).map(demo_id).collect::<Vec<_>>());
        assert!(
            ids.windows(2).all(|w| w[0].to_string() < w[1].to_string()),
            "text order is creation order"
        );
        assert!(ids.iter().all(|id| id.get_version_num() == 7));
    }
}
