//! The importer contract of reliability.md, one fixture file per case, each
//! with the exact message it must give; on both databases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use coach_core::crm::BuyingStage;
use coach_core::import::{Mapping, RecordKind, Source};
use coach_core::{Role, Roles};
use coach_store::crm::{ExportFormat, ImportError, ImportReport, ImportRequest, RecordFilter};
use coach_store::testing::{TestDatabase, fresh_store};
use coach_store::{NewUser, Store};

struct World {
    store: Store,
    _db: TestDatabase,
    org: String,
    seller1: String,
}

async fn world() -> World {
    let (store, db) = fresh_store().await;
    let org = store
        .create_org("acme", "Acme", "Europe/Berlin")
        .await
        .unwrap();
    let other = store.create_org("other", "Other", "UTC").await.unwrap();
    let person = |email: &str, crm_id: Option<&str>| NewUser {
        email: email.to_owned(),
        name: email.split('@').next().unwrap().to_owned(),
        roles: Roles::new([Role::Seller]),
        crm_id: crm_id.map(str::to_owned),
        ..NewUser::default()
    };
    let seller1 = store
        .create_user(&org.id, person("seller1@acme.example", Some("71001")))
        .await
        .unwrap();
    store
        .create_user(&org.id, person("seller2@acme.example", None))
        .await
        .unwrap();
    store
        .create_user(&other.id, person("seller@other.example", None))
        .await
        .unwrap();
    World {
        store,
        _db: db,
        org: org.id,
        seller1: seller1.id,
    }
}

