//! `coach import` and `coach export`.

use crate::cli::{ExportArgs, ImportArgs};
use anyhow::{Context as _, anyhow, bail};
use coach_core::import::{Mapping, RecordKind};
use coach_store::crm::{ImportError, ImportReport, ImportRequest, Progress};
use coach_store::{Organization, Store};
use std::io::{IsTerminal as _, Write as _};

/// Reads the mapping file and lays the command-line options over it.
fn mapping(a: &ImportArgs) -> anyhow::Result<Mapping> {
    let mut mapping = match &a.mapping {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the mapping file {}", path.display()))?;
            Mapping::from_toml(&text).map_err(|e| anyhow!("{}: {e}", path.display()))?
        }
        None => Mapping::default(),
    };
    let toml_value = |s: &str| toml::Value::String(s.to_owned());
    if let Some(f) = &a.date_format {
        mapping.date_format = Some(toml_value(f).try_into().map_err(|_| {
            anyhow!("--date-format: expected YYYY-MM-DD, DD/MM/YYYY, MM/DD/YYYY or DD.MM.YYYY; got {f:?}")
        })?);
    }
    if let Some(d) = &a.decimal_separator {
        mapping.decimal_separator = Some(
            toml_value(d.trim())
                .try_into()
                .map_err(|_| anyhow!("--decimal-separator: expected . or , ; got {d:?}"))?,
        );
    }
    if let Some(tz) = &a.time_zone {
        coach_core::validate_time_zone(tz).map_err(|e| anyhow!("--time-zone: {}", e.message))?;
        mapping.time_zone = Some(tz.clone());
    }
    if let Some(c) = &a.currency {
        mapping.currency =
            Some(coach_core::crm::parse_currency(c).map_err(|e| anyhow!("--currency: {e}"))?);
    }
    if let Some(format) = &a.format {
        mapping.from = Some(format.parse().map_err(|e| anyhow!("--format: {e}"))?);
    }
    Ok(mapping)
}

/// Imports a file and prints what happened.
pub async fn import(store: &Store, org: &Organization, a: ImportArgs) -> anyhow::Result<()> {
    let mapping = mapping(&a)?;
    let kind: RecordKind = match &a.kind {
        Some(k) => k.parse().map_err(|e| anyhow!("--kind: {e}"))?,
        None => mapping.kind.unwrap_or(RecordKind::Opportunities),
    };
    let mut request = ImportRequest::new(kind, mapping);
    request.mapping.kind = Some(kind);
    request.dry_run = a.dry_run;
    request.skip_invalid = a.skip_invalid;
    request.batch_size = a.batch_size;
    let file = std::fs::File::open(&a.file)
        .with_context(|| format!("cannot open {}", a.file.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut rejects = match &a.rejects {
        Some(path) => Some(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => None,
    };
    let bar = if std::io::stderr().is_terminal() && !a.json {
        let bar = indicatif::ProgressBar::new(size);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {msg} [{bar:40}] {percent}% ({eta} left)",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_message(format!("Importing {kind}"));
        Some(bar)
    } else {
        None
    };
    let mut on_progress = |p: Progress| {
        if let Some(bar) = &bar {
            bar.set_position(p.bytes.min(size));
            bar.set_message(format!("Importing {kind}: {} rows", p.rows));
        }
    };
    let result = store
        .import(
            &org.id,
            std::io::BufReader::with_capacity(256 * 1024, file),
            &request,
            rejects
                .as_mut()
                .map(|w| w as &mut (dyn std::io::Write + Send)),
            &mut on_progress,
        )
        .await;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    if let Some(w) = rejects.as_mut() {
        w.flush().context("cannot write the rejects file")?;
    }
    let report = match result {
        Ok(report) => report,
        Err(ImportError::Store(e)) => return Err(anyhow!(e)),
        Err(e) => bail!("{}: nothing was imported: {e}", a.file.display()),
    };
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report_json(&report))?);
    } else {
        print_report(&report, &a);
    }
    if report.error_count > 0 && !a.skip_invalid {
        bail!(
            "{}: {} problem{} found; {}",
            a.file.display(),
            report.error_count,
            if report.error_count == 1 { "" } else { "s" },
            if a.dry_run {
                "the import would write nothing"
            } else {
                "nothing was imported"
            }
        );
    }
    Ok(())
}

