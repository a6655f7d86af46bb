//! Call plans (coaching-model R28–R33): what a good pre-call plan holds, what
//! a call should achieve at each buying stage, and which calls need a plan at
//! all (R16, R29): formality matched to the call, not demanded everywhere.

use crate::FieldError;
use crate::crm::BuyingStage;
use crate::records::Level;

/// Whether a call needs a written plan (R16, R29).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanNeed {
    /// Important calls are planned, whether or not the manager attends (R29).
    Required,
    /// Early-stage calls of some importance pay back planning most (R25, R31).
    Suggested,
    /// The rest need no formal plan (R16).
    Optional,
}

impl PlanNeed {
    /// A sentence for people.
    pub fn label(self) -> &'static str {
        match self {
            PlanNeed::Required => "A plan is required: the call is important (R29).",
            PlanNeed::Suggested => {
                "A plan is suggested: early-stage calls shape the deal (R25, R31)."
            }
            PlanNeed::Optional => "No plan is required for this call (R16).",
        }
    }
}

/// Whether a call of this importance, on a deal at this stage, needs a plan.
pub fn plan_need(importance: Option<Level>, stage: Option<BuyingStage>) -> PlanNeed {
    match (importance, stage) {
        (Some(Level::High), _) => PlanNeed::Required,
        (Some(Level::Medium), Some(s)) if s.is_early() => PlanNeed::Suggested,
        _ => PlanNeed::Optional,
    }
}

/// What a call should achieve at this stage (R30).
pub fn stage_guidance(stage: Option<BuyingStage>) -> &'static str {
    match stage {
        Some(BuyingStage::IdentifyNeeds) => {
            "Early: uncover the buyer's needs and the cost of doing nothing; learn how they will buy and who decides."
        }
        Some(BuyingStage::EstablishCriteria) => {
            "Shape the buying criteria and learn which competitors are in; both must be clear before any solution presentation."
        }
        Some(BuyingStage::AssessSolutions) => {
            "Position against the criteria; learn how the buyer rates us and each competitor."
        }
        Some(BuyingStage::MitigateRisks) => {
            "Late: build the buyer's confidence; surface and address every concern before negotiating (R23)."
        }
        _ => {
            "Start from the outcome you want, then plan for the buyer's interests and objections, and the opening."
        }
    }
}

/// The most agenda lines, and the most minutes a line may take.
pub const AGENDA_MAX: usize = 12;

/// Checks a plan's objective: what the call is for (R28), 1–300 characters.
pub fn validate_objective(raw: &str) -> Result<String, FieldError> {
    crate::validate::validate_line("objective", raw, 300, "the objective of the call")
}

/// Checks a free-text part of a plan (may be empty): at most 2,000 characters.
pub fn validate_part(field: &'static str, raw: &str) -> Result<String, FieldError> {
    let t = crate::coaching::validate_note_text(field, raw.trim())?;
    if t.chars().count() > 2000 {
        return Err(FieldError::new(field, "expected at most 2000 characters"));
    }
    Ok(t)
}

/// Reads an agenda written one line per item, `minutes | what` or just
/// `what` (R28: an agenda with timings).
pub fn parse_agenda(text: &str) -> Result<Vec<(String, u32)>, FieldError> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.len() > AGENDA_MAX {
        return Err(FieldError::new(
            "agenda",
            format!("expected at most {AGENDA_MAX} lines"),
        ));
    }
    lines
        .iter()
        .enumerate()
        .map(|(n, line)| {
            let (minutes, what) = match line.split_once('|') {
                Some((m, w)) => {
                    let m = m.trim().trim_end_matches("min").trim();
                    let minutes = m
                        .parse::<u32>()
                        .ok()
                        .filter(|m| (1..=240).contains(m))
                        .ok_or_else(|| {
                            FieldError::new(
                                "agenda",
                                format!(
                                    "line {}: expected minutes from 1 to 240 before the |",
                                    n + 1
                                ),
                            )
                        })?;
                    (minutes, w.trim())
                }
                None => (0, *line),
            };
            let what = crate::validate::validate_line(
                "agenda",
                what,
                200,
                &format!("line {} to say what happens", n + 1),
            )?;
            Ok((what, minutes))
        })
        .collect()
}

