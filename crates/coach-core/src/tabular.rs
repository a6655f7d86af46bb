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
use std::io::{Read, Seek, SeekFrom};

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
    /// The file could not be read at all.
    #[error("the file could not be read: {0}")]
    Unreadable(String),
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

/// What the first pass over a file found: how to decode it and split it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sniffed {
    /// The encoding to decode with.
    pub encoding: Encoding,
    /// The separator.
    pub separator: u8,
    /// Whether the first line is a `sep=` line to skip.
    pub sep_line: bool,
}

/// How much of the start of a file is read to recognise its format.
const PREFIX_BYTES: usize = 64 * 1024;

fn read_prefix<R: Read>(src: &mut R, limit: usize) -> std::io::Result<Vec<u8>> {
    let mut prefix = Vec::with_capacity(limit.min(PREFIX_BYTES));
    src.take(u64::try_from(limit).unwrap_or(u64::MAX))
        .read_to_end(&mut prefix)?;
    Ok(prefix)
}

/// The first pass: recognises files that are not CSV, chooses the encoding
/// (a byte-order mark; else UTF-8 if the whole file is valid UTF-8; else
/// Windows-1252), finds the separator, and rewinds. Reads the file in chunks:
/// memory stays bounded whatever its size.
pub fn sniff<R: Read + Seek>(src: &mut R) -> Result<Sniffed, FileError> {
    let io = |e: std::io::Error| FileError::Unreadable(e.to_string());
    src.seek(SeekFrom::Start(0)).map_err(io)?;
    let prefix = read_prefix(src, PREFIX_BYTES).map_err(io)?;
    if let Some(kind) = sniff_other_format(&prefix) {
        return Err(FileError::NotCsv(kind));
    }
    let encoding = if prefix.starts_with(&[0xFF, 0xFE]) {
        Encoding::Utf16Le
    } else if prefix.starts_with(&[0xFE, 0xFF]) {
        Encoding::Utf16Be
    } else {
        src.seek(SeekFrom::Start(0)).map_err(io)?;
        let mut valid_utf8 = true;
        let mut carry: Vec<u8> = Vec::new();
        let mut chunk = vec![0u8; PREFIX_BYTES];
        let mut offset = 0usize;
        loop {
            let n = src.read(&mut chunk).map_err(io)?;
            if n == 0 {
                break;
            }
            if let Some(at) = chunk[..n].iter().position(|b| *b == 0) {
                return Err(FileError::Binary(offset + at));
            }
            offset += n;
            if valid_utf8 {
                carry.extend_from_slice(&chunk[..n]);
                match std::str::from_utf8(&carry) {
                    Ok(_) => carry.clear(),
                    Err(e) if e.error_len().is_none() => {
                        let keep = carry.split_off(e.valid_up_to());
                        carry = keep;
                    }
                    Err(_) => valid_utf8 = false,
                }
            }
        }
        if valid_utf8 && carry.is_empty() {
            Encoding::Utf8
        } else {
            Encoding::Windows1252
        }
    };
    let text = decode_prefix(encoding, &prefix);
    if text.trim().is_empty() {
        return Err(FileError::Empty);
    }
    let (separator, sep_line) = separator(&text);
    src.seek(SeekFrom::Start(0)).map_err(io)?;
    Ok(Sniffed {
        encoding,
        separator,
        sep_line,
    })
}

fn encoding_rs_of(encoding: Encoding) -> &'static encoding_rs::Encoding {
    match encoding {
        Encoding::Utf8 => encoding_rs::UTF_8,
        Encoding::Utf16Le => encoding_rs::UTF_16LE,
        Encoding::Utf16Be => encoding_rs::UTF_16BE,
        Encoding::Windows1252 => encoding_rs::WINDOWS_1252,
    }
}

fn decode_prefix(encoding: Encoding, prefix: &[u8]) -> String {
    let (text, _, _) = encoding_rs_of(encoding).decode(prefix);
    text.trim_start_matches('\u{feff}').to_owned()
}

/// The separator: a `sep=` first line wins; otherwise the candidate that
/// splits the first non-empty line into the most columns (outside quotes).
fn separator(text: &str) -> (u8, bool) {
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim_end_matches('\r');
    if let Some(sep) = first.strip_prefix("sep=").and_then(|s| s.bytes().next()) {
        return (sep, true);
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
    (best as u8, false)
}

/// Whether a row is a footer line of a report export: at most one filled
/// cell, such as "Generated By: …" or a copyright line.
fn is_footer_row(cells: &[String]) -> bool {
    cells.iter().filter(|c| !c.trim().is_empty()).count() <= 1
}

fn newlines(cells: &[String]) -> u64 {
    cells.iter().map(|c| c.matches('\n').count() as u64).sum()
}

fn blank(cells: &[String]) -> bool {
    cells.iter().all(|c| c.trim().is_empty())
}

/// The most footer lines held back while deciding whether they end the file.
const MAX_FOOTER_ROWS: usize = 20;

/// Remembers where line breaks are in the text passing through, so a record's
/// byte position can be turned into the line a person sees (the CSV reader
/// reports a record after empty lines at the first of them). Breaks behind the
/// reader are forgotten: memory stays bounded.
struct Tally<R> {
    inner: R,
    passed: u64,
    breaks: std::collections::VecDeque<(u64, u8)>,
    newlines_before: u64,
}

impl<R: Read> Read for Tally<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for (i, b) in buf[..n].iter().enumerate() {
            if matches!(b, b'\n' | b'\r') {
                self.breaks.push_back((self.passed + i as u64, *b));
            }
        }
        self.passed += n as u64;
        Ok(n)
    }
}

