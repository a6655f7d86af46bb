//! The model a new organization starts from, following the research
//! (coaching-model R2, R4, R6–R9): three business results, five sales
//! objectives, and six activity types across the four groups, each with its
//! standards. Documented in docs/roa-model.md; admins edit it freely.

use super::{ActivityGroup, Criterion, CrmSource, MeasureLevel, Metric, Per, Rubric, Unit};
use crate::records::CallKind;

/// A result or objective of the default model.
#[derive(Debug, Clone)]
pub struct DefaultMeasure {
    /// Result or objective.
    pub level: MeasureLevel,
    /// Its name.
    pub name: &'static str,
    /// What it means.
    pub description: &'static str,
    /// Its unit.
    pub unit: Unit,
    /// Where its values come from.
    pub metric: Metric,
    /// For objectives: the results it drives, by name.
    pub drives: &'static [&'static str],
}

/// An activity type of the default model.
#[derive(Debug, Clone)]
pub struct DefaultActivity {
    /// Its name.
    pub name: &'static str,
    /// Its group.
    pub group: ActivityGroup,
    /// What it is.
    pub description: &'static str,
    /// The objectives it drives, by name.
    pub drives: &'static [&'static str],
    /// How many per period.
    pub count: u32,
    /// The period.
    pub per: Per,
    /// What good looks like.
    pub rubric: Rubric,
    /// CRM records that count as this activity.
    pub crm_source: Option<CrmSource>,
}

/// The whole default model.
#[derive(Debug, Clone)]
pub struct DefaultModel {
    /// Results, then objectives.
    pub measures: Vec<DefaultMeasure>,
    /// Activity types.
    pub activities: Vec<DefaultActivity>,
}

fn rubric(criteria: &[(&str, [&str; 4])]) -> Rubric {
    Rubric {
        criteria: criteria
            .iter()
            .map(|(name, levels)| Criterion {
                name: (*name).to_owned(),
                levels: levels.iter().map(|l| (*l).to_owned()).collect(),
            })
            .collect(),
        good_level: 3,
    }
}

const REVENUE: &str = "Revenue";
const PROFIT: &str = "Profit";
const SHARE: &str = "Market share";
const CLOSE_RATE: &str = "Close rate";
const PIPELINE: &str = "Pipeline created";
const PENETRATION: &str = "Product penetration per account";
const BY_TYPE: &str = "Sales to new customer types";
const DEALS_WON: &str = "Deals won";

