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

/// Writes CSV a row at a time, every cell made [`spreadsheet_safe`]: the one
/// way Coach writes CSV that people may open in a spreadsheet (exports,
/// downloads, rejects files).
pub struct SafeCsvWriter<W: std::io::Write> {
    csv: csv::Writer<W>,
}

impl<W: std::io::Write> std::fmt::Debug for SafeCsvWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SafeCsvWriter").finish_non_exhaustive()
    }
}

impl<W: std::io::Write> SafeCsvWriter<W> {
    /// Starts a file with its header; with a byte-order mark when `bom`, so
    /// spreadsheet programs read it as UTF-8.
    pub fn start<C: AsRef<str>>(
        mut out: W,
        bom: bool,
        headers: impl IntoIterator<Item = C>,
    ) -> std::io::Result<Self> {
        if bom {
            out.write_all("\u{feff}".as_bytes())?;
        }
        let mut writer = SafeCsvWriter {
            csv: csv::Writer::from_writer(out),
        };
        writer.row(headers)?;
        Ok(writer)
    }

    /// Writes one row.
    pub fn row<C: AsRef<str>>(
        &mut self,
        cells: impl IntoIterator<Item = C>,
    ) -> std::io::Result<()> {
        for cell in cells {
            self.csv
                .write_field(spreadsheet_safe(cell.as_ref()).as_bytes())?;
        }
        self.csv.write_record(None::<&[u8]>)?;
        Ok(())
    }

    /// Writes out what is buffered.
    pub fn finish(mut self) -> std::io::Result<()> {
        self.csv.flush()
    }
}

/// Writes a table as CSV (UTF-8 with a byte-order mark, so spreadsheet
/// programs read it as UTF-8), every cell made [`spreadsheet_safe`].
pub fn write_csv<W: std::io::Write>(
    out: W,
    headers: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> std::io::Result<()> {
    let mut writer = SafeCsvWriter::start(out, true, headers)?;
    for row in rows {
        writer.row(&row)?;
    }
    writer.finish()
}