impl<R> Tally<R> {
    /// The 1-based line of the first character at or after `byte` that is not
    /// a line break.
    fn line_at(&mut self, byte: u64) -> u64 {
        let mut at = byte;
        while let Some(&(offset, b)) = self.breaks.front() {
            if offset <= at {
                if offset == at {
                    at += 1;
                }
                if b == b'\n' {
                    self.newlines_before += 1;
                }
                self.breaks.pop_front();
            } else {
                break;
            }
        }
        self.newlines_before + 1
    }
}

type Decoded<R> = Tally<encoding_rs_io::DecodeReaderBytes<R, Vec<u8>>>;

/// One data row and the problems found in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The record.
    pub record: Record,
    /// Ragged cells, control characters, huge cells.
    pub problems: Vec<RowError>,
}

/// Reads a file's data rows one at a time, in bounded memory.
pub struct TableReader<R: Read> {
    csv: csv::Reader<Decoded<R>>,
    /// The column names.
    pub headers: Vec<String>,
    /// The encoding the file was decoded from.
    pub encoding: Encoding,
    /// The separator.
    pub separator: u8,
    previous_end: u64,
    footer: Vec<(u64, bool, Vec<String>)>,
    ready: std::collections::VecDeque<(u64, Vec<String>)>,
    number: usize,
    done: bool,
    /// Footer lines left out at the end.
    pub footer_lines: usize,
}

impl<R: Read> std::fmt::Debug for TableReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TableReader")
            .field("headers", &self.headers)
            .field("encoding", &self.encoding)
            .finish_non_exhaustive()
    }
}

impl<R: Read> TableReader<R> {
    /// Opens a source that [`sniff`] has looked at (and rewound), and reads
    /// the header row: the first row with a filled cell.
    pub fn open(src: R, sniffed: Sniffed) -> Result<Self, FileError> {
        let decoded = encoding_rs_io::DecodeReaderBytesBuilder::new()
            .encoding(Some(encoding_rs_of(sniffed.encoding)))
            .build(src);
        let tally = Tally {
            inner: decoded,
            passed: 0,
            breaks: std::collections::VecDeque::new(),
            newlines_before: 0,
        };
        let csv = csv::ReaderBuilder::new()
            .delimiter(sniffed.separator)
            .has_headers(false)
            .flexible(true)
            .from_reader(tally);
        let mut reader = TableReader {
            csv,
            headers: Vec::new(),
            encoding: sniffed.encoding,
            separator: sniffed.separator,
            previous_end: 0,
            footer: Vec::new(),
            ready: std::collections::VecDeque::new(),
            number: 0,
            done: false,
            footer_lines: 0,
        };
        let mut skipped_sep_line = !sniffed.sep_line;
        loop {
            let mut record = csv::StringRecord::new();
            match reader.csv.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => return Err(FileError::Empty),
                Err(e) => return Err(FileError::Unreadable(e.to_string())),
            }
            let cells: Vec<String> = record.iter().map(str::to_owned).collect();
            if !skipped_sep_line {
                skipped_sep_line = true;
                if cells.first().is_some_and(|c| c.starts_with("sep=")) {
                    continue;
                }
            }
            let line = reader.line_of(&record);
            reader.previous_end = line + newlines(&cells);
            if !blank(&cells) {
                reader.headers = cells.iter().map(|h| h.trim().to_owned()).collect();
                return Ok(reader);
            }
        }
    }

    fn line_of(&mut self, record: &csv::StringRecord) -> u64 {
        let byte = record.position().map_or(0, csv::Position::byte);
        self.csv.get_mut().line_at(byte)
    }

    /// Reads the next record: its line, whether a blank line came before it,
    /// its cells.
    fn next_raw(&mut self) -> Result<Option<(u64, bool, Vec<String>)>, RowError> {
        let mut record = csv::StringRecord::new();
        match self.csv.read_record(&mut record) {
            Ok(true) => {
                let cells: Vec<String> = record.iter().map(str::to_owned).collect();
                let line = self.line_of(&record);
                let blank_before = line > self.previous_end + 1;
                self.previous_end = line + newlines(&cells);
                Ok(Some((line, blank_before, cells)))
            }
            Ok(false) => Ok(None),
            Err(e) => Err(RowError {
                record: self.number + self.ready.len() + 1,
                line: self.previous_end + 1,
                column: None,
                value: None,
                expected: format!("a well-formed CSV row ({e})"),
            }),
        }
    }

    /// Sends a row to the data or to the footer candidates. A row of empty
    /// cells counts as a blank line.
    fn route(&mut self, line: u64, blank_before: bool, cells: Vec<String>) {
        if blank(&cells) {
            self.previous_end = 0;
            if !self.footer.is_empty() {
                self.footer.push((line, blank_before, cells));
            }
            return;
        }
        let multi_column = self.headers.len() > 1;
        let starts_footer = multi_column
            && blank_before
            && is_footer_row(&cells)
            && self.number + self.ready.len() > 0;
        if !self.footer.is_empty() || starts_footer {
            if is_footer_row(&cells) && self.footer.len() < MAX_FOOTER_ROWS {
                self.footer.push((line, blank_before, cells));
                return;
            }
            for (l, _, c) in std::mem::take(&mut self.footer) {
                if !blank(&c) {
                    self.ready.push_back((l, c));
                }
            }
        }
        self.ready.push_back((line, cells));
    }

    fn check(&self, number: usize, line: u64, cells: &[String]) -> Vec<RowError> {
        let mut problems = Vec::new();
        let width = self.headers.len();
        if cells.len() > width && cells[width..].iter().any(|c| !c.trim().is_empty()) {
            problems.push(RowError {
                record: number,
                line,
                column: None,
                value: None,
                expected: format!(
                    "at most {width} cells, as many as there are columns; this row has {}",
                    cells.len()
                ),
            });
        }
        for (c, cell) in cells.iter().enumerate() {
            let column = || Some((c + 1, self.headers.get(c).cloned().unwrap_or_default()));
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
        problems
    }
}

