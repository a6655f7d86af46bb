//! A Coach server on a fresh database for each test, reached over real HTTP on
//! loopback, and an organization chart every access test can reason about.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use coach_core::{Role, Roles};
use coach_store::testing::{TestDatabase, fresh_store};
use coach_store::{NewUser, Store};
use coach_web::{Application, PasswordCost, WebConfig, hash_password};
use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};
use std::collections::BTreeMap;

/// A running server.
pub struct TestApp {
    pub base: String,
    pub store: Store,
    pub config: WebConfig,
    _db: TestDatabase,
}

/// The password of every test person.
pub const PASSWORD: &str = "correct-horse-battery";

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(tweak: impl FnOnce(&mut WebConfig)) -> TestApp {
        let (store, db) = fresh_store().await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut config = WebConfig::new(format!("http://127.0.0.1:{port}"));
        config.password_cost = PasswordCost::Cheap;
        tweak(&mut config);
        let app = Application::build(store.clone(), config.clone(), listener);
        tokio::spawn(app.run_until(std::future::pending()));
        TestApp {
            base: format!("http://127.0.0.1:{port}"),
            store,
            config,
            _db: db,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A browser-like client that keeps cookies and does not follow redirects.
    pub fn browser(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .unwrap()
    }

    /// Signs in through the form; returns the signed-in browser and its CSRF token.
    pub async fn sign_in(&self, email: &str) -> Session {
        self.sign_in_with(email, PASSWORD)
            .await
            .unwrap_or_else(|status| panic!("{email} could not sign in: {status}"))
    }

    pub async fn sign_in_with(&self, email: &str, password: &str) -> Result<Session, StatusCode> {
        let client = self.browser();
        let pre = pre_session_token(&client, self).await;
        let r = client
            .post(self.url("/login"))
            .form(&[
                ("email", email),
                ("password", password),
                ("_csrf", pre.as_str()),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap();
        if r.status() != StatusCode::SEE_OTHER {
            return Err(r.status());
        }
        let page = client
            .get(self.url("/profile"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        Ok(Session {
            client,
            csrf: csrf_in(&page).expect("a signed-in page carries the CSRF token"),
        })
    }
}

/// Gets the sign-in page's token (the pre-session cookie is kept by the client).
pub async fn pre_session_token(client: &Client, app: &TestApp) -> String {
    let page = client
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    csrf_in(&page).expect("the sign-in form carries a CSRF token")
}

/// The `_csrf` value of the first form in a page.
pub fn csrf_in(html: &str) -> Option<String> {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

/// A signed-in browser.
#[derive(Clone)]
pub struct Session {
    pub client: Client,
    pub csrf: String,
}

impl Session {
    pub async fn get(&self, app: &TestApp, path: &str) -> Response {
        self.client.get(app.url(path)).send().await.unwrap()
    }

    /// Posts a form with the session's CSRF token added.
    pub async fn post_form(&self, app: &TestApp, path: &str, fields: &[(&str, &str)]) -> Response {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("_csrf", self.csrf.as_str()));
        self.client
            .post(app.url(path))
            .form(&all)
            .send()
            .await
            .unwrap()
    }
}

/// The organization chart the access tests use (names carry canaries):
///
/// ```text
/// org A:  admin
///         director1 ─ manager1 ─ seller1, seller2, departed (deactivated), victim
///                   └ manager2 ─ seller3
///         director2 ─ manager3 ─ seller4
/// org B:  admin_b ─ seller_b
/// ```
pub struct Fixture {
    pub org_a: String,
    pub org_b: String,
    /// `"account:seller1"` (and contact, opportunity, call) → the id of that
    /// seller's record; each record's name carries its owner's canary.
    pub records: BTreeMap<String, String>,
    /// Key → (id, email, canary).
    pub people: BTreeMap<&'static str, Person>,
}

#[derive(Clone, Debug)]
pub struct Person {
    pub id: String,
    pub email: String,
    pub canary: String,
    pub org: String,
}

impl Fixture {
    pub fn id(&self, key: &str) -> &str {
        &self.people[key].id
    }
    pub fn email(&self, key: &str) -> &str {
        &self.people[key].email
    }
}

pub async fn seed(app: &TestApp) -> Fixture {
    let store = &app.store;
    let a = store
        .create_org("org-a", "Org A", "Europe/Berlin")
        .await
        .unwrap();
    let b = store
        .create_org("org-b", "Org B", "America/New_York")
        .await
        .unwrap();
    let hash = hash_password(PASSWORD.to_owned(), PasswordCost::Cheap)
        .await
        .unwrap();
    let plan: &[(&'static str, bool, &[Role], Option<&'static str>)] = &[
        ("admin", true, &[Role::Admin], None),
        ("director1", true, &[Role::Director], None),
        ("director2", true, &[Role::Director], None),
        ("manager1", true, &[Role::Manager], Some("director1")),
        ("manager2", true, &[Role::Manager], Some("director1")),
        ("manager3", true, &[Role::Manager], Some("director2")),
        ("seller1", true, &[Role::Seller], Some("manager1")),
        ("seller2", true, &[Role::Seller], Some("manager1")),
        ("departed", true, &[Role::Seller], Some("manager1")),
        ("victim", true, &[Role::Seller], Some("manager1")),
        ("seller3", true, &[Role::Seller], Some("manager2")),
        ("seller4", true, &[Role::Seller], Some("manager3")),
        ("admin_b", false, &[Role::Admin], None),
        ("seller_b", false, &[Role::Seller], Some("admin_b")),
    ];
    let mut people: BTreeMap<&'static str, Person> = BTreeMap::new();
    for (i, (key, in_a, roles, manager)) in plan.iter().enumerate() {
        let org = if *in_a { &a.id } else { &b.id };
        let canary = format!("zqcanary{i:02}x");
        let email = format!(
            "{}@{}.test",
            key.replace('_', "-"),
            if *in_a { "a" } else { "b" }
        );
        let new = NewUser {
            email: email.clone(),
            name: format!("{} {canary}", key.replace('_', " ")),
            roles: Roles::new(roles.iter().copied()),
            manager_id: manager.map(|m| people[m].id.clone()),
            time_zone: None,
            password_hash: Some(hash.clone()),
            crm_id: None,
            id: None,
        };
        let user = store.create_user(org, new).await.unwrap();
        people.insert(
            key,
            Person {
                id: user.id,
                email,
                canary,
                org: org.clone(),
            },
        );
    }
    let mut records = BTreeMap::new();
    for (org, owners) in [
        (
            &a.id,
            &[
                "seller1", "seller2", "departed", "victim", "seller3", "seller4",
            ][..],
        ),
        (&b.id, &["seller_b"][..]),
    ] {
        seed_records(store, org, owners, &people, &mut records).await;
    }
    Fixture {
        org_a: a.id,
        org_b: b.id,
        records,
        people,
    }
}

/// Gives each owner an account, a contact, an opportunity and a call, through
/// the importer, each named with the owner's canary.
async fn seed_records(
    store: &coach_store::Store,
    org: &str,
    owners: &[&'static str],
    people: &BTreeMap<&'static str, Person>,
    records: &mut BTreeMap<String, String>,
) {
    use coach_core::import::{Mapping, RecordKind};
    use coach_store::crm::{ImportRequest, RecordFilter};
    let mut files: Vec<(RecordKind, String)> = vec![
        (
            RecordKind::Accounts,
            "source_id,name,owner,key_account\n".to_owned(),
        ),
        (
            RecordKind::Contacts,
            "source_id,name,owner,account,buying_role\n".to_owned(),
        ),
        (
            RecordKind::Opportunities,
            "source_id,name,owner,account,stage,amount,currency\n".to_owned(),
        ),
        (
            RecordKind::Calls,
            "source_id,subject,owner,occurred_at,kind,account,opportunity,contacts\n".to_owned(),
        ),
    ];
    for key in owners {
        let p = &people[key];
        let (c, e) = (&p.canary, &p.email);
        files[0]
            .1
            .push_str(&format!("A-{key},Account {c},{e},true\n"));
        files[1]
            .1
            .push_str(&format!("C-{key},Contact {c},{e},A-{key},champion\n"));
        files[2].1.push_str(&format!(
            "O-{key},Deal {c},{e},A-{key},Prospecting,1000,EUR\n"
        ));
        files[3].1.push_str(&format!(
            "K-{key},Call {c},{e},2026-11-02T10:00:00Z,demo,A-{key},O-{key},C-{key}\n"
        ));
    }
    for (kind, csv) in files {
        let request = ImportRequest::new(kind, Mapping::default());
        let report = store
            .import(
                org,
                std::io::Cursor::new(csv.into_bytes()),
                &request,
                None,
                &mut |_| {},
            )
            .await
            .unwrap();
        assert!(report.written, "{kind}: {:?}", report.errors);
    }
    let all = RecordFilter::default();
    for key in owners {
        let owner = &people[key].id;
        let mine = |o: &String| o == owner;
        let a = store
            .accounts(org, &all)
            .await
            .unwrap()
            .into_iter()
            .find(|r| mine(&r.owner_id))
            .unwrap();
        let c = store
            .contacts(org, &all)
            .await
            .unwrap()
            .into_iter()
            .find(|r| mine(&r.owner_id))
            .unwrap();
        let o = store
            .opportunities(org, &all)
            .await
            .unwrap()
            .into_iter()
            .find(|r| mine(&r.owner_id))
            .unwrap();
        let k = store
            .calls(org, &all)
            .await
            .unwrap()
            .into_iter()
            .find(|r| mine(&r.owner_id))
            .unwrap();
        records.insert(format!("account:{key}"), a.id);
        records.insert(format!("contact:{key}"), c.id);
        records.insert(format!("opportunity:{key}"), o.id);
        records.insert(format!("call:{key}"), k.id);
        // The call is a demo, which the default model counts as an activity.
        let activity = store
            .activities(
                org,
                &coach_store::roa::ActivityFilter {
                    seller_id: Some(owner.clone()),
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .into_iter()
            .next()
            .unwrap();
        records.insert(format!("activity:{key}"), activity.id);
    }
    // The organization's model: an activity type, an objective, and a result
    // that an objective alone drives (so it cannot be removed).
    let org_key = if owners.contains(&"seller_b") {
        "b"
    } else {
        "a"
    };
    let model = store.roa_model(org).await.unwrap();
    let pick = |name: &str| {
        model
            .measures
            .iter()
            .find(|m| m.name == name)
            .unwrap()
            .id
            .clone()
    };
    records.insert(
        format!("type:{org_key}"),
        model.activity_types[0].id.clone(),
    );
    records.insert(format!("objective:{org_key}"), pick("Close rate"));
    records.insert(format!("share:{org_key}"), pick("Market share"));
}
