//! Reading the tables people export from their CRM and spreadsheets, as they
//! really are (reliability.md, "Importing CRM files"): UTF-8 with or without a
//! BOM, UTF-16, Windows-1252 (decoded, never replaced by U+FFFD), `,` `;` or
//! tab separators and a `sep=` first line, quoted newlines, ragged rows,
//! trailing report footers, duplicate or case-variant headers, control
//! characters and huge fields; and files that are not CSV at all, named for
//! what they are. Every problem names the record, its first line, the column
//! and the offending value. What a column *means* is decided by the importer
//! on top of this.

mod reader;
mod sniff;
#[cfg(test)]
mod tests;
mod write;

pub use reader::{Row, TableReader};
pub use sniff::{Sniffed, sniff};
pub use write::{SafeCsvWriter, spreadsheet_safe, write_csv};

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
