//! What the coaching pages and the API share: a session looked up for what
//! the caller wants to do with it (the policy decides), the session's whole
//! picture (agenda, review, warnings, action items), the people a caller may
//! coach, feedback in aggregate (R40), and the Markdown summary.

use crate::auth::Actor;
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::state::AppState;
use coach_core::Role;
use coach_core::coaching::{
    AgendaWarning, FeedbackView, OBSERVATION_CHECKS, Section, SessionStatus, feedback_view,
};
use coach_store::coaching::{
    ActionFilter, ActionItem, AgendaItem, Observation, Session, SessionFilter,
};
use coach_store::{User, UserFilter};
use std::fmt::Write as _;

/// What the caller wants to do with a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    /// Read it.
    View,
    /// Lead it (the manager).
    Lead,
    /// Edit the agenda and action items (manager and seller).
    Edit,
    /// Keep notes (those in it).
    Notes,
    /// Act as its seller (prepare, give feedback).
    Seller,
    /// Observe it (people above the manager).
    Observe,
    /// Read the coach's side (questions, observation).
    CoachSide,
}

/// The session, if the caller may see it and do `want` with it.
pub(crate) async fn session_for(
    state: &AppState,
    actor: &Actor,
    id: &str,
    want: Want,
) -> Result<Session, AppError> {
    let s = state.store().coaching_session(&actor.org.id, id).await?;
    policy::check(actor, Action::ViewSession(&s))?;
    let action = match want {
        Want::View => return Ok(s),
        Want::Lead => Action::LeadSession(&s),
        Want::Edit => Action::EditAgenda(&s),
        Want::Notes => Action::WriteNotes(&s),
        Want::Seller => Action::ActAsSeller(&s),
        Want::Observe => Action::Observe(&s),
        Want::CoachSide => Action::ViewCoachSide(&s),
    };
    policy::check(actor, action)?;
    Ok(s)
}

/// The filter of the sessions the actor may see: theirs, those of the people
/// below them, those they observe; admins all.
pub(crate) fn visible_sessions(actor: &Actor) -> SessionFilter {
    SessionFilter {
        people: policy::record_owners(actor),
        me: Some(actor.user.id.clone()),
        ..SessionFilter::default()
    }
}

/// The action item, if the caller may see it (and, with `update`, change it).
pub(crate) async fn action_item_for(
    state: &AppState,
    actor: &Actor,
    id: &str,
    update: bool,
) -> Result<ActionItem, AppError> {
    let item = state.store().action_item(&actor.org.id, id).await?;
    policy::check(actor, Action::ViewActionItem(&item))?;
    if update {
        policy::check(actor, Action::UpdateActionItem(&item))?;
    }
    Ok(item)
}

/// Everything a session page or API answer shows.
pub(crate) struct Picture {
    /// The agenda, in order.
    pub agenda: Vec<AgendaItem>,
    /// The seller's earlier action items under review (R35 a).
    pub review: Vec<ActionItem>,
    /// The action items agreed in this session (R35 c).
    pub agreed: Vec<ActionItem>,
    /// What the agenda draws (R26, R34, R35).
    pub warnings: Vec<AgendaWarning>,
    /// Held without a next step (R41).
    pub no_next_step: bool,
}

/// The session's agenda, review, agreed items and warnings.
pub(crate) async fn picture(
    state: &AppState,
    org_id: &str,
    s: &Session,
) -> Result<Picture, AppError> {
    let store = state.store();
    let agenda = store.agenda(org_id, &s.id).await?;
    let review = store.review_items(org_id, s).await?;
    let agreed = store
        .action_items(
            org_id,
            &ActionFilter {
                session_id: Some(s.id.clone()),
                ..ActionFilter::default()
            },
        )
        .await?;
    let warnings = if s.status.is_final() {
        Vec::new()
    } else {
        coach_store::coaching::warnings(s, &agenda)
    };
    Ok(Picture {
        no_next_step: s.status == SessionStatus::Held && agreed.is_empty(),
        agenda,
        review,
        agreed,
        warnings,
    })
}