fn fixture(name: &str) -> std::fs::File {
    std::fs::File::open(format!(
        "{}/tests/fixtures/import/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

async fn try_import(
    w: &World,
    kind: RecordKind,
    name: &str,
    adjust: impl FnOnce(&mut ImportRequest),
) -> Result<ImportReport, ImportError> {
    let mut request = ImportRequest::new(kind, Mapping::default());
    adjust(&mut request);
    w.store
        .import(&w.org, fixture(name), &request, None, &mut |_| {})
        .await
}

async fn import(w: &World, kind: RecordKind, name: &str) -> ImportReport {
    try_import(w, kind, name, |_| {}).await.unwrap()
}

fn errors(report: &ImportReport) -> Vec<String> {
    report.errors.iter().map(ToString::to_string).collect()
}

async fn count(w: &World, kind: RecordKind) -> usize {
    let f = RecordFilter::default();
    match kind {
        RecordKind::Accounts => w.store.accounts(&w.org, &f).await.unwrap().len(),
        RecordKind::Contacts => w.store.contacts(&w.org, &f).await.unwrap().len(),
        RecordKind::Opportunities => w.store.opportunities(&w.org, &f).await.unwrap().len(),
        RecordKind::Calls => w.store.calls(&w.org, &f).await.unwrap().len(),
    }
}

/// Imports the Salesforce accounts every reference test needs.
async fn with_accounts(w: &World) {
    let r = import(w, RecordKind::Accounts, "salesforce_accounts.csv").await;
    assert_eq!(
        (r.new, r.error_count, r.written),
        (2, 0, true),
        "{:?}",
        errors(&r)
    );
}

#[tokio::test]
async fn a_salesforce_data_loader_export_imports_every_kind_with_references() {
    let w = world().await;
    with_accounts(&w).await;
    let r = import(&w, RecordKind::Contacts, "salesforce_contacts.csv").await;
    assert_eq!(
        (r.source, r.new),
        (Some(Source::Salesforce), 2),
        "{:?}",
        errors(&r)
    );
    let r = import(
        &w,
        RecordKind::Opportunities,
        "salesforce_opportunities.csv",
    )
    .await;
    assert_eq!(r.new, 2, "{:?}", errors(&r));
    let r = import(&w, RecordKind::Calls, "salesforce_calls.csv").await;
    assert_eq!(r.new, 2, "{:?}", errors(&r));

    let accounts = w
        .store
        .accounts(&w.org, &RecordFilter::default())
        .await
        .unwrap();
    let acme = accounts.iter().find(|a| a.name == "Acme Tools").unwrap();
    assert_eq!(
        acme.source_id.as_deref(),
        Some("001A0000006Vm9r"),
        "18-character ids are kept in their 15-character form"
    );
    assert!(acme.key_account);
    assert_eq!(
        (acme.tier.as_deref(), acme.owner_id.as_str()),
        (Some("A"), w.seller1.as_str())
    );

    let contacts = w
        .store
        .contacts(&w.org, &RecordFilter::default())
        .await
        .unwrap();
    let dana = contacts.iter().find(|c| c.name == "Dana Park").unwrap();
    assert_eq!(dana.account_id.as_deref(), Some(acme.id.as_str()));
    assert_eq!(dana.buying_role.map(|r| r.as_str()), Some("decision_maker"));
    assert_eq!(dana.stance.map(|s| s.as_str()), Some("supporter"));

    let opps = w
        .store
        .opportunities(&w.org, &RecordFilter::default())
        .await
        .unwrap();
    let renewal = opps.iter().find(|o| o.name == "Acme renewal").unwrap();
    assert_eq!(
        renewal.amount.as_deref(),
        Some("12500.00"),
        "amounts are exact decimals"
    );
    assert_eq!(renewal.currency.as_deref(), Some("EUR"));
    assert_eq!(
        (renewal.stage, renewal.crm_stage.as_str()),
        (BuyingStage::IdentifyNeeds, "Prospecting")
    );
    assert_eq!(
        renewal.close_date.map(|d| d.to_string()).as_deref(),
        Some("2027-01-31")
    );

    let calls = w
        .store
        .calls(&w.org, &RecordFilter::default())
        .await
        .unwrap();
    let discovery = calls
        .iter()
        .find(|c| c.subject == "Discovery with the CFO")
        .unwrap();
    let discovery = w.store.call(&w.org, &discovery.id).await.unwrap();
    assert_eq!(
        discovery.opportunity_id.as_deref(),
        Some(renewal.id.as_str())
    );
    assert_eq!(discovery.contacts.len(), 2);
    let demo = calls.iter().find(|c| c.subject == "Demo for IT").unwrap();
    assert_eq!(
        demo.occurred_at.to_rfc3339(),
        "2026-11-05T09:30:00+00:00",
        "a time without an offset is in the organization's time zone (Berlin, UTC+1 in November)"
    );
}

#[tokio::test]
async fn importing_the_same_file_twice_changes_nothing_the_second_time() {
    let w = world().await;
    with_accounts(&w).await;
    let first = import(
        &w,
        RecordKind::Opportunities,
        "salesforce_opportunities.csv",
    )
    .await;
    assert_eq!(first.summary(), "2 new, 0 updated, 0 unchanged");
    let second = import(
        &w,
        RecordKind::Opportunities,
        "salesforce_opportunities.csv",
    )
    .await;
    assert_eq!(second.summary(), "0 new, 0 updated, 2 unchanged");
    assert_eq!(count(&w, RecordKind::Opportunities).await, 2);
}

#[tokio::test]
async fn a_stage_change_between_imports_is_recorded_in_the_stage_history() {
    let w = world().await;
    with_accounts(&w).await;
    import(
        &w,
        RecordKind::Opportunities,
        "salesforce_opportunities.csv",
    )
    .await;
    let moved = import(
        &w,
        RecordKind::Opportunities,
        "salesforce_opportunities_moved.csv",
    )
    .await;
    assert_eq!(
        moved.summary(),
        "0 new, 1 updated, 1 unchanged, 1 stage changes"
    );
    let opps = w
        .store
        .opportunities(&w.org, &RecordFilter::default())
        .await
        .unwrap();
    let renewal = opps.iter().find(|o| o.name == "Acme renewal").unwrap();
    assert_eq!(renewal.stage, BuyingStage::EstablishCriteria);
    assert_eq!(renewal.next_step.as_deref(), Some("Send the proposal"));
    let history = w.store.stage_history(&w.org, &renewal.id).await.unwrap();
    let seen: Vec<(String, &str)> = history
        .iter()
        .map(|h| (h.changed_at.date_naive().to_string(), h.stage.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            ("2026-09-01".to_owned(), "identify_needs"),
            ("2026-11-20".to_owned(), "establish_criteria")
        ],
        "first seen on its created date, moved on its last-modified date"
    );
}

#[tokio::test]
async fn a_salesforce_report_export_with_locale_dates_currency_amounts_and_a_footer() {
    let w = world().await;
    with_accounts(&w).await;
    let refused = try_import(
        &w,
        RecordKind::Opportunities,
        "salesforce_report.csv",
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(
        errors(&refused)[0],
        "record 1 (line 2), column 7 \"Close Date\": \"1/15/2027\": a date in the declared format YYYY-MM-DD; got \"1/15/2027\" (declare the file's date format: Coach does not guess)"
    );
    assert!(!refused.written);
    let r = try_import(
        &w,
        RecordKind::Opportunities,
        "salesforce_report.csv",
        |r| {
            r.mapping.date_format = Some(coach_core::crm::DateFormat::MonthDayYear);
        },
    )
    .await
    .unwrap();
    assert_eq!(
        (r.new, r.footer_lines, r.error_count),
        (2, 3, 0),
        "{:?}",
        errors(&r)
    );
    let opps = w
        .store
        .opportunities(&w.org, &RecordFilter::default())
        .await
        .unwrap();
    let services = opps.iter().find(|o| o.name == "Bolt services").unwrap();
    assert_eq!(
        (services.amount.as_deref(), services.currency.as_deref()),
        (Some("19000.00"), Some("USD"))
    );
    assert_eq!(
        services.created_on.map(|d| d.to_string()).as_deref(),
        Some("2026-09-28")
    );
}

#[tokio::test]
async fn hubspot_exports_match_owners_by_their_crm_id() {
    let w = world().await;
    let r = import(&w, RecordKind::Accounts, "hubspot_companies.csv").await;
    assert_eq!(
        (r.source, r.new),
        (Some(Source::Hubspot), 1),
        "{:?}",
        errors(&r)
    );
    let r = import(&w, RecordKind::Contacts, "hubspot_contacts.csv").await;
    assert_eq!(r.new, 1, "{:?}", errors(&r));
    let r = import(&w, RecordKind::Opportunities, "hubspot_deals.csv").await;
    assert_eq!(r.new, 2, "{:?}", errors(&r));
    let opps = w
        .store
        .opportunities(&w.org, &RecordFilter::default())
        .await
        .unwrap();
    assert!(
        opps.iter()
            .all(|o| o.owner_id == w.seller1 && o.account_name.as_deref() == Some("Cobalt Health"))
    );
    let expansion = opps.iter().find(|o| o.name == "Cobalt expansion").unwrap();
    assert_eq!(
        (expansion.stage, expansion.amount.as_deref()),
        (BuyingStage::MitigateRisks, Some("42000.50"))
    );
    let accounts = w
        .store
        .accounts(&w.org, &RecordFilter::default())
        .await
        .unwrap();
    assert!(accounts[0].key_account, "HubSpot's target account flag");
}

#[tokio::test]
async fn any_csv_imports_with_a_mapping_file_semicolons_decimal_commas_and_windows_1252() {
    let w = world().await;
    with_accounts(&w).await;
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/import/generic_deals.toml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let mapping = Mapping::from_toml(&text).unwrap();
    let r = try_import(&w, RecordKind::Opportunities, "generic_deals.csv", |r| {
        r.mapping = mapping
    })
    .await
    .unwrap();
    assert_eq!(
        (r.source, r.new),
        (Some(Source::Csv), 1),
        "{:?}",
        errors(&r)
    );
    let opps = w
        .store
        .opportunities(&w.org, &RecordFilter::default())
        .await
        .unwrap();
    assert_eq!(
        opps[0].name, "Müller Maschinen – Wartung",
        "decoded, never replaced by U+FFFD"
    );
    assert_eq!(opps[0].amount.as_deref(), Some("1234.56"));
    assert_eq!(
        (opps[0].stage, opps[0].crm_stage.as_str()),
        (BuyingStage::MitigateRisks, "Verbal Commit")
    );
    assert_eq!(
        opps[0].close_date.map(|d| d.to_string()).as_deref(),
        Some("2027-04-03")
    );
}

#[tokio::test]
async fn utf16_tab_separated_files_import() {
    let w = world().await;
    let r = import(&w, RecordKind::Accounts, "utf16_accounts.csv").await;
    assert_eq!(r.new, 1, "{:?}", errors(&r));
    let accounts = w
        .store
        .accounts(&w.org, &RecordFilter::default())
        .await
        .unwrap();
    assert_eq!(accounts[0].name, "École Öko");
}

/// Asserts a file is refused with exactly these errors and writes nothing.
async fn refused(w: &World, kind: RecordKind, name: &str, expected: &[&str]) -> ImportReport {
    let before = count(w, kind).await;
    let r = import(w, kind, name).await;
    assert_eq!(errors(&r), expected, "{name}");
    assert_eq!(r.error_count, expected.len() as u64);
    assert!(!r.written, "{name}: nothing is written");
    assert_eq!(
        count(w, kind).await,
        before,
        "{name}: the data is as it was"
    );
    r
}

#[tokio::test]
async fn each_bad_row_is_named_by_record_line_column_value_and_what_was_expected() {
    let w = world().await;
    with_accounts(&w).await;
    use RecordKind::*;
    refused(&w, Opportunities, "multiline.csv", &[
        "record 2 (line 5), column 4 \"stage\": \"Nonsense Stage\": the CRM stage \"Nonsense Stage\" is not mapped to a buying stage; add it to the organization's stage map",
    ]).await;
    refused(
        &w,
        Opportunities,
        "ragged.csv",
        &["record 2 (line 3): at most 4 cells, as many as there are columns; this row has 6"],
    )
    .await;
    refused(&w, Opportunities, "duplicate_record.csv", &[
        "record 2 (line 3), column 1 \"Id\": \"006A000000XyZaB\": each record once; record 1 (line 2) has the same CRM id",
    ]).await;
    refused(&w, Opportunities, "ambiguous_dates.csv", &[
        "record 1 (line 2), column 5 \"close_date\": \"03/04/2027\": a date in the declared format YYYY-MM-DD; got \"03/04/2027\" (declare the file's date format: Coach does not guess)",
    ]).await;
    refused(&w, Opportunities, "control_characters.csv", &[
        "record 1 (line 2), column 2 \"name\": \"Bell\\u{7}here\": text without control characters",
    ]).await;
    let huge = refused(
        &w,
        Opportunities,
        "huge_field.csv",
        &[&format!(
            "record 1 (line 2), column 5 \"next_step\": \"{}…\": a cell of at most 32 KiB",
            "x".repeat(60)
        )],
    )
    .await;
    assert_eq!(huge.rows, 1);
    refused(&w, Opportunities, "unknown_owner.csv", &[
        "record 1 (line 2), column 3 \"owner\": \"nobody@acme.example\": a person of this organization, by their email or their CRM id",
    ]).await;
    refused(&w, Opportunities, "other_org_owner.csv", &[
        "record 1 (line 2), column 3 \"owner\": \"seller@other.example\": a person of this organization, by their email or their CRM id",
    ]).await;
    refused(&w, Opportunities, "missing_account.csv", &[
        "record 1 (line 2), column 5 \"account\": \"001B000000ZzZzZ\": the CRM id of an account already in Coach: none has this id in this organization (import accounts first)",
    ]).await;
    refused(&w, Opportunities, "one_bad_row.csv", &[
        "record 2 (line 3), column 5 \"amount\": \"$100\": an amount such as 1,234.56; got \"$100\"",
    ]).await;
}

#[tokio::test]
async fn unmapped_stages_are_named_once_for_the_file_with_their_row_counts() {
    let w = world().await;
    let r = import(&w, RecordKind::Opportunities, "unmapped_stage.csv").await;
    assert_eq!(
        r.unmapped_stages.into_iter().collect::<Vec<_>>(),
        [("Verbal Commit".to_owned(), 2)]
    );
    assert_eq!((r.error_count, r.written), (2, false));
    w.store
        .set_crm_stage(&w.org, "Verbal Commit", BuyingStage::MitigateRisks)
        .await
        .unwrap();
    let r = import(&w, RecordKind::Opportunities, "unmapped_stage.csv").await;
    assert_eq!((r.new, r.written), (3, true));
}

#[tokio::test]
async fn whole_file_problems_say_what_is_wrong_and_write_nothing() {
    let w = world().await;
    let err =
        |r: Result<ImportReport, ImportError>| r.err().map(|e| e.to_string()).unwrap_or_default();
    assert_eq!(
        err(try_import(&w, RecordKind::Opportunities, "not_csv.xlsx", |_| {}).await),
        "this is a ZIP archive (an Excel .xlsx workbook is one), not a CSV file; export or save it as CSV and try again"
    );
    assert_eq!(
        err(try_import(
            &w,
            RecordKind::Opportunities,
            "duplicate_headers.csv",
            |_| {}
        )
        .await),
        "amount could be any of column 5 \"Amount\" and column 6 \"amount\" (the same name, ignoring case); name one in the mapping file, e.g. amount = \"#5\""
    );
    assert_eq!(
        err(try_import(
            &w,
            RecordKind::Opportunities,
            "no_recognisable_columns.csv",
            |_| {}
        )
        .await),
        "Coach does not recognise these columns as a Salesforce, HubSpot or Coach export of opportunities; describe the file with a mapping file (the header is: \"foo\", \"bar\", \"baz\")"
    );
    assert_eq!(
        err(try_import(
            &w,
            RecordKind::Opportunities,
            "salesforce_accounts.csv",
            |r| r.source = Some(Source::Salesforce)
        )
        .await),
        "no column for the required field stage (looked for \"StageName\", \"Stage\"); name it in a mapping file under [columns]"
    );
    assert_eq!(count(&w, RecordKind::Opportunities).await, 0);
}

#[tokio::test]
async fn skipping_invalid_rows_imports_the_rest_and_writes_the_rejects_with_reasons() {
    let w = world().await;
    let mut request = ImportRequest::new(RecordKind::Opportunities, Mapping::default());
    request.skip_invalid = true;
    let mut rejects = Vec::new();
    let r = w
        .store
        .import(
            &w.org,
            fixture("one_bad_row.csv"),
            &request,
            Some(&mut rejects),
            &mut |_| {},
        )
        .await
        .unwrap();
    assert_eq!(r.summary(), "2 new, 0 updated, 0 unchanged, 1 rejected");
    assert!(r.written);
    let text = String::from_utf8(rejects).unwrap();
    assert_eq!(
        text,
        "source_id,name,owner,stage,amount,currency,coach_error\nB-2,Bad amount,seller1@acme.example,Prospecting,$100,EUR,\"record 2 (line 3), column 5 \"\"amount\"\": \"\"$100\"\": an amount such as 1,234.56; got \"\"$100\"\"\"\n"
    );
}

#[tokio::test]
async fn a_dry_run_counts_what_would_change_and_writes_nothing() {
    let w = world().await;
    with_accounts(&w).await;
    let r = try_import(
        &w,
        RecordKind::Opportunities,
        "salesforce_opportunities.csv",
        |r| r.dry_run = true,
    )
    .await
    .unwrap();
    assert_eq!(
        (r.summary().as_str(), r.written),
        ("2 new, 0 updated, 0 unchanged", false)
    );
    assert_eq!(count(&w, RecordKind::Opportunities).await, 0);
}

#[tokio::test]
async fn times_in_a_daylight_saving_overlap_or_gap_are_refused_not_guessed() {
    let w = world().await;
    let r = import(&w, RecordKind::Calls, "dst_calls.csv").await;
    assert_eq!(
        errors(&r),
        [
            "record 1 (line 2), column 3 \"occurred_at\": \"2026-10-25 02:30\": a time that happens once in Europe/Berlin; \"2026-10-25 02:30\" happens twice (the clocks go back), so write it with its UTC offset",
            "record 2 (line 3), column 3 \"occurred_at\": \"2026-03-29 02:30\": a time that exists in Europe/Berlin; \"2026-03-29 02:30\" falls in the hour the clocks skip",
        ]
    );
}

#[tokio::test]
async fn formula_looking_text_is_stored_as_data_and_neutralised_on_export() {
    let w = world().await;
    let r = import(&w, RecordKind::Opportunities, "formula.csv").await;
    assert_eq!(r.new, 1, "{:?}", errors(&r));
    let opps = w
        .store
        .opportunities(&w.org, &RecordFilter::default())
        .await
        .unwrap();
    assert_eq!(
        opps[0].name,
        "=HYPERLINK(\"http://evil.example\",\"click\")"
    );
    let mut out = Vec::new();
    w.store
        .export(
            &w.org,
            RecordKind::Opportunities,
            RecordFilter::default(),
            ExportFormat::Csv,
            &mut out,
        )
        .await
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\""),
        "{text}"
    );
    assert!(text.contains(",'@SUM(A1),"), "{text}");
}

#[tokio::test]
async fn an_export_imports_back_unchanged() {
    let w = world().await;
    with_accounts(&w).await;
    import(&w, RecordKind::Contacts, "salesforce_contacts.csv").await;
    import(
        &w,
        RecordKind::Opportunities,
        "salesforce_opportunities.csv",
    )
    .await;
    import(&w, RecordKind::Calls, "salesforce_calls.csv").await;
    for kind in RecordKind::ALL {
        let mut out = Vec::new();
        w.store
            .export(
                &w.org,
                kind,
                RecordFilter::default(),
                ExportFormat::Csv,
                &mut out,
            )
            .await
            .unwrap();
        let request = ImportRequest::new(kind, Mapping::default());
        let r = w
            .store
            .import(
                &w.org,
                std::io::Cursor::new(out),
                &request,
                None,
                &mut |_| {},
            )
            .await
            .unwrap();
        assert_eq!(
            (r.source, r.new, r.updated, r.error_count),
            (Some(Source::Csv), 0, 0, 0),
            "{kind}: {:?}",
            errors(&r)
        );
        assert!(r.unchanged > 0, "{kind}");
    }
    let mut json = Vec::new();
    w.store
        .export(
            &w.org,
            RecordKind::Accounts,
            RecordFilter::default(),
            ExportFormat::Json,
            &mut json,
        )
        .await
        .unwrap();
    let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(value[0]["name"], "Acme Tools");
    assert_eq!(value[0]["key_account"], true);
}

#[tokio::test]
async fn owners_the_importer_may_not_touch_are_refused() {
    let w = world().await;
    with_accounts(&w).await;
    let r = try_import(
        &w,
        RecordKind::Opportunities,
        "salesforce_opportunities.csv",
        |r| {
            r.allowed_owners = Some([w.seller1.clone()].into_iter().collect());
        },
    )
    .await
    .unwrap();
    assert_eq!(
        errors(&r),
        [
            "record 2 (line 3), column 4 \"Owner.Email\": \"seller2@acme.example\": a person of this organization, by their email or their CRM id",
        ]
    );
}
