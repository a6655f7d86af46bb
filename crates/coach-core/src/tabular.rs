//! Reading the tables people export from their CRM and spreadsheets, as they
//! really are (reliability.md, "Importing CRM files"): UTF-8 with or without a
//! BOM, UTF-16, Windows-1252 (decoded, never replaced by U+FFFD), `,` `;` or
//! tab separators and a `sep=` first line, quoted newlines, ragged rows,
//! trailing report footers, duplicate or case-variant headers, control
//! characters and huge fields; and files that are not CSV at all, named for
//! what they are. Every problem names the record, its first line, the column
//! and the offending value. What a column *means* is decided by the importer
//! on top of this.

use std::fmt;

/// The largest cell accepted, in bytes.
pub const MAX_CELL_BYTES: usize = 32 * 1024;
/// How many characters of an offending value an error quotes.
const QUOTE_CHARS: usize = 60;

/// The text encodings Coach reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8, with or without a byte-order mark.
    Utf8,
    /// UTF-16 little-endian (with a byte-order mark, as Excel writes it).
    Utf16Le,
    /// UTF-16 big-endian (with a byte-order mark).
    Utf16Be,
    /// Windows-1252, what Excel on Windows writes for "CSV".
    Windows1252,
}

/// Why a whole file cannot be read as a table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    /// The file is empty or holds only blank lines.
    #[error("the file is empty")]
    Empty,
    /// The file is some other format, named.
    #[error("this is {0}, not a CSV file; export or save it as CSV and try again")]
    NotCsv(&'static str),
    /// The bytes are not text in any encoding Coach reads.
    #[error("the file is not text (it holds a NUL byte at byte {0}); export it as CSV")]
    Binary(usize),
}

/// A problem in one cell or row, located for a person to find it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The record's number, 1 for the first row after the header.
    pub record: usize,
    /// The line of the file the record starts on (1-based, header included).
    pub line: u64,
    /// The column: its 1-based index and header, when the problem is in a cell.
    pub column: Option<(usize, String)>,
    /// The offending value, shortened and with control characters escaped.
    pub value: Option<String>,
    /// What was expected.
    pub expected: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "record {} (line {})", self.record, self.line)?;
        if let Some((index, header)) = &self.column {
            write!(f, ", column {index} \"{header}\"")?;
        }
        if let Some(value) = &self.value {
            write!(f, ": {value}")?;
        }
        write!(f, ": {}", self.expected)
    }
}

/// A value quoted in an error: at most 60 characters, control and
/// text-direction characters escaped, so the message is one safe line.
pub fn quote(value: &str) -> String {
    let mut out = String::from("\"");
    for (i, c) in value.chars().enumerate() {
        if i == QUOTE_CHARS {
            out.push('…');
            break;
        }
        if c.is_control() || crate::validate::is_bidi_control(c) {
            out.extend(c.escape_unicode());
        } else if c == '"' {
            out.push_str("\\\"");
        } else {
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// One data row, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// 1 for the first row after the header.
    pub number: usize,
    /// The line of the file it starts on.
    pub line: u64,
    /// Its cells, as many as the file had on this row.
    pub cells: Vec<String>,
}

/// A file read as a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The encoding it was decoded from.
    pub encoding: Encoding,
    /// The separator found.
    pub separator: u8,
    /// The column names, trimmed, in file order.
    pub headers: Vec<String>,
    /// The data rows, blank rows left out.
    pub records: Vec<Record>,
    /// Lines of a trailing report footer that were left out.
    pub footer_lines: usize,
    /// Problems in single rows (ragged rows, huge or control-laden cells).
    pub problems: Vec<RowError>,
}

/// How a column name matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnLookup {
    /// One column, by 0-based index.
    Found(usize),
    /// No column of that name.
    Missing,
    /// Several columns of that name (ignoring case and surrounding space): 0-based indices.
    Ambiguous(Vec<usize>),
}

impl Table {
    /// Finds a column by name, ignoring case and surrounding space.
    pub fn column(&self, name: &str) -> ColumnLookup {
        let wanted = name.trim().to_lowercase();
        let found: Vec<usize> = self
            .headers
            .iter()
            .enumerate()
            .filter(|(_, h)| h.to_lowercase() == wanted)
            .map(|(i, _)| i)
            .collect();
        match found.as_slice() {
            [] => ColumnLookup::Missing,
            [one] => ColumnLookup::Found(*one),
            _ => ColumnLookup::Ambiguous(found),
        }
    }

