//! Tests of reading and writing tables.

use super::*;
use proptest::prelude::*;

fn table(bytes: &[u8]) -> Table {
    match read(bytes) {
        Ok(t) => t,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn a_plain_comma_file_reads_with_line_numbers() {
    let t = table(b"Name,Amount\nAcme,100\nGlobex,200\n");
    assert_eq!((t.encoding, t.separator), (Encoding::Utf8, b','));
    assert_eq!(t.headers, ["Name", "Amount"]);
    assert_eq!(t.records.len(), 2);
    assert_eq!((t.records[1].number, t.records[1].line), (2, 3));
    assert!(t.problems.is_empty());
}

#[test]
fn bom_utf16_and_windows_1252_are_decoded_never_replaced() {
    let utf8_bom = table("\u{feff}Name;Stadt\nMüller;Köln\n".as_bytes());
    assert_eq!(
        (utf8_bom.headers[0].as_str(), utf8_bom.separator),
        ("Name", b';')
    );
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in "Name\tCity\nJosé\tSão Paulo\n".encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    let t = table(&utf16);
    assert_eq!((t.encoding, t.separator), (Encoding::Utf16Le, b'\t'));
    assert_eq!(t.records[0].cells, ["José", "São Paulo"]);
    let cp1252: &[u8] = b"Name,Note\nCaf\xe9,\x80 5\n";
    let t = table(cp1252);
    assert_eq!(t.encoding, Encoding::Windows1252);
    assert_eq!(t.records[0].cells, ["Café", "€ 5"]);
    assert!(!t.records[0].cells.concat().contains('\u{fffd}'));
}

#[test]
fn a_sep_line_sets_the_separator_and_lines_still_count_from_the_top() {
    let t = table(b"sep=|\nName|Amount\nAcme|1,5\n");
    assert_eq!(t.separator, b'|');
    assert_eq!(t.records[0].cells, ["Acme", "1,5"]);
    assert_eq!(t.records[0].line, 3);
}

#[test]
fn quoted_newlines_stay_in_their_cell_and_the_next_record_knows_its_line() {
    let t = table(b"Name,Note\n\"Acme\",\"two\nlines\"\nGlobex,x\n");
    assert_eq!(t.records[0].cells[1], "two\nlines");
    assert_eq!(t.records[1].line, 4);
}

#[test]
fn a_salesforce_report_footer_is_left_out_and_counted() {
    let t = table(b"\"Opportunity Name\",\"Amount\"\n\"Big deal\",\"100\"\n\n\n\"Confidential Information - Do Not Distribute\"\n\"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.\"\n");
    assert_eq!(t.records.len(), 1);
    assert_eq!(t.footer_lines, 2);
}

#[test]
fn blank_lines_are_skipped_and_later_records_keep_their_true_line() {
    let t = table(b"Name,Amount\nAcme,1\n\n\nGlobex,2\r\n\r\nInitech,3\n");
    let lines: Vec<u64> = t.records.iter().map(|r| r.line).collect();
    assert_eq!(lines, [2, 5, 7]);
    assert_eq!(
        t.footer_lines, 0,
        "rows with several cells are data, even after blank lines"
    );
}

#[test]
fn a_last_data_row_with_one_filled_cell_is_kept_without_a_blank_row_before_it() {
    let t = table(b"Name,Amount\nAcme,1\nGlobex,\n");
    assert_eq!(t.records.len(), 2);
    assert_eq!(t.footer_lines, 0);
}

#[test]
fn ragged_rows_control_characters_and_huge_cells_are_named() {
    let huge = "x".repeat(MAX_CELL_BYTES + 1);
    let file = format!("Name,Amount\nAcme,1,extra\nGlo\u{7}bex,2\nShort\nBig,{huge}\n");
    let t = table(file.as_bytes());
    let messages: Vec<String> = t.problems.iter().map(ToString::to_string).collect();
    assert!(
        messages[0].starts_with("record 1 (line 2): at most 2 cells"),
        "{messages:?}"
    );
    assert!(messages[1].contains("record 2 (line 3), column 1 \"Name\": \"Glo\\u{7}bex\": text without control characters"), "{messages:?}");
    assert!(
        messages[2].contains("record 4 (line 5), column 2 \"Amount\"") && messages[2].contains('…'),
        "{messages:?}"
    );
    assert_eq!(
        t.problems.len(),
        3,
        "a short row is fine: its missing cells are empty"
    );
    assert_eq!(t.cell(&t.records[2], 1), "");
}

#[test]
fn duplicate_and_case_variant_headers_are_found_as_ambiguous() {
    let t = table(b"Name,Amount,name\nA,1,B\n");
    assert_eq!(t.column("AMOUNT"), ColumnLookup::Found(1));
    assert_eq!(t.column("Name"), ColumnLookup::Ambiguous(vec![0, 2]));
    assert_eq!(t.column("Stage"), ColumnLookup::Missing);
}

#[test]
fn files_that_are_not_csv_are_named() {
    assert_eq!(
        read(b"PK\x03\x04rest"),
        Err(FileError::NotCsv(
            "a ZIP archive (an Excel .xlsx workbook is one)"
        ))
    );
    assert_eq!(read(b"%PDF-1.7"), Err(FileError::NotCsv("a PDF document")));
    assert_eq!(
        read(b"<!DOCTYPE html><html>"),
        Err(FileError::NotCsv("an HTML or XML page"))
    );
    assert_eq!(
        read(b"[{\"a\":1}]"),
        Err(FileError::NotCsv("a JSON document"))
    );
    assert_eq!(read(b"Name\n\x00\x01"), Err(FileError::Binary(5)));
    assert_eq!(read(b"  \n\n"), Err(FileError::Empty));
    assert_eq!(
        table(b",,\n\nA,B,C\n1,2,3\n").headers,
        ["A", "B", "C"],
        "leading blank rows are skipped"
    );
}

#[test]
fn quoted_values_in_errors_are_short_single_lines() {
    assert_eq!(quote("a\nb\u{202e}\"c"), "\"a\\u{a}b\\u{202e}\\\"c\"");
    assert_eq!(quote(&"y".repeat(100)).chars().count(), 60 + 3);
}

#[test]
fn a_large_file_streams_with_bounded_bookkeeping_and_true_lines() {
    let mut file = String::from("Name;Amount;Note\r\n");
    for i in 0..50_000 {
        if i % 1000 == 0 {
            file.push_str("\r\n");
        }
        file.push_str(&format!("Deal {i};{i},50;\"multi\nline\"\r\n"));
    }
    let mut cursor = std::io::Cursor::new(file.into_bytes());
    let sniffed = sniff(&mut cursor).unwrap_or_else(|e| panic!("{e}"));
    let mut reader = TableReader::open(cursor, sniffed).unwrap_or_else(|e| panic!("{e}"));
    let mut count = 0;
    let mut most_breaks = 0;
    let mut last_line = 0;
    while let Some(row) = reader.next() {
        let row = row.unwrap_or_else(|e| panic!("{e}"));
        count += 1;
        most_breaks = most_breaks.max(reader.csv.get_ref().breaks.len());
        last_line = row.record.line;
    }
    assert_eq!(count, 50_000);
    assert_eq!(reader.separator, b';');
    assert!(
        most_breaks < 4_000,
        "line-break bookkeeping stays bounded: {most_breaks}"
    );
    assert_eq!(
        last_line,
        1 + 50 + 2 * 49_999 + 1,
        "header, 50 blank lines, two lines per row"
    );
}

#[test]
fn formulas_are_neutralised_and_numbers_stay_numbers() {
    for risky in [
        "=HYPERLINK(\"http://x\")",
        "+1+1",
        "-2+3",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
        "-cmd|' /C calc'!A0",
    ] {
        assert!(spreadsheet_safe(risky).starts_with('\''), "{risky:?}");
    }
    for safe in ["-12.5", "-3", "Acme", "100", "a=b", ""] {
        assert_eq!(spreadsheet_safe(safe), safe);
    }
    assert!(spreadsheet_safe("-inf").starts_with('\''));
}

#[test]
fn written_csv_reads_back_with_formulas_as_text() {
    let mut out = Vec::new();
    let rows = vec![
        vec!["=1+1".to_owned(), "line\nbreak".to_owned()],
        vec!["-5".to_owned(), "\"quoted\"".to_owned()],
    ];
    write_csv(&mut out, &["Name", "Note"], rows).unwrap_or_else(|e| panic!("{e}"));
    assert!(out.starts_with("\u{feff}".as_bytes()));
    let t = table(&out);
    assert_eq!(t.records[0].cells, ["'=1+1", "line\nbreak"]);
    assert_eq!(t.records[1].cells, ["-5", "\"quoted\""]);
}

proptest! {
    #[test]
    fn no_written_cell_can_start_a_formula(cell in ".{0,20}") {
        let safe = spreadsheet_safe(&cell);
        let starts_formula = safe.starts_with(['=', '+', '@', '\t', '\r']) || (safe.starts_with('-') && safe.parse::<f64>().is_err());
        prop_assert!(!starts_formula, "{:?} -> {:?}", cell, safe);
    }
}

proptest! {
    #[test]
    fn any_bytes_read_or_fail_with_a_named_error_and_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = read(&bytes);
    }

    #[test]
    fn any_grid_of_text_written_as_csv_reads_back_cell_for_cell(
        grid in proptest::collection::vec(proptest::collection::vec("[a-zA-Z0-9 ,;\"\n]{1,12}", 3), 1..8),
    ) {
        let mut writer = csv::WriterBuilder::new().quote_style(csv::QuoteStyle::Always).from_writer(Vec::new());
        writer.write_record(["Alpha", "Beta", "Gamma"]).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for row in &grid {
            writer.write_record(row).map_err(|e| TestCaseError::fail(e.to_string()))?;
        }
        let bytes = writer.into_inner().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let t = read(&bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let kept: Vec<&Vec<String>> = grid.iter().filter(|r| r.iter().any(|c| !c.trim().is_empty())).collect();
        prop_assert_eq!(t.records.len(), kept.len());
        for (record, row) in t.records.iter().zip(kept) {
            prop_assert_eq!(&record.cells, row);
        }
    }
}
