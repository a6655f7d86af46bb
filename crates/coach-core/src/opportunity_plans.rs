//! Opportunity plans (coaching-model R16, R20–R24): the buyer evidence each
//! buying stage asks for, a deal's stage set by that evidence rather than by
//! what the seller did, the verdict on whether the deal is worth pursuing,
//! the guards on criteria (R22) and negotiation (R23), and which deals need a
//! formal plan at all (R16).

use crate::FieldError;
use crate::crm::BuyingStage;
use crate::records::{Level, vocabulary};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

vocabulary! {
    /// One piece of buyer evidence of the checklist (R21), in buying order.
    Evidence, "a piece of buyer evidence" {
        /// Stage 1: the steps of the customer's buying process.
        BuyingProcess = "buying_process", "Buying process", [],
        /// Stage 1: the key decision-makers and influencers.
        DecisionMakers = "decision_makers", "Decision-makers and influencers", [],
        /// Stage 1: the buyer's business needs.
        Needs = "needs", "Business needs", [],
        /// Stage 1: the project budget.
        Budget = "budget", "Budget", [],
        /// Stage 2: the buying criteria.
        Criteria = "criteria", "Buying criteria", [],
        /// Stage 2: the competitors considered.
        Competitors = "competitors", "Competitors considered", [],
        /// Stage 3: the buyer's view of our solution.
        ViewOfOurs = "view_of_ours", "Buyer's view of our solution", [],
        /// Stage 3: the buyer's view of each competitor's solution.
        ViewOfCompetitors = "view_of_competitors", "Buyer's view of each competitor", [],
        /// Stage 4: the buyer's concerns, surfaced and addressed.
        Concerns = "concerns", "Concerns addressed", [],
        /// Stage 4: the terms.
        Terms = "terms", "Terms", [],
        /// Stage 4: the implementation plan.
        Implementation = "implementation", "Implementation plan", [],
    }
}

impl Evidence {
    /// The buying stage whose work yields this evidence (R21).
    pub fn stage(self) -> BuyingStage {
        match self {
            Evidence::BuyingProcess
            | Evidence::DecisionMakers
            | Evidence::Needs
            | Evidence::Budget => BuyingStage::IdentifyNeeds,
            Evidence::Criteria | Evidence::Competitors => BuyingStage::EstablishCriteria,
            Evidence::ViewOfOurs | Evidence::ViewOfCompetitors => BuyingStage::AssessSolutions,
            Evidence::Concerns | Evidence::Terms | Evidence::Implementation => {
                BuyingStage::MitigateRisks
            }
        }
    }

    /// What the buyer has shown when this is in, as a prompt for the form.
    pub fn prompt(self) -> &'static str {
        match self {
            Evidence::BuyingProcess => "How will they buy: the steps, in their words?",
            Evidence::DecisionMakers => "Who decides, and who influences the decision?",
            Evidence::Needs => "What business need drives this, and what does doing nothing cost?",
            Evidence::Budget => "Is there a budget for the project, and how much?",
            Evidence::Criteria => {
                "What criteria will they judge the options by? Did we help shape them?"
            }
            Evidence::Competitors => {
                "Which other options (and doing nothing) are they considering?"
            }
            Evidence::ViewOfOurs => "How does the buyer rate our solution against their criteria?",
            Evidence::ViewOfCompetitors => "How do they rate each competitor's solution?",
            Evidence::Concerns => "Every concern the buyer raised, and how it was addressed.",
            Evidence::Terms => "Which terms are agreed, and which are open?",
            Evidence::Implementation => "How and when will it be put in place, and by whom?",
        }
    }

    /// The evidence a stage's work yields.
    pub fn of(stage: BuyingStage) -> impl Iterator<Item = Evidence> {
        Evidence::ALL
            .iter()
            .copied()
            .filter(move |e| e.stage() == stage)
    }
}

/// The four open stages, in buying order.
pub const OPEN_STAGES: [BuyingStage; 4] = [
    BuyingStage::IdentifyNeeds,
    BuyingStage::EstablishCriteria,
    BuyingStage::AssessSolutions,
    BuyingStage::MitigateRisks,
];

/// The most concerns a plan holds.
pub const CONCERNS_MAX: usize = 30;

/// A concern the buyer raised (R23), open until it has been addressed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Concern {
    /// The concern, in the buyer's terms.
    pub text: String,
    /// How it was addressed; empty while it is open.
    #[serde(default)]
    pub response: String,
    /// Whether the buyer accepts the answer.
    #[serde(default)]
    pub addressed: bool,
}

/// What a plan knows: a note per piece of evidence (empty: not yet in) and
/// the concerns raised.
pub trait Known {
    /// The note recorded for a piece of evidence other than concerns.
    fn note(&self, e: Evidence) -> &str;
    /// The concerns raised.
    fn concerns(&self) -> &[Concern];