    /// A cell of a record, or "" where the row was short.
    pub fn cell<'a>(&self, record: &'a Record, column: usize) -> &'a str {
        record.cells.get(column).map(String::as_str).unwrap_or("")
    }
}

/// Names formats people upload by mistake, from their first bytes.
fn sniff_other_format(bytes: &[u8]) -> Option<&'static str> {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(b"PK\x03\x04") {
        Some("a ZIP archive (an Excel .xlsx workbook is one)")
    } else if starts(&[0xD0, 0xCF, 0x11, 0xE0]) {
        Some("an old Excel .xls workbook")
    } else if starts(b"%PDF") {
        Some("a PDF document")
    } else if starts(b"{\\rtf") {
        Some("an RTF document")
    } else {
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)])
            .trim_start_matches('\u{feff}')
            .trim_start()
            .to_lowercase();
        if head.starts_with("<?xml")
            || head.starts_with("<html")
            || head.starts_with("<!doctype html")
        {
            Some("an HTML or XML page")
        } else if head.starts_with('{') || head.starts_with("[{") {
            Some("a JSON document")
        } else {
            None
        }
    }
}

/// Decodes bytes to text, choosing the encoding as a person's tools would.
pub fn decode(bytes: &[u8]) -> Result<(Encoding, String), FileError> {
    if let Some(kind) = sniff_other_format(bytes) {
        return Err(FileError::NotCsv(kind));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) {
        let (text, _, _) = encoding_rs::UTF_16LE.decode(bytes);
        return Ok((
            Encoding::Utf16Le,
            text.trim_start_matches('\u{feff}').to_owned(),
        ));
    }
    if bytes.starts_with(&[0xFE, 0xFF]) {
        let (text, _, _) = encoding_rs::UTF_16BE.decode(bytes);
        return Ok((
            Encoding::Utf16Be,
            text.trim_start_matches('\u{feff}').to_owned(),
        ));
    }
    if let Some(at) = bytes.iter().position(|b| *b == 0) {
        return Err(FileError::Binary(at));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok((
            Encoding::Utf8,
            text.trim_start_matches('\u{feff}').to_owned(),
        )),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            Ok((Encoding::Windows1252, text.into_owned()))
        }
    }
}

/// The separator: a `sep=` first line wins; otherwise the candidate that
/// splits the header line into the most columns (outside quotes).
fn separator(text: &str) -> (u8, &str) {
    let first_line_end = text.find('\n').unwrap_or(text.len());
    let first = text[..first_line_end].trim_end_matches('\r');
    if let Some(sep) = first.strip_prefix("sep=").and_then(|s| s.bytes().next()) {
        return (sep, &text[(first_line_end + 1).min(text.len())..]);
    }
    let count = |sep: char| {
        let mut quoted = false;
        first
            .chars()
            .filter(|c| {
                if *c == '"' {
                    quoted = !quoted;
                }
                !quoted && *c == sep
            })
            .count()
    };
    let best = [',', ';', '\t']
        .into_iter()
        .max_by_key(|s| (count(*s), *s == ','))
        .unwrap_or(',');
    (best as u8, text)
}

/// Whether a row is a footer line of a report export: one short cell and
/// nothing else, such as "Generated By: …" or a copyright line.
fn is_footer_row(cells: &[String]) -> bool {
    let filled: Vec<&String> = cells.iter().filter(|c| !c.trim().is_empty()).collect();
    filled.len() <= 1
}

