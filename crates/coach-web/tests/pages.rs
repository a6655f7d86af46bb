//! The pages: people and teams for admins and leaders, the profile and its
//! API tokens. Forms re-render with field errors (422) or redirect (303).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestApp, seed};
use reqwest::StatusCode;

#[tokio::test]
async fn an_admin_adds_a_seller_under_a_manager_who_then_signs_in() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let admin = app.sign_in(f.email("admin")).await;
    let form = admin.get(&app, "/people/new").await.text().await.unwrap();
    assert!(
        form.contains("manager1 zqcanary"),
        "managers are offered as leaders"
    );
    let r = admin
        .post_form(
            &app,
            "/people",
            &[
                ("name", "Nadia Brooks"),
                ("email", "nadia@a.test"),
                ("role", "seller"),
                ("manager_id", f.id("manager1")),
                ("time_zone", "Europe/London"),
                ("password", "nadia-first-pass"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/people?notice=added");
    let nadia = app
        .store
        .user_by_email(&f.org_a, "nadia@a.test")
        .await
        .unwrap();
    assert_eq!(nadia.manager_id.as_deref(), Some(f.id("manager1")));
    assert_eq!(nadia.time_zone, "Europe/London");
    let manager = app.sign_in(f.email("manager1")).await;
    assert!(
        manager
            .get(&app, "/people")
            .await
            .text()
            .await
            .unwrap()
            .contains("Nadia Brooks")
    );
    let seller = app
        .sign_in_with("nadia@a.test", "nadia-first-pass")
        .await
        .unwrap();
    let home = seller.get(&app, "/").await.text().await.unwrap();
    assert!(home.contains("Good to see you, Nadia") && home.contains(&f.people["manager1"].canary));
}

#[tokio::test]
async fn the_add_person_form_shows_every_mistake_and_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let admin = app.sign_in(f.email("admin")).await;
    let r = admin
        .post_form(
            &app,
            "/people",
            &[
                ("name", "Typed Name"),
                ("email", "not-an-email"),
                ("time_zone", "Mars/Base"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("value=\"Typed Name\""));
    assert!(page.contains("Choose at least one role"));
    assert!(page.contains("Must be at least 8 characters"));
    let r = admin
        .post_form(
            &app,
            "/people",
            &[
                ("name", "Typed Name"),
                ("email", "not-an-email"),
                ("role", "seller"),
                ("time_zone", "UTC"),
                ("password", "long-enough"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Expected an email address")
    );
    let r = admin
        .post_form(
            &app,
            "/people",
            &[
                ("name", "Dup"),
                ("email", f.email("seller1")),
                ("role", "seller"),
                ("time_zone", "UTC"),
                ("password", "long-enough"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("already has an account"));
    assert_eq!(
        app.store
            .users(&f.org_a, &Default::default())
            .await
            .unwrap()
            .len(),
        12,
        "nothing was added"
    );
}

#[tokio::test]
async fn editing_a_person_that_someone_else_changed_meanwhile_is_refused_and_shows_their_change() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let admin = app.sign_in(f.email("admin")).await;
    let victim = app.store.user(&f.org_a, f.id("victim")).await.unwrap();
    let other = coach_store::UserPatch {
        name: Some("Changed Elsewhere".into()),
        ..Default::default()
    };
    app.store
        .update_user(&f.org_a, &victim.id, other, None)
        .await
        .unwrap();
    let version = victim.version.to_string();
    let r = admin
        .post_form(
            &app,
            &format!("/people/{}", victim.id),
            &[
                ("name", "My Edit"),
                ("role", "seller"),
                ("manager_id", f.id("manager1")),
                ("time_zone", "UTC"),
                ("version", version.as_str()),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Someone else changed this person") && page.contains("Changed Elsewhere")
    );
    assert_eq!(
        app.store.user(&f.org_a, &victim.id).await.unwrap().name,
        "Changed Elsewhere"
    );
}

#[tokio::test]
async fn an_admin_sets_roles_and_reporting_lines_but_not_a_loop() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let admin = app.sign_in(f.email("admin")).await;
    let r = admin
        .post_form(
            &app,
            &format!("/people/{}", f.id("seller3")),
            &[
                ("name", "Promoted Seller"),
                ("role", "manager"),
                ("role", "seller"),
                ("manager_id", f.id("director2")),
                ("time_zone", "UTC"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let s3 = app.store.user(&f.org_a, f.id("seller3")).await.unwrap();
    assert_eq!(s3.roles.names(), ["manager", "seller"]);
    assert_eq!(s3.manager_id.as_deref(), Some(f.id("director2")));
    let r = admin
        .post_form(
            &app,
            &format!("/people/{}", f.id("director1")),
            &[
                ("name", "Director One"),
                ("role", "director"),
                ("manager_id", f.id("manager1")),
                ("time_zone", "UTC"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("would make a loop"));
    let r = admin
        .post_form(
            &app,
            &format!("/people/{}", f.id("admin")),
            &[("name", "Admin"), ("role", "manager"), ("time_zone", "UTC")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("You are the last admin"));
}

#[tokio::test]
async fn deactivating_and_reactivating_a_person_keeps_their_record() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let admin = app.sign_in(f.email("admin")).await;
    let r = admin
        .post_form(
            &app,
            &format!("/people/{}/deactivate", f.id("seller4")),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let list = admin.get(&app, "/people").await.text().await.unwrap();
    assert!(
        !list.contains(&f.people["seller4"].canary),
        "the default list shows active people"
    );
    let all = admin
        .get(&app, "/people?status=inactive")
        .await
        .text()
        .await
        .unwrap();
    assert!(all.contains(&f.people["seller4"].canary));
    let r = admin
        .post_form(
            &app,
            &format!("/people/{}/reactivate", f.id("seller4")),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        app.sign_in_with(f.email("seller4"), common::PASSWORD)
            .await
            .is_ok()
    );
    let me = admin
        .post_form(&app, &format!("/people/{}/deactivate", f.id("admin")), &[])
        .await;
    assert_eq!(me.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn the_people_list_filters_by_role_and_search() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let admin = app.sign_in(f.email("admin")).await;
    let managers = admin
        .get(&app, "/people?role=manager")
        .await
        .text()
        .await
        .unwrap();
    assert!(managers.contains("3 people"));
    let search = admin
        .get(&app, "/people?q=seller2")
        .await
        .text()
        .await
        .unwrap();
    assert!(search.contains("1 person") && search.contains(&f.people["seller2"].canary));
    let director = app.sign_in(f.email("director2")).await;
    let mine = director.get(&app, "/people").await.text().await.unwrap();
    assert!(
        mine.contains("2 people")
            && mine.contains(&f.people["seller4"].canary)
            && !mine.contains(&f.people["seller1"].canary)
    );
}

#[tokio::test]
async fn a_token_made_on_the_profile_is_shown_once_works_and_can_be_revoked() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let s = app.sign_in(f.email("seller1")).await;
    let r = s
        .post_form(&app, "/profile/tokens", &[("name", "Pipeline script")])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let page = r.text().await.unwrap();
    let start = page.find("id=\"new-token\">").unwrap() + "id=\"new-token\">".len();
    let token = page[start..].split('<').next().unwrap().to_owned();
    assert!(token.starts_with("coach_"));
    let api = reqwest::Client::new();
    assert_eq!(
        api.get(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let later = s.get(&app, "/profile").await.text().await.unwrap();
    assert!(
        later.contains("Pipeline script") && !later.contains(&token),
        "listed, never shown again"
    );
    let tokens = app
        .store
        .tokens_of(&f.org_a, f.id("seller1"))
        .await
        .unwrap();
    let r = s
        .post_form(
            &app,
            &format!("/profile/tokens/{}/revoke", tokens[0].id),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        api.get(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let page = s.get(&app, "/api/v1/me").await;
    assert_eq!(
        page.status(),
        StatusCode::OK,
        "the browser session still works"
    );
}

#[tokio::test]
async fn a_token_opens_the_api_but_not_the_pages() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let (token, _) = app
        .store
        .create_token(&f.org_a, f.id("admin"), "t")
        .await
        .unwrap();
    let client = app.browser();
    let r = client
        .get(app.url("/people"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_profile_saves_name_and_time_zone_and_refuses_an_unknown_zone() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let s = app.sign_in(f.email("seller2")).await;
    let r = s
        .post_form(
            &app,
            "/profile",
            &[("name", "Sam Seller"), ("time_zone", "America/Chicago")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let u = app.store.user(&f.org_a, f.id("seller2")).await.unwrap();
    assert_eq!(
        (u.name.as_str(), u.time_zone.as_str()),
        ("Sam Seller", "America/Chicago")
    );
    let r = s
        .post_form(
            &app,
            "/profile",
            &[("name", "Sam Seller"), ("time_zone", "Nowhere/Else")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("IANA time zone"));
}

#[tokio::test]
async fn the_home_page_counts_a_leaders_active_people() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let off = coach_store::UserPatch {
        active: Some(false),
        ..Default::default()
    };
    app.store
        .update_user(&f.org_a, f.id("departed"), off, None)
        .await
        .unwrap();
    let stat = |page: &str, label: &str| -> Option<String> {
        let at = page.find(&format!("<div class=\"stat-label\">{label}</div>"))?;
        let before = &page[..at];
        let start = before.rfind("<div class=\"stat\">")? + "<div class=\"stat\">".len();
        Some(before[start..].split('<').next()?.trim().to_owned())
    };
    let manager = app
        .sign_in(f.email("manager1"))
        .await
        .get(&app, "/")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        stat(&manager, "reporting to you").as_deref(),
        Some("3"),
        "seller1, seller2, victim"
    );
    assert_eq!(
        stat(&manager, "people across your teams"),
        None,
        "no second figure when it says the same"
    );
    assert!(!manager.contains(&f.people["departed"].canary));
    let director = app
        .sign_in(f.email("director1"))
        .await
        .get(&app, "/")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(stat(&director, "reporting to you").as_deref(), Some("2"));
    assert_eq!(
        stat(&director, "people across your teams").as_deref(),
        Some("6")
    );
    let seller = app
        .sign_in(f.email("seller1"))
        .await
        .get(&app, "/")
        .await
        .text()
        .await
        .unwrap();
    assert!(seller.contains("Your manager") && stat(&seller, "reporting to you").is_none());
}

#[tokio::test]
async fn an_admin_changes_a_persons_email_and_they_sign_in_with_the_new_one() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let admin = app.sign_in(f.email("admin")).await;
    let path = format!("/people/{}", f.id("seller2"));
    let fields = |email: &'static str| {
        vec![
            ("name", "Seller Two"),
            ("email", email),
            ("role", "seller"),
            ("time_zone", "UTC"),
        ]
    };
    let taken = admin
        .post_form(&app, &path, &fields("seller1@a.test"))
        .await;
    assert_eq!(taken.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        taken
            .text()
            .await
            .unwrap()
            .contains("already has an account")
    );
    let r = admin
        .post_form(&app, &path, &fields("seller.two@a.test"))
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        app.sign_in_with("seller2@a.test", common::PASSWORD)
            .await
            .is_err()
    );
    assert!(
        app.sign_in_with("seller.two@a.test", common::PASSWORD)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn an_admin_maps_a_crm_stage_to_a_buying_stage_and_removes_it() {
    use coach_core::crm::BuyingStage;
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let admin = app.sign_in(f.email("admin")).await;
    let page = admin
        .get(&app, "/settings/stages")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Negotiation/Review") && page.contains("Mitigate risks"),
        "the default map is shown"
    );
    let r = admin
        .post_form(
            &app,
            "/settings/stages",
            &[("crm_stage", "Verbal Commit"), ("stage", "mitigate_risks")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.store
            .crm_stage_map(&f.org_a)
            .await
            .unwrap()
            .stage("verbal commit"),
        Ok(BuyingStage::MitigateRisks)
    );
    let bad = admin
        .post_form(
            &app,
            "/settings/stages",
            &[("crm_stage", "  "), ("stage", "mitigate_risks")],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.unwrap().contains("printable characters"));
    let wrong = admin
        .post_form(
            &app,
            "/settings/stages",
            &[("crm_stage", "X"), ("stage", "negotiating")],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = admin
        .post_form(
            &app,
            "/settings/stages/remove",
            &[("crm_stage", "VERBAL COMMIT")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        app.store
            .crm_stage_map(&f.org_a)
            .await
            .unwrap()
            .stage("Verbal Commit")
            .is_err()
    );
    assert!(
        app.store
            .crm_stage_map(&f.org_b)
            .await
            .unwrap()
            .stage("Verbal Commit")
            .is_err()
    );
    let manager = app.sign_in(f.email("manager1")).await;
    assert_eq!(
        manager.get(&app, "/settings/stages").await.status(),
        StatusCode::FORBIDDEN
    );
}