    /// Whether a piece of evidence is in. Concerns are in once some were
    /// surfaced and every one is addressed.
    fn has(&self, e: Evidence) -> bool {
        match e {
            Evidence::Concerns => {
                !self.concerns().is_empty() && self.concerns().iter().all(|c| c.addressed)
            }
            _ => !self.note(e).trim().is_empty(),
        }
    }

    /// How many concerns are still open (R23).
    fn open_concerns(&self) -> usize {
        self.concerns().iter().filter(|c| !c.addressed).count()
    }

    /// The evidence of one stage that is not yet in.
    fn missing_in(&self, stage: BuyingStage) -> Vec<Evidence> {
        Evidence::of(stage).filter(|e| !self.has(*e)).collect()
    }

    /// The evidence needed before a deal may stand in `stage`: everything
    /// the earlier stages yield, not yet in (R21, R24).
    fn missing_before(&self, stage: BuyingStage) -> Vec<Evidence> {
        Evidence::ALL
            .iter()
            .copied()
            .filter(|e| e.stage() < stage && !self.has(*e))
            .collect()
    }

    /// The furthest open stage the evidence supports (R24): the first stage
    /// whose own evidence is not all in.
    fn supported_stage(&self) -> BuyingStage {
        OPEN_STAGES
            .into_iter()
            .find(|s| !self.missing_in(*s).is_empty())
            .unwrap_or(BuyingStage::MitigateRisks)
    }
}

/// Names a list of evidence for a sentence: "budget and buying criteria".
pub fn list(evidence: &[Evidence]) -> String {
    let names: Vec<String> = evidence.iter().map(|e| e.label().to_lowercase()).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Whether a deal may move from `from` to `to`. Moves go between the open
/// stages (the CRM closes deals); back is always allowed, forward only once
/// the buyer's evidence for every earlier stage is in (R21, R24).
pub fn check_move(plan: &impl Known, from: BuyingStage, to: BuyingStage) -> Result<(), FieldError> {
    if !to.is_open() {
        return Err(FieldError::new(
            "stage",
            "deals are won or lost in the CRM; expected an open buying stage",
        ));
    }
    if to <= from {
        return Ok(());
    }
    let missing = plan.missing_before(to);
    if missing.is_empty() {
        Ok(())
    } else {
        Err(FieldError::new(
            "stage",
            format!(
                "{} needs the buyer's evidence first: {} (R24: the stage is set by what the buyer shows, not by what we did)",
                to.label(),
                list(&missing)
            ),
        ))
    }
}

/// R22: a deal past the first stage with no buying criteria is a sign the
/// buyer is not serious.
pub fn criteria_flag(plan: &impl Known, stage: BuyingStage) -> Option<&'static str> {
    (stage.is_open() && stage > BuyingStage::IdentifyNeeds && !plan.has(Evidence::Criteria))
        .then_some(
            "Past the first stage with no buying criteria: the buyer may not be serious (R22).",
        )
}

/// R22 judged at the furthest stage the deal is said to be in, by the CRM
/// (while open) or by the evidence.
pub fn no_criteria(
    plan: &impl Known,
    stage: BuyingStage,
    crm_stage: BuyingStage,
) -> Option<&'static str> {
    let furthest = if crm_stage.is_open() {
        crm_stage.max(stage)
    } else {
        stage
    };
    criteria_flag(plan, furthest)
}

/// R24: the CRM has the deal further on than the buyer's evidence supports.
pub fn crm_ahead(crm: BuyingStage, evidence: BuyingStage) -> Option<String> {
    (crm.is_open() && crm > evidence).then(|| {
        format!(
            "The CRM has this deal in {}; the buyer's evidence supports {} (R24).",
            crm.label(),
            evidence.label()
        )
    })
}

/// What to notice about a deal's plan: the CRM ahead of the evidence (R24),
/// no criteria past the first stage (R22), and a stage that stands without
/// evidence taken back since the deal was moved there.
pub fn flags(plan: &impl Known, stage: BuyingStage, crm_stage: BuyingStage) -> Vec<String> {
    let mut out = Vec::new();
    out.extend(crm_ahead(crm_stage, stage));
    out.extend(no_criteria(plan, stage, crm_stage).map(str::to_owned));
    let unsupported = plan.missing_before(stage);
    if !unsupported.is_empty() {
        out.push(format!(
            "{} stands without {}: move the deal back or record the evidence (R24).",
            stage.label(),
            list(&unsupported)
        ));
    }
    out
}

/// R23: negotiation starts only once every concern is addressed, or with a
/// reason for starting anyway, which is kept. Returns the override reason
/// to record, if one was needed.
pub fn check_negotiation(
    plan: &impl Known,
    stage: BuyingStage,
    override_reason: Option<&str>,
) -> Result<Option<String>, FieldError> {
    if stage != BuyingStage::MitigateRisks {
        return Err(FieldError::new(
            "stage",
            "negotiation belongs to the mitigate-risks stage; move the deal there first",
        ));
    }
    let open = plan.open_concerns();
    if open == 0 {
        return Ok(None);
    }
    let reason = override_reason.map(str::trim).unwrap_or_default();
    if reason.is_empty() {
        let what = if open == 1 {
            "1 buyer concern is".to_owned()
        } else {
            format!("{open} buyer concerns are")
        };
        return Err(FieldError::new(
            "override_reason",
            format!(
                "{what} still open: address them before negotiating, or give the reason to start anyway (R23)"
            ),
        ));
    }
    crate::validate::validate_line(
        "override_reason",
        reason,
        500,
        "the reason to negotiate with concerns open",
    )
    .map(Some)
}

