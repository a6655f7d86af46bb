use super::*;
use crate::crm::{DateFormat, StageMap};
use crate::tabular::Record;

fn headers(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn the_source_is_recognised_from_the_header() {
    let sf = headers(&["Id", "Name", "StageName", "Owner.Email", "CloseDate"]);
    assert_eq!(
        detect_source(RecordKind::Opportunities, &sf),
        Some(Source::Salesforce)
    );
    let hs = headers(&["Record ID", "Deal Name", "Deal Stage", "Amount"]);
    assert_eq!(
        detect_source(RecordKind::Opportunities, &hs),
        Some(Source::Hubspot)
    );
    let coach = headers(&["source_id", "name", "owner", "stage"]);
    assert_eq!(
        detect_source(RecordKind::Opportunities, &coach),
        Some(Source::Csv)
    );
    assert_eq!(
        detect_source(RecordKind::Opportunities, &headers(&["a", "b"])),
        None
    );
}

#[test]
fn a_mapping_file_names_an_unknown_field_and_a_bad_format() {
    let err = Mapping::from_toml("[columns]\nowner_email = \"Rep\"\n")
        .err()
        .map(|e| e.0)
        .unwrap_or_default();
    assert!(
        err.starts_with("the mapping names an unknown field \"owner_email\"; fields are: "),
        "{err}"
    );
    let err = Mapping::from_toml("date_format = \"D/M/Y\"\n")
        .err()
        .map(|e| e.0)
        .unwrap_or_default();
    assert!(err.starts_with("the mapping file is not valid"), "{err}");
    let ok = Mapping::from_toml("date_format = \"DD.MM.YYYY\"\n[columns]\nowner = \"#3\"\n");
    assert_eq!(
        ok.map(|m| m.date_format),
        Ok(Some(DateFormat::DayMonthYearDots))
    );
}

#[test]
fn a_column_can_be_named_by_position() {
    let mapping =
        Mapping::from_toml("[columns]\namount = \"#2\"\n").unwrap_or_else(|_| Mapping::default());
    let cols = mapping.resolve(
        RecordKind::Opportunities,
        Source::Csv,
        &headers(&["source_id", "Amount", "amount", "name", "owner", "stage"]),
    );
    assert_eq!(cols.map(|c| c.get(Field::Amount)), Ok(Some(1)));
}

#[test]
fn a_row_reads_into_a_typed_record() {
    let hs = headers(&["source_id", "name", "owner", "stage", "amount", "currency"]);
    let columns = Mapping::default()
        .resolve(RecordKind::Opportunities, Source::Csv, &hs)
        .unwrap_or_else(|_| unreachable!());
    let stages = StageMap::default_for_common_crms();
    let ctx = RowContext {
        columns: &columns,
        headers: &hs,
        stages: &stages,
        date_format: DateFormat::Iso,
        decimal: crate::crm::DecimalSeparator::Point,
        time_zone: chrono_tz::UTC,
        currency: None,
    };
    let record = Record {
        number: 1,
        line: 2,
        cells: [
            "X-1",
            "Deal",
            "A@Example.com",
            "Closed Won",
            "EUR 1,000.5",
            "",
        ]
        .map(str::to_owned)
        .to_vec(),
    };
    let Ok(ParsedRecord::Opportunity(o)) = parse_row(&ctx, &record) else {
        unreachable!("the row is valid")
    };
    assert_eq!(o.owner, "a@example.com");
    assert_eq!(o.currency.as_deref(), Some("EUR"));
    assert_eq!(o.amount.map(|a| a.to_string()).as_deref(), Some("1000.5"));
    assert_eq!(o.stage, crate::crm::BuyingStage::ClosedWon);
}

#[test]
fn instants_take_offsets_local_times_and_twelve_hour_clocks() {
    let berlin: chrono_tz::Tz = chrono_tz::Europe::Berlin;
    let at = |s: &str, f| parse_instant(s, f, berlin).map(|t| t.to_rfc3339());
    assert_eq!(
        at("2026-04-03T14:05:00.000+0000", DateFormat::Iso).as_deref(),
        Ok("2026-04-03T14:05:00+00:00")
    );
    assert_eq!(
        at("2026-04-03 14:05", DateFormat::Iso).as_deref(),
        Ok("2026-04-03T12:05:00+00:00")
    );
    assert_eq!(
        at("4/3/2026 2:05 PM", DateFormat::MonthDayYear).as_deref(),
        Ok("2026-04-03T12:05:00+00:00")
    );
    assert!(at("2026-04-03 25:00", DateFormat::Iso).is_err());
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    fn any_cell() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[0-9./,: -]{0,24}",
            "(USD |EUR )?[0-9]{1,3}(,[0-9]{3})*(\\.[0-9]{2})?",
            "20[0-9]{2}-[01][0-9]-[0-3][0-9]( [0-2][0-9]:[0-5][0-9])?",
            "[A-Za-z0-9]{15,18}",
        ]
    }

    proptest! {
        /// Reliability T2 for the row reader: any cells, for any kind and
        /// source, give a record or located problems; never a panic.
        #[test]
        fn any_row_reads_or_fails_with_located_problems(
            cells in proptest::collection::vec(any_cell(), 0..16),
            kind in 0usize..4,
            source in 0usize..3,
            format in 0usize..4,
        ) {
            let kind = RecordKind::ALL[kind];
            let source = Source::ALL[source];
            let headers: Vec<String> = kind.fields().iter().flat_map(|f| source.names(kind, *f).first().map(|n| (*n).to_owned())).collect();
            let columns = Mapping::default().resolve(kind, source, &headers);
            prop_assert!(columns.is_ok(), "{kind} from {source}: {columns:?}");
            let Ok(columns) = columns else { return Ok(()) };
            let stages = StageMap::default_for_common_crms();
            let ctx = RowContext {
                columns: &columns,
                headers: &headers,
                stages: &stages,
                date_format: [DateFormat::Iso, DateFormat::DayMonthYear, DateFormat::MonthDayYear, DateFormat::DayMonthYearDots][format],
                decimal: crate::crm::DecimalSeparator::Point,
                time_zone: chrono_tz::Europe::Berlin,
                currency: None,
            };
            let record = Record { number: 7, line: 9, cells };
            if let Err(problems) = parse_row(&ctx, &record) {
                prop_assert!(!problems.errors.is_empty());
                prop_assert!(problems.errors.iter().all(|e| e.record == 7 && e.line == 9));
            }
        }
    }
}