fn print_report(report: &ImportReport, a: &ImportArgs) {
    let kind = report.kind.map_or("records", |k| k.as_str());
    let source = report.source.map_or("", |s| s.label());
    println!(
        "{}: {} rows of {kind} from {source}{}",
        a.file.display(),
        report.rows,
        if report.footer_lines > 0 {
            format!(" ({} report footer lines left out)", report.footer_lines)
        } else {
            String::new()
        }
    );
    if !report.errors.is_empty() {
        println!(
            "{} problem{}{}:",
            report.error_count,
            if report.error_count == 1 { "" } else { "s" },
            if report.error_count > report.errors.len() as u64 {
                format!(" (the first {} listed)", report.errors.len())
            } else {
                String::new()
            }
        );
        for e in &report.errors {
            println!("  {e}");
        }
    }
    if !report.unmapped_stages.is_empty() {
        println!(
            "CRM stages not in the organization's stage map (map them under Settings → Stages, or in the mapping file's [stages]):"
        );
        for (stage, rows) in &report.unmapped_stages {
            println!(
                "  {} ({rows} row{})",
                coach_core::tabular::quote(stage),
                if *rows == 1 { "" } else { "s" }
            );
        }
    }
    let verb = if report.written {
        "Imported"
    } else if report.dry_run && (report.error_count == 0 || a.skip_invalid) {
        "Dry run, nothing written; the import would give"
    } else {
        "Nothing imported; the valid rows would give"
    };
    println!("{verb}: {}.", report.summary());
    if let (Some(path), true) = (&a.rejects, report.rejected > 0) {
        println!(
            "The {} rows left out are in {} with their reasons.",
            report.rejected,
            path.display()
        );
    }
}

/// The report for scripts.
pub fn report_json(report: &ImportReport) -> serde_json::Value {
    serde_json::json!({
        "kind": report.kind.map(|k| k.as_str()),
        "source": report.source.map(|s| s.as_str()),
        "rows": report.rows,
        "new": report.new,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "stage_changes": report.stage_changes,
        "rejected": report.rejected,
        "written": report.written,
        "dry_run": report.dry_run,
        "error_count": report.error_count,
        "errors": report.errors.iter().map(|e| serde_json::json!({
            "record": e.record,
            "line": e.line,
            "column": e.column.as_ref().map(|(i, _)| i),
            "header": e.column.as_ref().map(|(_, h)| h),
            "value": e.value,
            "expected": e.expected,
            "message": e.to_string(),
        })).collect::<Vec<_>>(),
        "unmapped_stages": report.unmapped_stages,
        "footer_lines": report.footer_lines,
    })
}

/// Writes every record of a kind, as CSV or JSON.
pub async fn export(store: &Store, org: &Organization, a: ExportArgs) -> anyhow::Result<()> {
    // `None`: what is not a CRM record kind (activities, sessions, action items).
    let kind: Option<RecordKind> = if matches!(
        a.kind.as_str(),
        "activities"
            | "sessions"
            | "action-items"
            | "call-plans"
            | "opportunity-plans"
            | "territories"
            | "account-plans"
    ) {
        None
    } else {
        Some(a.kind.parse().map_err(|_: String| {
            anyhow!(
                "--kind: expected accounts, contacts, opportunities, calls, activities, sessions, action-items, call-plans, opportunity-plans, territories or account-plans; got {:?}",
                a.kind
            )
        })?)
    };
    let format = match a.format.as_str() {
        "csv" => coach_store::crm::ExportFormat::Csv,
        "json" => coach_store::crm::ExportFormat::Json,
        other => bail!("--format: expected csv or json; got {other:?}"),
    };
    let out: Box<dyn std::io::Write + Send> = match &a.out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    };
    let (written, what) = if let Some(kind) = kind {
        let n = store
            .export(
                &org.id,
                kind,
                coach_store::crm::RecordFilter::default(),
                format,
                out,
            )
            .await
            .context("the export failed")?;
        (n, kind.to_string())
    } else if a.kind == "sessions" {
        let n = store
            .export_sessions(&org.id, format, out)
            .await
            .context("the export failed")?;
        (n, "sessions".to_owned())
    } else if a.kind == "call-plans" {
        let n = store
            .export_call_plans(&org.id, format, out)
            .await
            .context("the export failed")?;
        (n, "call plans".to_owned())
    } else if a.kind == "account-plans" {
        let n = store
            .export_account_plans(&org.id, format, out)
            .await
            .context("the export failed")?;
        (n, "key accounts".to_owned())
    } else if a.kind == "territories" {
        let tz: chrono_tz::Tz = org.time_zone.parse().unwrap_or(chrono_tz::UTC);
        let today = chrono::Utc::now().with_timezone(&tz).date_naive();
        let n = store
            .export_territories(&org.id, today, format, out)
            .await
            .context("the export failed")?;
        (n, "territory accounts".to_owned())
    } else if a.kind == "opportunity-plans" {
        let n = store
            .export_opportunity_plans(&org.id, format, out)
            .await
            .context("the export failed")?;
        (n, "opportunity plans".to_owned())
    } else if a.kind == "action-items" {
        let n = store
            .export_action_items(&org.id, format, out)
            .await
            .context("the export failed")?;
        (n, "action items".to_owned())
    } else {
        let n = store
            .export_activities(
                &org.id,
                coach_store::roa::ActivityFilter::default(),
                format,
                out,
            )
            .await
            .context("the export failed")?;
        (n, "activities".to_owned())
    };
    if let Some(path) = &a.out {
        eprintln!("{written} {what} written to {}.", path.display());
    }
    Ok(())
}