/// The default model.
pub fn default_model() -> DefaultModel {
    use MeasureLevel::{Objective, Result};
    let measures = vec![
        DefaultMeasure {
            level: Result,
            name: REVENUE,
            description: "Revenue from deals won in the period.",
            unit: Unit::Money,
            metric: Metric::RevenueWon,
            drives: &[],
        },
        DefaultMeasure {
            level: Result,
            name: PROFIT,
            description: "Gross profit on the period's sales, entered by sales operations.",
            unit: Unit::Money,
            metric: Metric::Entered,
            drives: &[],
        },
        DefaultMeasure {
            level: Result,
            name: SHARE,
            description: "Share of the territory's market, entered by sales operations.",
            unit: Unit::Percent,
            metric: Metric::Entered,
            drives: &[],
        },
        DefaultMeasure {
            level: Objective,
            name: CLOSE_RATE,
            description: "Deals won out of deals closed in the period.",
            unit: Unit::Percent,
            metric: Metric::CloseRate,
            drives: &[REVENUE, PROFIT],
        },
        DefaultMeasure {
            level: Objective,
            name: PIPELINE,
            description: "The amount of new deals opened in the period.",
            unit: Unit::Money,
            metric: Metric::PipelineCreated,
            drives: &[REVENUE, SHARE],
        },
        DefaultMeasure {
            level: Objective,
            name: DEALS_WON,
            description: "Number of deals won in the period.",
            unit: Unit::Count,
            metric: Metric::DealsWon,
            drives: &[REVENUE, SHARE],
        },
        DefaultMeasure {
            level: Objective,
            name: PENETRATION,
            description: "Share of a key account's buying units that use more than one product line.",
            unit: Unit::Percent,
            metric: Metric::Entered,
            drives: &[REVENUE, PROFIT],
        },
        DefaultMeasure {
            level: Objective,
            name: BY_TYPE,
            description: "Sales to the customer types the strategy targets.",
            unit: Unit::Money,
            metric: Metric::Entered,
            drives: &[SHARE],
        },
    ];
    let activities = vec![
        DefaultActivity {
            name: "Territory plan reviewed",
            group: ActivityGroup::Territory,
            description: "The seller reviews their prioritization scheme, tiers and call pattern (R6).",
            drives: &[PIPELINE, BY_TYPE],
            count: 1,
            per: Per::Month,
            rubric: rubric(&[
                (
                    "Prioritization",
                    [
                        "No tiers, or tiers by gut feeling.",
                        "Tiers exist but the criteria are vague or too many.",
                        "A few specific criteria rank every customer into tiers.",
                        "Tiers are specific, current, and explain each move between tiers.",
                    ],
                ),
                (
                    "Call pattern",
                    [
                        "No pattern: calls go where they are easiest.",
                        "A pattern exists but calls do not follow it.",
                        "Calls per tier follow the pattern, with gaps explained.",
                        "Calls follow the pattern and the pattern is tuned from results.",
                    ],
                ),
                (
                    "Targeted messaging",
                    [
                        "The same message for everyone.",
                        "Messages differ by segment but not by need.",
                        "Each target segment has a message built on its needs.",
                        "Messages are tested and improved from prospect replies.",
                    ],
                ),
            ]),
            crm_source: None,
        },
        DefaultActivity {
            name: "Prospecting to target segments",
            group: ActivityGroup::Territory,
            description: "Outreach with targeted messaging to new customers in the priority tiers (R6).",
            drives: &[PIPELINE, BY_TYPE],
            count: 8,
            per: Per::Week,
            rubric: rubric(&[
                (
                    "Target fit",
                    [
                        "Outside the priority tiers.",
                        "In a tier, but not the priority one.",
                        "A priority-tier prospect.",
                        "A priority-tier prospect with a known trigger event.",
                    ],
                ),
                (
                    "Message",
                    [
                        "Generic.",
                        "Names the segment.",
                        "Speaks to the segment's needs.",
                        "Speaks to this prospect's situation.",
                    ],
                ),
            ]),
            crm_source: Some(CrmSource::Call(CallKind::Phone)),
        },
        DefaultActivity {
            name: "Key-account plan updated",
            group: ActivityGroup::Account,
            description: "The plan of a key account is brought up to date: assessment, goals, people, action plan (R7).",
            drives: &[PENETRATION, CLOSE_RATE],
            count: 1,
            per: Per::Month,
            rubric: rubric(&[
                (
                    "Client's goals",
                    [
                        "Unknown.",
                        "Guessed from outside.",
                        "Heard from the client and written down.",
                        "Confirmed by decision-makers and tied to our offer.",
                    ],
                ),
                (
                    "People map",
                    [
                        "One contact.",
                        "Several contacts, roles unknown.",
                        "Decision-makers and influencers with their stance.",
                        "The map, our relationship with each, and a plan to close gaps.",
                    ],
                ),
                (
                    "Action plan",
                    [
                        "None.",
                        "Actions without owners or dates.",
                        "Actions with owners, dates and resources.",
                        "The plan is on track and reviewed with the client.",
                    ],
                ),
            ]),
            crm_source: None,
        },
        DefaultActivity {
            name: "Opportunity reviewed against buyer evidence",
            group: ActivityGroup::Opportunity,
            description: "A deal's stage is checked against the buyer's evidence, not the seller's actions (R21, R24).",
            drives: &[CLOSE_RATE, DEALS_WON],
            count: 2,
            per: Per::Week,
            rubric: rubric(&[
                (
                    "Buyer evidence",
                    [
                        "The stage follows what we did.",
                        "Some evidence, mostly from one contact.",
                        "The stage's evidence is there, from the buyer.",
                        "Evidence from several buyers, and the next stage's evidence planned.",
                    ],
                ),
                (
                    "Criteria and competitors",
                    [
                        "Unknown.",
                        "Known, not shaped.",
                        "Known, and we have worked to shape them (R22).",
                        "Shaped, and the buyer's view of each competitor known.",
                    ],
                ),
            ]),
            crm_source: None,
        },
        DefaultActivity {
            name: "Product demo held",
            group: ActivityGroup::Opportunity,
            description: "A demonstration tailored to the buyer's criteria.",
            drives: &[CLOSE_RATE, PIPELINE, DEALS_WON],
            count: 2,
            per: Per::Week,
            rubric: rubric(&[
                (
                    "Tailored to criteria",
                    [
                        "A standard tour.",
                        "Mentions the buyer's needs.",
                        "Shows how each of the buyer's criteria is met.",
                        "Built with the buyer's own data and people.",
                    ],
                ),
                (
                    "Next step",
                    [
                        "None.",
                        "\"We'll be in touch.\"",
                        "A dated next step agreed.",
                        "A next step that moves the buyer to the next stage.",
                    ],
                ),
            ]),
            crm_source: Some(CrmSource::Call(CallKind::Demo)),
        },
        DefaultActivity {
            name: "Call plan used",
            group: ActivityGroup::Call,
            description: "An important call planned in writing: objective, questions, objections, next step (R28–R30).",
            drives: &[CLOSE_RATE, DEALS_WON],
            count: 3,
            per: Per::Week,
            rubric: rubric(&[
                (
                    "Objective and outcome",
                    [
                        "No objective.",
                        "An objective for us, not the buyer.",
                        "An objective and the outcome the buyer should reach.",
                        "Both, and how we will know.",
                    ],
                ),
                (
                    "Questions",
                    [
                        "None prepared.",
                        "Closed questions.",
                        "Open-ended questions first.",
                        "Open questions that uncover needs not yet spoken.",
                    ],
                ),
                (
                    "Objections and next step",
                    [
                        "Neither thought of.",
                        "Objections listed.",
                        "Objections with answers and a next step to ask for.",
                        "All of that, rehearsed.",
                    ],
                ),
            ]),
            crm_source: None,
        },
    ];
    DefaultModel {
        measures,
        activities,
    }
}