impl<R: Read> Iterator for TableReader<R> {
    type Item = Result<Row, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some((line, cells)) = self.ready.pop_front() {
                self.number += 1;
                let problems = self.check(self.number, line, &cells);
                return Some(Ok(Row {
                    record: Record {
                        number: self.number,
                        line,
                        cells,
                    },
                    problems,
                }));
            }
            if self.done {
                return None;
            }
            match self.next_raw() {
                Ok(Some((line, blank_before, cells))) => self.route(line, blank_before, cells),
                Ok(None) => {
                    self.footer_lines = self.footer.iter().filter(|(_, _, c)| !blank(c)).count();
                    self.footer.clear();
                    self.done = true;
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
    }
}

/// Reads a whole file held in memory as a table (small files and tests; the
/// importer streams with [`sniff`] and [`TableReader`]).
pub fn read(bytes: &[u8]) -> Result<Table, FileError> {
    let mut cursor = std::io::Cursor::new(bytes);
    let sniffed = sniff(&mut cursor)?;
    let mut reader = TableReader::open(cursor, sniffed)?;
    let mut records = Vec::new();
    let mut problems = Vec::new();
    for row in reader.by_ref() {
        match row {
            Ok(row) => {
                problems.extend(row.problems);
                records.push(row.record);
            }
            Err(e) => problems.push(e),
        }
    }
    Ok(Table {
        encoding: reader.encoding,
        separator: reader.separator,
        headers: reader.headers.clone(),
        records,
        footer_lines: reader.footer_lines,
        problems,
    })
}

/// A cell as it may be written to a CSV file that people open in a
/// spreadsheet: text that a spreadsheet would run as a formula (it starts with
/// `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading apostrophe
/// (OWASP, "CSV Injection"). Plain numbers such as `-12.5` stay numbers.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let plain_number = cell.parse::<f64>().is_ok()
        && !cell.starts_with(['+', '\t', '\r'])
        && !cell.contains(['e', 'E', 'i', 'I', 'n', 'N']);
    if risky && !plain_number {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// Writes a table as CSV (UTF-8 with a byte-order mark, so spreadsheet
/// programs read it as UTF-8), every cell made [`spreadsheet_safe`].
pub fn write_csv<W: std::io::Write>(
    out: W,
    headers: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> std::io::Result<()> {
    let mut out = out;
    out.write_all("\u{feff}".as_bytes())?;
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(
        headers
            .iter()
            .map(|h| spreadsheet_safe(h))
            .collect::<Vec<_>>()
            .iter()
            .map(|c| c.as_ref()),
    )?;
    for row in rows {
        writer.write_record(
            row.iter()
                .map(|c| spreadsheet_safe(c))
                .collect::<Vec<_>>()
                .iter()
                .map(|c| c.as_ref()),
        )?;
    }
    writer.flush()
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
}
