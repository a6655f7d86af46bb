//! Figures: one line per measure, the same in every view and export (R45).

use super::*;

/// How a figure's number reads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Unit {
    Percent,
    Number(&'static str),
    Ratio,
}

pub(super) fn grouped(v: f64) -> String {
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0.0 { format!("-{out}") } else { out }
}

/// An interval for people: "84–92%", "2.1–2.7 h".
pub(super) fn range(lo: f64, hi: f64, unit: Unit) -> String {
    match unit {
        Unit::Percent => format!("{:.0}–{:.0}%", lo * 100.0, hi * 100.0),
        Unit::Number(suffix) => format!(
            "{}–{}{suffix}",
            show(lo, Unit::Number("")),
            show(hi, Unit::Number(""))
        ),
        Unit::Ratio => format!("{lo:.2}–{hi:.2}"),
    }
}

pub(super) fn show(v: f64, unit: Unit) -> String {
    match unit {
        Unit::Number(suffix) if v.abs() >= 1000.0 => format!("{}{suffix}", grouped(v)),
        Unit::Percent => format!("{:.0}%", v * 100.0),
        Unit::Number(suffix) if v.abs() >= 10.0 => format!("{v:.0}{suffix}"),
        Unit::Number(suffix) => format!("{v:.1}{suffix}"),
        Unit::Ratio => format!("{v:.2}"),
    }
}

/// One measure.
#[derive(Debug, Clone)]
pub(crate) struct Figure {
    pub label: String,
    pub finding: &'static str,
    pub value: String,
    /// The value alone, for narrow cells.
    pub short: String,
    pub n: String,
    pub interval: String,
    pub note: String,
    pub link: String,
    pub enough: bool,
    number: Option<f64>,
    count: Option<u64>,
    low: Option<f64>,
    high: Option<f64>,
}

impl Figure {
    pub(super) fn new(label: &str, finding: &'static str) -> Figure {
        Figure {
            label: label.to_owned(),
            finding,
            value: "—".into(),
            short: String::new(),
            n: String::new(),
            interval: String::new(),
            note: String::new(),
            link: String::new(),
            enough: true,
            number: None,
            count: None,
            low: None,
            high: None,
        }
    }

    pub(super) fn link(mut self, href: &str) -> Figure {
        self.link = href.to_owned();
        self
    }

    pub(super) fn note(mut self, note: &str) -> Figure {
        self.note = note.to_owned();
        self
    }

    /// Adds to the note of a figure that is shown.
    pub(super) fn note_if_enough(mut self, text: &str) -> Figure {
        if self.enough {
            self.note = format!("{}; {text}", self.note);
        }
        self
    }

    pub(super) fn too_few(mut self, n: u64) -> Figure {
        self.enough = false;
        self.value = "Not enough data yet".into();
        self.note = format!("{n} so far; a figure is shown from {MIN_SAMPLE}");
        self.number = None;
        self.low = None;
        self.high = None;
        self
    }

    pub(super) fn rate(label: &str, finding: &'static str, r: Rate) -> Figure {
        let mut f = Figure::new(label, finding);
        f.count = Some(r.n);
        f.n = r.n.to_string();
        if !r.enough_data() {
            return f.too_few(r.n);
        }
        f.number = r.value();
        f.short = show(r.value().unwrap_or(0.0), Unit::Percent);
        f.value = format!("{} ({} of {})", f.short, r.hits, r.n);
        if let Some((lo, hi)) = r.interval() {
            f.low = Some(lo);
            f.high = Some(hi);
            f.interval = range(lo, hi, Unit::Percent);
        }
        f
    }

    pub(super) fn mean(label: &str, finding: &'static str, m: Option<Mean>, unit: Unit) -> Figure {
        let mut f = Figure::new(label, finding);
        let Some(m) = m else {
            return f.too_few(0);
        };
        f.count = Some(m.n);
        f.n = m.n.to_string();
        if !m.enough_data() {
            return f.too_few(m.n);
        }
        f.number = Some(m.mean);
        f.value = show(m.mean, unit);
        if let Some((lo, hi)) = m.interval() {
            f.low = Some(lo);
            f.high = Some(hi);
            f.interval = range(lo, hi, unit);
        }
        f.note = "mean".into();
        f
    }

    pub(super) fn frequency(
        label: &str,
        finding: &'static str,
        fr: Frequency,
        unit: Unit,
    ) -> Figure {
        let mut f = Figure::new(label, finding);
        f.count = Some(fr.count);
        f.n = fr.count.to_string();
        if !fr.enough_data() {
            return f.too_few(fr.count);
        }
        f.number = fr.value();
        f.value = show(fr.value().unwrap_or(0.0), unit);
        if let Some((lo, hi)) = fr.interval() {
            f.low = Some(lo);
            f.high = Some(hi);
            f.interval = range(lo, hi, unit);
        }
        f.note = "n: sessions held".into();
        f
    }

