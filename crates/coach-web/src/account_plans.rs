//! An account's plan as the pages and the API show it (coaching-model R7):
//! the plan, what the people map says, whether the organization requires a
//! plan for this account, and what recent coaching on it dwelt on.

use crate::auth::Actor;
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::state::AppState;
use coach_core::account_plans::{focus_sentence, map_flags};
use coach_store::account_plans::{AccountCoaching, AccountPlan};

/// How many recent account sessions are weighed.
const RECENT: i64 = 6;

/// An account's plan with what follows from it.
pub(crate) struct Reviewed {
    /// The plan (version 0: none written yet).
    pub plan: AccountPlan,
    /// Whether the organization requires a plan for this account.
    pub required: bool,
    /// What to notice.
    pub flags: Vec<String>,
    /// Recent account sessions about the account.
    pub coaching: Vec<AccountCoaching>,
    /// What they dwelt on, in a sentence (R7).
    pub focus: String,
}

/// Reads an account's plan for someone who may see the account; with
/// `write`, also checks they may change it (the seller and those above).
pub(crate) async fn reviewed(
    state: &AppState,
    actor: &Actor,
    account_id: &str,
    write: bool,
) -> Result<Reviewed, AppError> {
    let store = state.store();
    let account = store.account(&actor.org.id, account_id).await?;
    policy::check(
        actor,
        Action::ViewRecord {
            owner_id: &account.owner_id,
            id: &account.id,
        },
    )?;
    if write {
        policy::check(
            actor,
            Action::WritePlan {
                seller_id: &account.owner_id,
            },
        )?;
    }
    let plan = store.account_plan(&actor.org.id, &account.id).await?;
    let required = plan.key_account && store.key_accounts_need_plan(&actor.org.id).await?;
    let coaching = store
        .account_coaching(&actor.org.id, &account.id, RECENT)
        .await?;
    let focus = focus_sentence(&coaching.iter().map(|c| c.focus).collect::<Vec<_>>());
    let mut flags: Vec<String> = Vec::new();
    if required && plan.version == 0 {
        flags.push(
            "Every key account needs a plan here, and this one has none yet (R7).".to_owned(),
        );
    }
    if plan.version > 0 || !plan.people.is_empty() {
        flags.extend(map_flags(&plan.people).into_iter().map(str::to_owned));
    }
    Ok(Reviewed {
        plan,
        required,
        flags,
        coaching,
        focus,
    })
}