vocabulary! {
    /// Whether the deal is worth pursuing (R20).
    Verdict, "a verdict" {
        /// Worth pursuing.
        Pursue = "pursue", "Worth pursuing", ["yes", "go"],
        /// Not worth pursuing.
        Drop = "drop", "Not worth pursuing", ["no", "no go", "walk away"],
        /// Not decided yet.
        Undecided = "undecided", "Not decided yet", ["open"],
    }
}

/// Checks a verdict's reasons: a decision needs them.
pub fn check_verdict(verdict: Verdict, reasons: &str) -> Result<(), FieldError> {
    if verdict != Verdict::Undecided && reasons.trim().is_empty() {
        return Err(FieldError::new(
            "verdict_reasons",
            "say why: a verdict on a deal comes with its reasons (R20)",
        ));
    }
    Ok(())
}

/// An organization's rules for which deals need a formal plan (R16). A deal
/// needs one when it is open, at or past `from_stage`, and meets any one of
/// the set thresholds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Formality {
    /// Deals of at least this amount, in `currency`.
    pub min_amount: Option<Decimal>,
    /// The currency of `min_amount`; deals in another currency are judged
    /// by the other rules.
    pub currency: Option<String>,
    /// Deals at least this important.
    pub min_importance: Option<Level>,
    /// Deals at least this complex.
    pub min_complexity: Option<Level>,
    /// The earliest stage at which a plan is required.
    pub from_stage: BuyingStage,
}

impl Default for Formality {
    /// Important or complex deals, from the first stage on (R16, R8).
    fn default() -> Self {
        Formality {
            min_amount: None,
            currency: None,
            min_importance: Some(Level::High),
            min_complexity: Some(Level::High),
            from_stage: BuyingStage::IdentifyNeeds,
        }
    }
}

/// What a deal is, for the formality rules.
#[derive(Debug, Clone, Copy)]
pub struct Deal<'a> {
    /// Its buying stage.
    pub stage: BuyingStage,
    /// Its amount, if known.
    pub amount: Option<Decimal>,
    /// Its currency.
    pub currency: Option<&'a str>,
    /// How important it is.
    pub importance: Option<Level>,
    /// How complex it is.
    pub complexity: Option<Level>,
}

impl Formality {
    /// Why a deal needs a formal plan; empty when it does not (R16).
    pub fn reasons(&self, deal: &Deal<'_>) -> Vec<String> {
        if !deal.stage.is_open() || deal.stage < self.from_stage {
            return Vec::new();
        }
        let mut why = Vec::new();
        if let (Some(min), Some(amount)) = (self.min_amount, deal.amount)
            && self
                .currency
                .as_deref()
                .is_none_or(|c| deal.currency.is_some_and(|d| d.eq_ignore_ascii_case(c)))
            && amount >= min
        {
            why.push(format!(
                "amount of at least {min}{}",
                self.currency
                    .as_deref()
                    .map(|c| format!(" {c}"))
                    .unwrap_or_default()
            ));
        }
        if let (Some(min), Some(level)) = (self.min_importance, deal.importance)
            && level >= min
        {
            why.push(format!("{} importance", level.label().to_lowercase()));
        }
        if let (Some(min), Some(level)) = (self.min_complexity, deal.complexity)
            && level >= min
        {
            why.push(format!("{} complexity", level.label().to_lowercase()));
        }
        why
    }

    /// A sentence for people.
    pub fn sentence(&self, deal: &Deal<'_>) -> String {
        let why = self.reasons(deal);
        if why.is_empty() {
            "No formal plan is required for this deal (R16).".to_owned()
        } else {
            format!("A formal plan is required: {} (R16).", why.join(", "))
        }
    }

    /// Checks the rules an admin set.
    pub fn checked(self) -> Result<Formality, FieldError> {
        if let Some(min) = self.min_amount
            && min <= Decimal::ZERO
        {
            return Err(FieldError::new(
                "formal_plan_min_amount",
                "expected an amount above zero, or none",
            ));
        }
        if !self.from_stage.is_open() {
            return Err(FieldError::new(
                "formal_plan_from_stage",
                "expected an open buying stage",
            ));
        }
        let currency = match self
            .currency
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            Some(c) => Some(
                crate::crm::parse_currency(c)
                    .map_err(|m| FieldError::new("formal_plan_currency", m))?,
            ),
            None => None,
        };
        Ok(Formality { currency, ..self })
    }
}

#[cfg(test)]
mod tests;
