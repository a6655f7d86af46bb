//! Charts drawn on the server as SVG, each bar with its interval and n.

use super::*;

/// A horizontal chart of values 0–1 with their intervals.
#[derive(Debug, Clone)]
pub(crate) struct Chart {
    pub id: String,
    pub title: String,
    pub caption: String,
    pub height: u32,
    pub rows: Vec<ChartRow>,
}

/// One bar.
#[derive(Debug, Clone)]
pub(crate) struct ChartRow {
    pub label: String,
    pub text: String,
    pub y: u32,
    pub width: String,
    pub has_interval: bool,
    pub low_x: String,
    pub high_x: String,
    pub enough: bool,
}

pub(super) const BAR_X: f64 = 210.0;
pub(super) const BAR_W: f64 = 300.0;

pub(super) fn chart(id: &str, title: &str, caption: &str, rows: Vec<(String, Rate)>) -> Chart {
    let rows: Vec<ChartRow> = rows
        .into_iter()
        .enumerate()
        .map(|(i, (label, r))| {
            let enough = r.enough_data();
            let (lo, hi) = r.interval().unwrap_or((0.0, 0.0));
            let label = if label.chars().count() > 28 {
                format!("{}…", label.chars().take(27).collect::<String>())
            } else {
                label
            };
            ChartRow {
                label,
                text: if enough {
                    format!(
                        "{} · n {}",
                        show(r.value().unwrap_or(0.0), Unit::Percent),
                        r.n
                    )
                } else {
                    format!("not enough data · n {}", r.n)
                },
                y: u32::try_from(i).unwrap_or(0) * 28 + 8,
                width: format!(
                    "{:.1}",
                    if enough {
                        r.value().unwrap_or(0.0) * BAR_W
                    } else {
                        0.0
                    }
                ),
                has_interval: enough && r.interval().is_some(),
                low_x: format!("{:.1}", BAR_X + lo * BAR_W),
                high_x: format!("{:.1}", BAR_X + hi * BAR_W),
                enough,
            }
        })
        .collect();
    Chart {
        id: id.to_owned(),
        title: title.to_owned(),
        caption: caption.to_owned(),
        height: u32::try_from(rows.len()).unwrap_or(0) * 28 + 16,
        rows,
    }
}

pub(super) fn practice_chart(p: &Practice) -> Chart {
    chart(
        "practice-chart",
        "The practice at a glance",
        "Each bar is a share with its 95% interval (the whisker) and its n.",
        vec![
            ("Kept as scheduled (R14)".into(), p.kept),
            ("Agenda agreed (R34)".into(), p.agenda_agreed),
            ("Closed with a next step (R41)".into(), p.next_steps),
            ("Commitments on time (R39)".into(), p.on_time),
            ("Deal items at early stages (R25)".into(), p.early),
            ("Important calls planned (R29)".into(), p.calls_planned),
        ],
    )
}
