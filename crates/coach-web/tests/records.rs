//! The CRM records in the browser and the API: lists and record pages by
//! role, hostile imported text rendered inert (T16), downloads that
//! spreadsheets open safely, and the import page from upload to import.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use coach_core::import::{Mapping, RecordKind};
use coach_store::crm::{ImportRequest, RecordFilter};
use common::{TestApp, seed};
use reqwest::StatusCode;

async fn import(app: &TestApp, org: &str, kind: RecordKind, csv: &str) {
    let request = ImportRequest::new(kind, Mapping::default());
    let r = app
        .store
        .import(
            org,
            std::io::Cursor::new(csv.as_bytes().to_vec()),
            &request,
            None,
            &mut |_| {},
        )
        .await
        .unwrap();
    assert!(r.written, "{:?}", r.errors);
}

#[tokio::test]
async fn a_manager_sees_the_teams_records_and_a_seller_only_their_own() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let manager = app.sign_in(f.email("manager1")).await;
    let list = manager
        .get(&app, "/opportunities")
        .await
        .text()
        .await
        .unwrap();
    for (key, shown) in [
        ("seller1", true),
        ("victim", true),
        ("seller3", false),
        ("seller_b", false),
    ] {
        assert_eq!(
            list.contains(&f.people[key].canary),
            shown,
            "{key} on the manager's list"
        );
    }
    assert!(
        list.contains("Identify needs"),
        "buying stages are shown by name"
    );
    let seller = app.sign_in(f.email("seller1")).await;
    let mine = seller.get(&app, "/accounts").await.text().await.unwrap();
    assert!(
        mine.contains(&f.people["seller1"].canary) && !mine.contains(&f.people["seller2"].canary)
    );
    assert!(
        !mine.contains("id=\"f-owner\""),
        "a seller has no owner filter"
    );
    let page = seller
        .get(
            &app,
            &format!("/opportunities/{}", f.records["opportunity:seller1"]),
        )
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains("Stage history") && page.contains("Calls about this deal"));
    let theirs = seller
        .get(
            &app,
            &format!("/opportunities/{}", f.records["opportunity:seller2"]),
        )
        .await;
    assert_eq!(theirs.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn hostile_imported_text_is_rendered_inert_everywhere_it_is_shown() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let owner = f.email("seller1");
    import(&app, &f.org_a, RecordKind::Accounts, &format!(
        "source_id,name,owner,segment\nH-1,\"<script>alert(1)</script>\",{owner},\"<img src=x onerror=alert(2)>\"\n"
    ))
    .await;
    import(&app, &f.org_a, RecordKind::Opportunities, &format!(
        "source_id,name,owner,account,stage,next_step\nH-2,\"Deal \u{202e}gnp.exe\",{owner},H-1,Prospecting,javascript:alert(3)\n"
    ))
    .await;
    let admin = app.sign_in(f.email("admin")).await;
    let accounts = app
        .store
        .accounts(&f.org_a, &RecordFilter::default())
        .await
        .unwrap();
    let hostile = accounts
        .iter()
        .find(|a| a.source_id.as_deref() == Some("H-1"))
        .unwrap();
    let opps = app
        .store
        .opportunities(&f.org_a, &RecordFilter::default())
        .await
        .unwrap();
    let deal = opps
        .iter()
        .find(|o| o.source_id.as_deref() == Some("H-2"))
        .unwrap();
    for path in [
        "/accounts".to_owned(),
        format!("/accounts/{}", hostile.id),
        "/opportunities".to_owned(),
        format!("/opportunities/{}", deal.id),
    ] {
        let body = admin.get(&app, &path).await.text().await.unwrap();
        assert!(
            !body.contains("<script>alert") && !body.contains("<img src=x"),
            "{path}"
        );
        assert!(!body.contains("href=\"javascript:"), "{path}");
        if body.contains("gnp.exe") {
            assert!(
                body.contains("<bdi>Deal \u{202e}gnp.exe</bdi>"),
                "{path}: text-direction overrides are isolated"
            );
        }
    }
    let page = admin
        .get(&app, &format!("/accounts/{}", hostile.id))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("&#60;script&#62;alert(1)"), "shown as text");
}

