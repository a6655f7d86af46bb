//! The first pass over a file: what it is, how it is encoded, what
//! separates its cells.

use super::{Encoding, FileError};
use std::io::{Read, Seek, SeekFrom};

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

pub(super) fn encoding_rs_of(encoding: Encoding) -> &'static encoding_rs::Encoding {
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