/// Reads a whole file as a table.
pub fn read(bytes: &[u8]) -> Result<Table, FileError> {
    let (encoding, text) = decode(bytes)?;
    if text.trim().is_empty() {
        return Err(FileError::Empty);
    }
    let (sep, body) = separator(&text);
    let line_offset = u64::from(body.len() != text.len());
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sep)
        .has_headers(false)
        .flexible(true)
        .from_reader(body.as_bytes());
    let mut raw: Vec<(u64, bool, Vec<String>)> = Vec::new();
    let mut problems = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line() + line_offset;
        match reader.read_record(&mut record) {
            Ok(true) => {
                // The reader skips empty lines and reports the record where
                // it began looking; count the skipped lines from there.
                let (reported, byte) = record
                    .position()
                    .map_or((line, 0), |p| (p.line() + line_offset, p.byte()));
                let skipped = body
                    .as_bytes()
                    .get(usize::try_from(byte).unwrap_or(usize::MAX)..)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|b| matches!(b, b'\n' | b'\r'))
                    .filter(|b| **b == b'\n')
                    .count();
                let skipped = u64::try_from(skipped).unwrap_or(0);
                raw.push((
                    reported + skipped,
                    skipped > 0,
                    record.iter().map(str::to_owned).collect(),
                ));
            }
            Ok(false) => break,
            Err(e) => {
                problems.push(RowError {
                    record: raw.len(),
                    line,
                    column: None,
                    value: None,
                    expected: format!("a well-formed CSV row ({e})"),
                });
                break;
            }
        }
    }
    let blank = |cells: &[String]| cells.iter().all(|c| c.trim().is_empty());
    let header_at = raw
        .iter()
        .position(|(_, _, cells)| !blank(cells))
        .ok_or(FileError::Empty)?;
    let headers: Vec<String> = raw[header_at]
        .2
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let body_rows: Vec<(u64, bool, Vec<String>)> = raw.into_iter().skip(header_at + 1).collect();
    let blank_before: Vec<bool> = body_rows
        .iter()
        .enumerate()
        .map(|(i, row)| row.1 || (i > 0 && blank(&body_rows[i - 1].2)))
        .collect();
    // A report footer: after the data and a blank line, only rows of at most
    // one filled cell ("Generated By: …", a copyright line), when the table
    // itself has several columns. Without the blank line nothing is dropped.
    let mut keep = body_rows.len();
    let mut footer_lines = 0;
    let tail_start = (0..body_rows.len())
        .rev()
        .find(|&i| blank_before[i] && !blank(&body_rows[i].2));
    if let Some(start) = tail_start.filter(|_| headers.len() > 1) {
        let tail = &body_rows[start..];
        let data_before = body_rows[..start].iter().any(|(_, _, cells)| !blank(cells));
        if data_before && tail.iter().all(|(_, _, cells)| is_footer_row(cells)) {
            footer_lines = tail.iter().filter(|(_, _, cells)| !blank(cells)).count();
            keep = start;
        }
    }
    let rows: Vec<(u64, Vec<String>)> = body_rows
        .into_iter()
        .take(keep)
        .filter(|(_, _, cells)| !blank(cells))
        .map(|(line, _, cells)| (line, cells))
        .collect();
    let mut records = Vec::with_capacity(rows.len());
    for (i, (line, cells)) in rows.into_iter().enumerate() {
        let number = i + 1;
        if cells.len() > headers.len()
            && cells[headers.len()..].iter().any(|c| !c.trim().is_empty())
        {
            problems.push(RowError {
                record: number,
                line,
                column: None,
                value: None,
                expected: format!(
                    "at most {} cells, as many as there are columns; this row has {}",
                    headers.len(),
                    cells.len()
                ),
            });
        }
        for (c, cell) in cells.iter().enumerate() {
            let column = || Some((c + 1, headers.get(c).cloned().unwrap_or_default()));
            if cell.len() > MAX_CELL_BYTES {
                problems.push(RowError {
                    record: number,
                    line,
                    column: column(),
                    value: Some(quote(cell)),
                    expected: format!("a cell of at most {} KiB", MAX_CELL_BYTES / 1024),
                });
            } else if cell
                .chars()
                .any(|ch| ch.is_control() && !matches!(ch, '\t' | '\n' | '\r'))
            {
                problems.push(RowError {
                    record: number,
                    line,
                    column: column(),
                    value: Some(quote(cell)),
                    expected: "text without control characters".to_owned(),
                });
            }
        }
        records.push(Record {
            number,
            line,
            cells,
        });
    }
    Ok(Table {
        encoding,
        separator: sep,
        headers,
        records,
        footer_lines,
        problems,
    })
}

#[cfg(test)]
mod tests {
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
            messages[2].contains("record 4 (line 5), column 2 \"Amount\"")
                && messages[2].contains('…'),
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
}