/// The active sellers the actor may schedule coaching with, by name.
pub(crate) async fn coachable(state: &AppState, actor: &Actor) -> Result<Vec<User>, AppError> {
    if actor.below.is_empty() {
        return Ok(Vec::new());
    }
    let mut people = state
        .store()
        .users(
            &actor.org.id,
            &UserFilter {
                only: Some(actor.below.iter().cloned().collect()),
                active: Some(true),
                ..UserFilter::default()
            },
        )
        .await?;
    people.retain(|u| {
        u.roles.has(Role::Seller)
            && policy::allows(actor, Action::ScheduleSession { seller_id: &u.id })
    });
    people.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(people)
}

/// A manager's feedback in aggregate under the organization's minimum (R40).
pub(crate) async fn feedback_of(
    state: &AppState,
    org_id: &str,
    manager_id: &str,
) -> Result<FeedbackView, AppError> {
    let store = state.store();
    let min = store.coaching_settings(org_id).await?.feedback_min_answers;
    let answers = store.feedback_answers(org_id, manager_id).await?;
    Ok(feedback_view(&answers, min as usize))
}

/// The session's sessions-to-date summary as Markdown: the agenda with the
/// decisions, the review, the next steps, and the notes `reader` may read.
pub(crate) async fn markdown(
    state: &AppState,
    actor: &Actor,
    s: &Session,
    tz: &chrono_tz::Tz,
) -> Result<String, AppError> {
    let store = state.store();
    let org = &actor.org.id;
    let p = picture(state, org, s).await?;
    let notes = if s.involves(&actor.user.id) {
        store.notes(org, &s.id, &actor.user.id).await?
    } else {
        Vec::new()
    };
    let when = s.starts_at.with_timezone(tz).format("%A %-d %B %Y, %H:%M");
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# {} coaching: {} with {}\n",
        s.kind.label(),
        s.seller_name,
        s.manager_name
    );
    let _ = writeln!(out, "- When: {when} ({} minutes)", s.minutes);
    let _ = writeln!(out, "- Status: {}", s.status.label());
    if !s.desired_outcome.is_empty() {
        let _ = writeln!(out, "- Desired outcome: {}", md(&s.desired_outcome));
    }
    if let Some(o) = &s.observer_name {
        let _ = writeln!(out, "- Observer: {}", md(o));
    }
    for section in Section::ALL {
        let _ = writeln!(out, "\n## {}\n", section.label());
        if *section == Section::Review {
            for i in &p.review {
                let _ = writeln!(
                    out,
                    "- [{}] {} (due {}, {})",
                    if i.status == coach_core::coaching::ActionStatus::Open {
                        " "
                    } else {
                        "x"
                    },
                    md(&i.title),
                    i.due_on,
                    i.status.label().to_lowercase()
                );
            }
        }
        for i in p.agenda.iter().filter(|i| i.section == *section) {
            let about = i
                .subject_name
                .as_deref()
                .map(|n| format!(" — {}", md(n)))
                .unwrap_or_default();
            let _ = writeln!(out, "- {}{about} ({} min)", md(&i.title), i.minutes);
            if !i.decision.is_empty() {
                let _ = writeln!(out, "  - Decision: {}", md(&i.decision));
            }
        }
        if *section == Section::NextSteps {
            for i in &p.agreed {
                let _ = writeln!(
                    out,
                    "- [ ] {} — {} by {}",
                    md(&i.title),
                    md(&i.owner_name),
                    i.due_on
                );
            }
            if p.no_next_step {
                let _ = writeln!(out, "- No next step was agreed (R41).");
            }
        }
    }
    if !notes.is_empty() {
        let _ = writeln!(out, "\n## Notes\n");
        for n in notes.iter().filter(|n| !n.body.trim().is_empty()) {
            let whose = if n.shared { "shared" } else { "private" };
            let _ = writeln!(
                out,
                "### {} ({whose})\n\n{}\n",
                md(&n.author_name),
                n.body.trim()
            );
        }
    }
    Ok(out)
}

/// Escapes what Markdown would read as markup at the start of a line or as a link.
fn md(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('[', "\\[")
        .replace(']', "\\]")
        .replace('<', "&lt;")
}

/// The observation's checks as `(question, answer)`, in the order of R43.
pub(crate) fn checks(o: &Observation) -> Vec<(&'static str, Option<bool>)> {
    OBSERVATION_CHECKS
        .iter()
        .map(|(key, question)| (*question, o.checks.get(*key).copied()))
        .collect()
}
