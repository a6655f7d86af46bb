//! Writing CSV that spreadsheet programs open safely.

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