    pub(super) fn median(
        label: &str,
        finding: &'static str,
        m: Option<(f64, (f64, f64))>,
        n: u64,
        unit: Unit,
    ) -> Figure {
        let mut f = Figure::new(label, finding);
        f.count = Some(n);
        f.n = n.to_string();
        match m {
            Some((median, (lo, hi))) if n >= MIN_SAMPLE => {
                f.number = Some(median);
                f.value = show(median, unit);
                f.low = Some(lo);
                f.high = Some(hi);
                f.interval = range(lo, hi, unit);
                f.note = "median".into();
                f
            }
            _ => f.too_few(n),
        }
    }

    pub(super) fn plain(
        label: &str,
        finding: &'static str,
        v: Option<f64>,
        n: u64,
        unit: Unit,
    ) -> Figure {
        let mut f = Figure::new(label, finding);
        f.count = Some(n);
        f.n = n.to_string();
        match v {
            Some(v) if n >= MIN_SAMPLE => {
                f.number = Some(v);
                f.value = show(v, unit);
                f
            }
            _ => f.too_few(n),
        }
    }

    pub(super) fn count(label: &str, finding: &'static str, n: u64) -> Figure {
        let mut f = Figure::new(label, finding);
        f.number = Some(n as f64);
        f.value = n.to_string();
        f
    }

    pub(super) fn comparison(
        label: &str,
        finding: &'static str,
        c: Option<&Comparison>,
        a: u64,
        b: u64,
        unit: Unit,
    ) -> Figure {
        let mut f = Figure::new(label, finding);
        f.n = format!("{a} vs {b}");
        f.count = Some(a + b);
        match c {
            Some(c) if a >= MIN_SAMPLE && b >= MIN_SAMPLE => {
                let signed = |v: f64| {
                    let s = show(v.abs(), unit);
                    if v < 0.0 {
                        format!("−{s}")
                    } else {
                        format!("+{s}")
                    }
                };
                f.number = Some(c.difference);
                f.low = Some(c.interval.0);
                f.high = Some(c.interval.1);
                f.value = signed(c.difference);
                f.interval = format!("{} to {}", signed(c.interval.0), signed(c.interval.1));
                f.note = if c.significant() {
                    format!("p = {:.3}: unlikely to be chance alone", c.p_value)
                } else {
                    format!("p = {:.2}: no clear difference", c.p_value)
                };
                f
            }
            _ => f.too_few(a.min(b)),
        }
    }

    pub(super) fn csv(&self, group: &str) -> Vec<String> {
        let num = |v: Option<f64>| v.map(|v| format!("{v:.4}")).unwrap_or_default();
        vec![
            group.to_owned(),
            self.label.clone(),
            self.finding.to_owned(),
            num(self.number),
            self.count.map(|n| n.to_string()).unwrap_or_default(),
            num(self.low),
            num(self.high),
            if self.enough {
                String::new()
            } else {
                "not enough data yet".into()
            },
        ]
    }
}

pub(super) const FIGURE_HEADERS: [&str; 8] = [
    "group", "figure", "finding", "value", "n", "low_95", "high_95", "note",
];

/// Figures under a heading.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub id: &'static str,
    pub title: &'static str,
    pub figures: Vec<Figure>,
}

/// Whose figures: decides which groups show and where links go.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Audience {
    Team,
    Organization,
    Seller,
}

pub(super) fn feedback_figures(view: &FeedbackView) -> Vec<Figure> {
    match view {
        FeedbackView::TooFew { n, min } => {
            let mut f = Figure::new("Feedback from sellers", "R40").note(&format!(
                "{n} answers so far; shown from {min}, so sellers can be honest"
            ));
            f.enough = false;
            f.value = "Not enough answers yet".into();
            f.count = Some(*n as u64);
            f.n = n.to_string();
            vec![f]
        }
        FeedbackView::Summary {
            n,
            mean_rating,
            would_pay,
        } => {
            let mut rating = Figure::new("Rating, 1–5", "R40");
            rating.number = Some(*mean_rating);
            rating.value = format!("{mean_rating:.1}");
            rating.count = Some(*n as u64);
            rating.n = n.to_string();
            rating.note = "mean".into();
            vec![
                rating,
                Figure::rate("Would have paid for the session", "R40", *would_pay),
            ]
        }
    }
}