/// The agenda written back as text, one line per item.
pub fn agenda_text(agenda: &[(String, u32)]) -> String {
    agenda
        .iter()
        .map(|(what, m)| {
            if *m > 0 {
                format!("{m} | {what}")
            } else {
                what.clone()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What a plan still lacks of a good pre-call plan (R28): an objective, an
/// agenda with timings, key questions, possible solutions and the next step
/// to ask for.
pub fn missing(
    objective: &str,
    agenda: &[(String, u32)],
    questions: &str,
    solutions: &str,
    next_step: &str,
) -> Vec<&'static str> {
    let mut out = Vec::new();
    if objective.trim().is_empty() {
        out.push("an objective");
    }
    if agenda.is_empty() || agenda.iter().all(|(_, m)| *m == 0) {
        out.push("an agenda with timings");
    }
    if questions.trim().is_empty() {
        out.push("key questions");
    }
    if solutions.trim().is_empty() {
        out.push("possible solutions");
    }
    if next_step.trim().is_empty() {
        out.push("the next step to ask for");
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn important_calls_need_a_plan_early_ones_are_suggested_the_rest_not() {
        assert_eq!(plan_need(Some(Level::High), None), PlanNeed::Required);
        assert_eq!(
            plan_need(Some(Level::High), Some(BuyingStage::MitigateRisks)),
            PlanNeed::Required
        );
        assert_eq!(
            plan_need(Some(Level::Medium), Some(BuyingStage::IdentifyNeeds)),
            PlanNeed::Suggested
        );
        assert_eq!(
            plan_need(Some(Level::Medium), Some(BuyingStage::AssessSolutions)),
            PlanNeed::Optional
        );
        assert_eq!(
            plan_need(Some(Level::Low), Some(BuyingStage::IdentifyNeeds)),
            PlanNeed::Optional
        );
        assert_eq!(plan_need(None, None), PlanNeed::Optional);
    }

    #[test]
    fn guidance_changes_with_the_stage() {
        assert!(stage_guidance(Some(BuyingStage::IdentifyNeeds)).contains("cost of doing nothing"));
        assert!(stage_guidance(Some(BuyingStage::EstablishCriteria)).contains("criteria"));
        assert!(stage_guidance(Some(BuyingStage::MitigateRisks)).contains("R23"));
    }

    #[test]
    fn the_agenda_reads_minutes_and_says_which_line_is_wrong() {
        let a =
            parse_agenda("5 | Open: agree the time\n\n20 min | Their criteria\nNext step").unwrap();
        assert_eq!(
            a,
            vec![
                ("Open: agree the time".to_owned(), 5),
                ("Their criteria".to_owned(), 20),
                ("Next step".to_owned(), 0)
            ]
        );
        assert_eq!(
            agenda_text(&a),
            "5 | Open: agree the time\n20 | Their criteria\nNext step"
        );
        let e = parse_agenda("5 | Fine\nabc | Broken").unwrap_err();
        assert!(e.message.contains("line 2"), "{}", e.message);
        assert!(parse_agenda(&"1 | x\n".repeat(13)).is_err());
    }

    #[test]
    fn a_plan_lacks_what_a_good_one_has() {
        let agenda = vec![("Open".to_owned(), 5)];
        assert!(
            missing(
                "Agree a pilot",
                &agenda,
                "Who decides?",
                "Pilot",
                "Book the pilot"
            )
            .is_empty()
        );
        assert_eq!(
            missing("Agree a pilot", &[("Open".to_owned(), 0)], "", "Pilot", ""),
            vec![
                "an agenda with timings",
                "key questions",
                "the next step to ask for"
            ]
        );
    }
}
