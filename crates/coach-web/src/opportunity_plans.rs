//! A deal's plan as the pages and the API show it (coaching-model R16,
//! R20–R24): the plan, whether the deal needs a formal one, and what a
//! manager should notice.

use crate::auth::Actor;
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::state::AppState;
use coach_core::crm::BuyingStage;
use coach_core::opportunity_plans::{Evidence, Known as _, flags};
use coach_store::crm::Opportunity;
use coach_store::opportunity_plans::OpportunityPlan;

/// A deal's plan with what follows from it.
pub(crate) struct Reviewed {
    /// The deal.
    pub deal: Opportunity,
    /// Its plan (version 0: none written yet).
    pub plan: OpportunityPlan,
    /// Why the deal needs a formal plan; empty when it does not (R16).
    pub formal: Vec<String>,
    /// What to notice (R22, R24, a formal plan not written).
    pub flags: Vec<String>,
    /// The next stage and the evidence still needed to move there.
    pub next: Option<(BuyingStage, Vec<Evidence>)>,
}

/// Reads a deal's plan for someone who may see the deal; with `write`, also
/// checks they may change it (the seller and those above them).
pub(crate) async fn reviewed(
    state: &AppState,
    actor: &Actor,
    opportunity_id: &str,
    write: bool,
) -> Result<Reviewed, AppError> {
    let store = state.store();
    let deal = store.opportunity(&actor.org.id, opportunity_id).await?;
    policy::check(
        actor,
        Action::ViewRecord {
            owner_id: &deal.owner_id,
            id: &deal.id,
        },
    )?;
    if write {
        policy::check(
            actor,
            Action::WritePlan {
                seller_id: &deal.owner_id,
            },
        )?;
    }
    let plan = store.opportunity_plan(&actor.org.id, &deal.id).await?;
    let rules = store.formality(&actor.org.id).await?;
    Ok(review(deal, plan, &rules))
}

/// What follows from a deal's plan under the organization's rules.
pub(crate) fn review(
    deal: Opportunity,
    plan: OpportunityPlan,
    rules: &coach_core::opportunity_plans::Formality,
) -> Reviewed {
    let formal = rules.reasons(&plan.deal());
    let mut notice = flags(&plan, plan.stage, plan.crm_stage);
    if !formal.is_empty() && plan.version == 0 {
        notice.push(format!(
            "A formal plan is required ({}) and none is written yet (R16).",
            formal.join(", ")
        ));
    }
    if plan.crm_stage.is_open() && plan.crm_stage < plan.stage {
        notice.push(format!(
            "The CRM still has this deal in {}; update it so the CRM tells the same story.",
            plan.crm_stage.label()
        ));
    }
    if let Some(n) = &plan.negotiation
        && let Some(reason) = &n.override_reason
    {
        notice.push(format!(
            "Negotiation started with concerns open; the reason given: {reason} (R23)."
        ));
    }
    let next = coach_core::opportunity_plans::OPEN_STAGES
        .into_iter()
        .find(|s| *s > plan.stage)
        .map(|s| (s, plan.missing_before(s)));
    Reviewed {
        deal,
        plan,
        formal,
        flags: notice,
        next,
    }
}

/// "3 raised, 1 open".
pub(crate) fn concern_count(raised: usize, open: usize) -> String {
    match (raised, open) {
        (0, _) => "None surfaced yet".to_owned(),
        (n, 0) => format!("{n} raised, all addressed"),
        (n, o) => format!("{n} raised, {o} open"),
    }
}