pub(super) fn groups(p: &Practice, audience: Audience, links: &Links) -> Vec<Group> {
    let per_month = Unit::Number("");
    let mut out = vec![
        Group {
            id: "rhythm",
            title: "Rhythm: scheduled, kept, fewer and longer (R14, R15)",
            figures: vec![
                Figure::count("Sessions held", "R14", p.held).link(links.sessions),
                Figure::frequency(
                    "Sessions per seller per month",
                    "R14",
                    p.sessions_per_seller_month,
                    per_month,
                ),
                Figure::mean("Session length", "R14", p.length, Unit::Number(" min")),
                Figure::rate("Kept as scheduled", "R14", p.kept).link(links.sessions),
                Figure::rate("Held sessions that were ad hoc", "R14", p.ad_hoc),
                Figure::frequency(
                    "Coaching hours per seller per month",
                    "R15",
                    p.hours_per_seller_month,
                    Unit::Number(" h"),
                )
                .note(&format!("moderate band {}", p.band.label())),
                Figure::rate("Sellers coached a moderate amount", "R15", p.in_band).note(&format!(
                    "{} below, {} above the band",
                    p.below_band, p.above_band
                )),
            ],
        },
        Group {
            id: "focus",
            title: "Where the time goes (R15, R25)",
            figures: {
                let mut v: Vec<Figure> = p
                    .by_kind
                    .iter()
                    .map(|s| {
                        Figure::plain(
                            &format!("{} coaching, share of time", s.key.label()),
                            "R25",
                            Some(s.share),
                            s.n,
                            Unit::Percent,
                        )
                        .note(&format!(
                            "{} h in {} sessions",
                            s.minutes / 60,
                            s.n
                        ))
                    })
                    .collect();
                v.push(Figure::rate(
                    "Deal items at an early buying stage",
                    "R25",
                    p.early,
                ));
                for s in &p.by_stage {
                    v.push(
                        Figure::plain(
                            &format!("Deal time at {}", s.key.label()),
                            "R25",
                            Some(s.share),
                            s.n,
                            Unit::Percent,
                        )
                        .note(&format!("{} min on {} items", s.minutes, s.n)),
                    );
                }
                v.push(Figure::rate(
                    "Items checking numbers (inspection)",
                    "R15",
                    p.inspection,
                ));
                v.push(Figure::plain(
                    "Discussion time spent checking numbers",
                    "R15",
                    p.inspection_minutes_share,
                    p.inspection.n,
                    Unit::Percent,
                ));
                v
            },
        },
        Group {
            id: "conversation",
            title: "The conversation (R18, R34, R41)",
            figures: vec![
                Figure::rate(
                    "Held with the manager's preparation recorded",
                    "R18",
                    p.prepared,
                ),
                Figure::plain(
                    "Preparation per minute of coaching",
                    "R18",
                    p.prep_per_coaching,
                    p.prepared.hits,
                    Unit::Ratio,
                )
                .note("high performers prepare almost as long as they coach"),
                Figure::rate("Agenda agreed at the opening", "R34", p.agenda_agreed),
                Figure::rate("Agenda reviewed at the close", "R34", p.agenda_reviewed),
                Figure::rate("Closed with a next step", "R41", p.next_steps).link(links.sessions),
            ],
        },
        Group {
            id: "commitments",
            title: "Commitments (R39)",
            figures: vec![
                Figure::rate("Done by their due date", "R39", p.on_time).link(links.actions),
                Figure::count("Open now", "R39", p.open).link(links.actions),
                Figure::count("Overdue now", "R39", p.overdue).link(links.actions),
                Figure::median(
                    "Age of open commitments",
                    "R39",
                    p.open_age,
                    p.open,
                    Unit::Number(" days"),
                ),
            ],
        },
        Group {
            id: "calls",
            title: "Calls (R29, R31)",
            figures: vec![
                Figure::rate("Important calls with a plan", "R29", p.calls_planned)
                    .link(links.calls),
                Figure::rate(
                    "Early-stage planned calls attended",
                    "R31",
                    p.observed_early,
                ),
                Figure::rate("Late-stage planned calls attended", "R31", p.observed_late),
                Figure::comparison(
                    "Attended: early minus late",
                    "R31",
                    p.observed_early_vs_late.as_ref(),
                    p.observed_early.n,
                    p.observed_late.n,
                    Unit::Percent,
                ),
            ],
        },
    ];
    if audience != Audience::Seller {
        let mut managers = feedback_figures(&p.feedback);
        managers.push(Figure::rate(
            "Sessions a director observed",
            "R43",
            p.observations,
        ));
        out.push(Group {
            id: "manager",
            title: "The manager as coach (R40, R43)",
            figures: managers,
        });
    }
    out
}

/// Where figures link to.
#[derive(Debug, Clone, Default)]
pub(super) struct Links {
    sessions: &'static str,
    actions: &'static str,
    calls: &'static str,
}

impl Links {
    /// A team's or the organization's records.
    pub(super) fn team() -> Links {
        Links {
            sessions: "/sessions",
            actions: "/action-items?whose=team",
            calls: "/calls",
        }
    }

    /// The caller's own.
    pub(super) fn own() -> Links {
        Links {
            actions: "/action-items",
            ..Links::team()
        }
    }
}
