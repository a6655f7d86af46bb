//! What a new organization starts with: an agenda template per kind of
//! coaching (R35 with the research on each kind, R10–R13, R20–R33) and a
//! question bank by kind and buying stage, open-ended questions first (R37).
//! Organizations edit both.

use super::{Section, SessionKind};
use crate::crm::BuyingStage;
use serde::{Deserialize, Serialize};

/// One item of an agenda template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateItem {
    /// Its section.
    pub section: Section,
    /// Its title.
    pub title: String,
    /// Its time allotment.
    pub minutes: u32,
}

/// An agenda template for one kind of coaching.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaTemplate {
    /// The kind it is for.
    pub kind: SessionKind,
    /// The outcome sessions of this kind are for.
    pub desired_outcome: String,
    /// Its items, in order.
    pub items: Vec<TemplateItem>,
}

fn item(section: Section, title: &str, minutes: u32) -> TemplateItem {
    TemplateItem {
        section,
        title: title.to_owned(),
        minutes,
    }
}

/// The template a new organization gets for `kind`. Every one has the three
/// sections (R35); the focused discussion follows the research on the kind.
/// An opportunity session's deals are the ones the seller picks (R27), each
/// added as an item of its own.
pub fn default_template(kind: SessionKind) -> AgendaTemplate {
    use Section::{Focus, NextSteps, Review};
    let (outcome, focus): (&str, Vec<TemplateItem>) = match kind {
        SessionKind::TerritoryTactical => (
            "Calls this month go to the customers with the highest potential.",
            vec![
                item(Focus, "Call pattern against the prioritization scheme", 10),
                item(Focus, "Customers to add or drop this month", 5),
            ],
        ),
        SessionKind::TerritoryStrategic => (
            "A territory plan for the quarter that the seller owns.",
            vec![
                item(Focus, "Prioritization scheme: is it still right?", 20),
                item(Focus, "Where the territory's growth will come from", 15),
                item(Focus, "Coverage and call patterns for the quarter", 10),
            ],
        ),
        SessionKind::Account => (
            "A sharper account plan: goals, people and the next moves.",
            vec![
                item(Focus, "Account assessment: what changed", 15),
                item(Focus, "Goals and the people who decide", 15),
                item(Focus, "Plan actions and their owners", 15),
            ],
        ),
        SessionKind::Opportunity => (
            "Each deal discussed has a clear next step with the buyer.",
            vec![item(Focus, "Plan the next call for each deal (R32)", 5)],
        ),
        SessionKind::Call => (
            "A call plan: objective, agenda, questions, solutions, next step to ask for.",
            vec![
                item(Focus, "Objective and desired outcome of the call", 10),
                item(Focus, "Key questions and likely objections", 15),
                item(Focus, "The next step to ask the buyer for", 5),
            ],
        ),
    };
    let review = match kind {
        SessionKind::TerritoryTactical => 5,
        _ => 10,
    };
    let mut items = vec![item(
        Review,
        "The seller's updates on earlier commitments",
        review,
    )];
    items.extend(focus);
    items.push(item(NextSteps, "The seller summarizes the next steps", 5));
    AgendaTemplate {
        kind,
        desired_outcome: outcome.to_owned(),
        items,
    }
}

/// A question of the bank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankQuestion {
    /// The kind of coaching it is for.
    pub kind: SessionKind,
    /// The buying stage it is for (opportunity and call coaching), or any.
    pub stage: Option<BuyingStage>,
    /// Whether it is open-ended (asked first, R37).
    pub open: bool,
    /// The question.
    pub text: String,
}

/// The question bank a new organization gets: for every kind, open-ended
/// questions first (R37); for opportunities and calls, by buying stage,
/// aimed at what each stage needs (R21, R25, R30).
pub fn default_questions() -> Vec<BankQuestion> {
    use BuyingStage::*;
    use SessionKind::*;
    let rows: &[(SessionKind, Option<BuyingStage>, bool, &str)] = &[
        (
            TerritoryTactical,
            None,
            true,
            "Which customers got most of your time last month, and why them?",
        ),
        (
            TerritoryTactical,
            None,
            true,
            "Who has the highest potential that you have not called on lately?",
        ),
        (
            TerritoryTactical,
            None,
            false,
            "Does your call pattern match your prioritization scheme?",
        ),
        (
            TerritoryStrategic,
            None,
            true,
            "Where will your growth come from this quarter?",
        ),
        (
            TerritoryStrategic,
            None,
            true,
            "What would you change in how you prioritize customers?",
        ),
        (
            TerritoryStrategic,
            None,
            false,
            "Which customers will you stop calling on?",
        ),
        (
            Account,
            None,
            true,
            "What does this account want to achieve this year?",
        ),
        (
            Account,
            None,
            true,
            "Who decides, who influences, and whom have you not met?",
        ),
        (
            Account,
            None,
            true,
            "What would make this account buy more from us?",
        ),
        (Account, None, false, "Is the account plan up to date?"),
        (
            Opportunity,
            Some(IdentifyNeeds),
            true,
            "What problem is the buyer trying to solve, and what does doing nothing cost them?",
        ),
        (
            Opportunity,
            Some(IdentifyNeeds),
            true,
            "How will they buy: who is involved and how do they decide?",
        ),
        (
            Opportunity,
            Some(IdentifyNeeds),
            false,
            "Is there a budget and a date?",
        ),
        (
            Opportunity,
            Some(EstablishCriteria),
            true,
            "What criteria will the buyer use to choose, and how did you shape them?",
        ),
        (
            Opportunity,
            Some(EstablishCriteria),
            true,
            "Which competitors are they looking at, and what do they think of them?",
        ),
        (
            Opportunity,
            Some(EstablishCriteria),
            false,
            "Has the buyer confirmed the criteria in writing?",
        ),
        (
            Opportunity,
            Some(AssessSolutions),
            true,
            "How does the buyer rate us against each criterion?",
        ),
        (
            Opportunity,
            Some(AssessSolutions),
            true,
            "What evidence tells you they are assessing solutions now?",
        ),
        (
            Opportunity,
            Some(MitigateRisks),
            true,
            "What concerns does the buyer still have, and how will you address them?",
        ),
        (
            Opportunity,
            Some(MitigateRisks),
            false,
            "Is every concern addressed before negotiating (R23)?",
        ),
        (
            Call,
            None,
            true,
            "What do you want the buyer to do at the end of this call?",
        ),
        (
            Call,
            None,
            true,
            "What will the buyer want from this call, and what might they object?",
        ),
        (
            Call,
            Some(IdentifyNeeds),
            true,
            "Which questions will uncover the cost of inaction?",
        ),
        (
            Call,
            Some(EstablishCriteria),
            true,
            "How will you shape the buyer's criteria on this call?",
        ),
        (
            Call,
            Some(AssessSolutions),
            true,
            "Are the criteria and competitors clear before you present?",
        ),
        (
            Call,
            Some(MitigateRisks),
            true,
            "What will build the buyer's confidence in choosing us?",
        ),
        (Call, None, false, "What next step will you ask for?"),
    ];
    rows.iter()
        .map(|(kind, stage, open, text)| BankQuestion {
            kind: *kind,
            stage: *stage,
            open: *open,
            text: (*text).to_owned(),
        })
        .collect()
}