#[tokio::test]
async fn downloads_are_scoped_and_open_safely_in_a_spreadsheet() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    import(
        &app,
        &f.org_a,
        RecordKind::Accounts,
        &format!(
            "source_id,name,owner\nX-1,=HYPERLINK(\"http://evil.example\"),{}\n",
            f.email("seller1")
        ),
    )
    .await;
    let manager = app.sign_in(f.email("manager2")).await;
    let r = manager.get(&app, "/accounts/export?format=csv").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"accounts-")
    );
    let csv = r.text().await.unwrap();
    assert!(
        csv.contains(&f.people["seller3"].email) && !csv.contains(&f.people["seller1"].email),
        "{csv}"
    );
    let admin = app.sign_in(f.email("admin")).await;
    let csv = admin
        .get(&app, "/accounts/export?format=csv&q=HYPERLINK")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://evil.example\"\")\""),
        "{csv}"
    );
    let json = admin
        .get(&app, "/opportunities/export?format=json&stage=all")
        .await;
    let value: serde_json::Value = json.json().await.unwrap();
    assert_eq!(
        value.as_array().map(Vec::len),
        Some(6),
        "the six sellers' deals of organization A"
    );
    assert_eq!(
        admin.get(&app, "/calls/export?format=xml").await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn an_admin_uploads_checks_and_imports_a_file_in_the_browser() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let admin = app.sign_in(f.email("admin")).await;
    let csv = format!(
        "Id,Name,Owner.Email,StageName,Amount,CurrencyIsoCode,CloseDate\n\
         006A000000WeBaA,Web deal one,{s},Prospecting,1000,EUR,03/04/2027\n\
         006A000000WeBaB,Web deal two,{s},Verbal Commit,2000,EUR,05/01/2027\n",
        s = f.email("seller2")
    );
    let form = reqwest::multipart::Form::new()
        .text("_csrf", admin.csrf.clone())
        .text("kind", "opportunities")
        .text("source", "")
        .part(
            "file",
            reqwest::multipart::Part::bytes(csv.into_bytes()).file_name("deals.csv"),
        );
    let r = admin
        .client
        .post(app.url("/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let preview = admin.get(&app, &location).await.text().await.unwrap();
    assert!(
        preview.contains("Recognised as a Salesforce export") && preview.contains("Web deal one"),
        "{preview}"
    );

    let check = admin
        .post_form(
            &app,
            &location,
            &[("action", "check"), ("date_format", "YYYY-MM-DD")],
        )
        .await;
    assert_eq!(check.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = check.text().await.unwrap();
    assert!(
        body.contains("3 problems found")
            && body.contains("Coach does not guess")
            && body.contains("Verbal Commit"),
        "{body}"
    );

    app.store
        .set_crm_stage(
            &f.org_a,
            "Verbal Commit",
            coach_core::crm::BuyingStage::MitigateRisks,
        )
        .await
        .unwrap();
    let fields = [("action", "check"), ("date_format", "MM/DD/YYYY")];
    let body = admin
        .post_form(&app, &location, &fields)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        body.contains("The file is ready. Importing it gives: 2 new, 0 updated, 0 unchanged."),
        "{body}"
    );
    let none = app
        .store
        .opportunities(
            &f.org_a,
            &RecordFilter {
                search: Some("Web deal".into()),
                ..RecordFilter::default()
            },
        )
        .await
        .unwrap();
    assert!(none.is_empty(), "a check writes nothing");

    let imported = admin
        .post_form(
            &app,
            &location,
            &[("action", "import"), ("date_format", "MM/DD/YYYY")],
        )
        .await;
    assert_eq!(imported.status(), StatusCode::OK);
    assert!(
        imported
            .text()
            .await
            .unwrap()
            .contains("Imported: 2 new, 0 updated, 0 unchanged.")
    );
    let deals = app
        .store
        .opportunities(
            &f.org_a,
            &RecordFilter {
                search: Some("Web deal".into()),
                ..RecordFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(deals.len(), 2);
    assert_eq!(
        admin.get(&app, &location).await.status(),
        StatusCode::NOT_FOUND,
        "the upload is gone once imported"
    );

    let manager = app.sign_in(f.email("manager1")).await;
    assert_eq!(
        manager.get(&app, "/import").await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_api_lists_records_with_filters_and_refuses_bad_ones() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let p = &f.people["manager1"];
    let (token, _) = app.store.create_token(&p.org, &p.id, "t").await.unwrap();
    let client = reqwest::Client::new();
    let get = |path: &str| client.get(app.url(path)).bearer_auth(&token).send();
    let page: serde_json::Value = get("/api/v1/opportunities?limit=2")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["data"].as_array().map(Vec::len), Some(2));
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    let rest: serde_json::Value = get(&format!("/api/v1/opportunities?limit=50&cursor={cursor}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        rest["data"].as_array().map(Vec::len),
        Some(2),
        "manager1's team holds four deals"
    );
    let one: serde_json::Value = get(&format!(
        "/api/v1/opportunities/{}",
        f.records["opportunity:seller1"]
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(
        (
            one["stage"].as_str(),
            one["early_stage"].as_bool(),
            one["amount"].as_str()
        ),
        (Some("identify_needs"), Some(true), Some("1000"))
    );
    assert_eq!(one["stage_history"].as_array().map(Vec::len), Some(1));
    let bad = get("/api/v1/opportunities?stage=negotiation")
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let call: serde_json::Value = get(&format!("/api/v1/calls/{}", f.records["call:seller1"]))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(call["contacts"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn lists_read_in_a_useful_order_a_page_at_a_time() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let owner = f.email("seller3");
    let mut csv = String::from("source_id,subject,owner,occurred_at,kind\n");
    for i in 0..60 {
        // Imported oldest last, so import order is not time order.
        csv.push_str(&format!(
            "P-{i:02},Call {i:02},{owner},2026-10-{:02}T09:00:00Z,phone\n",
            1 + (i * 7) % 28
        ));
    }
    import(&app, &f.org_a, RecordKind::Calls, &csv).await;
    let manager = app.sign_in(f.email("manager2")).await;
    let first = manager
        .get(&app, "/calls?kind=phone")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(first.matches("</tr>").count() - 1, 50, "fifty to a page");
    let next = first.split("Next page").next().unwrap_or_default();
    assert!(
        next.ends_with("page=2\">") && next.contains("kind=phone"),
        "the next page keeps the filters"
    );
    assert!(!first.contains("Previous page"));
    let second = manager
        .get(&app, "/calls?kind=phone&page=2")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(second.matches("</tr>").count() - 1, 10);
    assert!(second.contains("Previous page") && !second.contains("Next page"));
    let days: Vec<u32> = first
        .match_indices(" Oct 2026, ")
        .map(|(i, _)| {
            first[..i]
                .rsplit('>')
                .next()
                .unwrap()
                .trim()
                .parse()
                .unwrap()
        })
        .collect();
    assert_eq!(days.len(), 50);
    assert!(
        days.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {days:?}"
    );
}
