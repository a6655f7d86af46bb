//! The access policy: the one place that decides what each person may see and
//! do. Every page, API call, export and feed asks here. A seller sees their own
//! records; a manager their team; a director every team below them; an admin
//! the organization's configuration and people; nobody anything of another
//! organization. A refusal is recorded on the request's span (who, what, which
//! record) and logged once with the request.

use crate::auth::Actor;
use crate::error::AppError;
use coach_core::Role;
use coach_store::User;
use coach_store::coaching::{ActionItem, Session};
use std::collections::BTreeSet;

/// What the actor wants to do.
#[derive(Debug, Clone, Copy)]
pub enum Action<'a> {
    /// See a person's profile (name, email, roles, reporting line).
    ViewPerson(&'a User),
    /// See a team: the leader and who reports to them.
    ViewTeam(&'a User),
    /// List people (the list is then limited by [`people_scope`]).
    ListPeople,
    /// Add people, change roles, reporting lines and time zones, deactivate.
    ManagePeople,
    /// Change this person's record as an admin.
    EditPerson(&'a User),
    /// Change the organization's configuration (stage map, and later the ROA
    /// model, cadences, standards).
    ConfigureOrganization,
    /// See one CRM record (account, contact, opportunity, call) owned by this
    /// person: its owner, the people above them, and admins.
    ViewRecord {
        /// The record's owner.
        owner_id: &'a str,
        /// The record's id, for the log.
        id: &'a str,
    },
    /// Import CRM exports into the organization.
    ImportData,
    /// Read the organization's ROA model: results, objectives, activity
    /// types and their standards (everyone: clarity of the task, R3).
    ViewModel,
    /// See a seller's activities, scores and scorecard: the seller, the
    /// people above them, and admins.
    ViewSellerData {
        /// The seller.
        seller_id: &'a str,
        /// The record's id (an activity), for the log.
        id: &'a str,
    },
    /// Log an activity for a seller: the seller, the people above them, and
    /// admins (who enter what the CRM does not hold).
    LogActivity {
        /// The seller.
        seller_id: &'a str,
    },
    /// Judge an activity's quality against its rubric (R4): only the people
    /// above the seller, who coach them.
    ScoreActivity {
        /// The seller.
        seller_id: &'a str,
        /// The activity.
        id: &'a str,
    },
    /// See scorecards of a team or the organization side by side: leaders
    /// (their people) and admins (everyone).
    ViewTeamScorecards,
    /// See a coaching session (its time, agenda, shared notes, action
    /// items): those in it, the people above the manager or the seller, and
    /// admins.
    ViewSession(&'a Session),
    /// Schedule a session with a seller: the people above them, who coach.
    ScheduleSession {
        /// The seller.
        seller_id: &'a str,
    },
    /// Lead the session: move, cancel, open and close it, prepare questions
    /// (the session's manager).
    LeadSession(&'a Session),
    /// Write on the agenda and the action items: the manager and the seller
    /// (R35: the seller summarizes the next steps).
    EditAgenda(&'a Session),
    /// Keep one's own notes on a session (R38): those in it.
    WriteNotes(&'a Session),
    /// Prepare as the seller (pick the deals, R27) and give feedback (R40):
    /// the session's seller.
    ActAsSeller(&'a Session),
    /// Join a session as observer and file an observation (R43): the people
    /// above the manager.
    Observe(&'a Session),
    /// Read the manager's side: prepared questions and the observation (not
    /// the seller): the manager, the observer, the people above the manager,
    /// and admins.
    ViewCoachSide(&'a Session),
    /// See a manager's coaching in aggregate: feedback (R40) and the
    /// practice analytics of their team (R14–R43): the manager, the people
    /// above them, and admins.
    ViewFeedbackOf {
        /// The manager.
        manager_id: &'a str,
    },
    /// See an action item: its owner and seller, the people above either,
    /// and admins.
    ViewActionItem(&'a ActionItem),
    /// Change an action item's status, title or due date: its owner, its
    /// seller and the people above the seller.
    UpdateActionItem(&'a ActionItem),
    /// Write or change a seller's plans (call plans and what happened on
    /// the call, R28, R29; opportunity plans, R20–R24): the seller and the
    /// people above them.
    WritePlan {
        /// The seller.
        seller_id: &'a str,
    },
    /// See the whole organization's coaching analytics: admins.
    ViewOrganizationAnalytics,
    /// Plan one's own coaching rhythm (R10–R19): those who lead people.
    PlanRhythm,
    /// Read and renew one's own calendar feed (T14): everyone signed in.
    UseCalendarFeed,
    /// Give feedback on a call against its plan (R33): the people above the
    /// seller, who coach them.
    CoachCall {
        /// The seller.
        seller_id: &'a str,
        /// The plan.
        id: &'a str,
    },
}

impl Action<'_> {
    fn name(&self) -> &'static str {
        match self {
            Action::ViewPerson(_) => "view person",
            Action::ViewTeam(_) => "view team",
            Action::ListPeople => "list people",
            Action::ManagePeople => "manage people",
            Action::EditPerson(_) => "edit person",
            Action::ConfigureOrganization => "configure organization",
            Action::ViewRecord { .. } => "view record",
            Action::ImportData => "import data",
            Action::ViewModel => "view model",
            Action::ViewSellerData { .. } => "view seller data",
            Action::LogActivity { .. } => "log activity",
            Action::ScoreActivity { .. } => "score activity",
            Action::ViewTeamScorecards => "view team scorecards",
            Action::ViewSession(_) => "view session",
            Action::ScheduleSession { .. } => "schedule session",
            Action::LeadSession(_) => "lead session",
            Action::EditAgenda(_) => "edit agenda",
            Action::WriteNotes(_) => "write notes",
            Action::ActAsSeller(_) => "act as seller",
            Action::Observe(_) => "observe",
            Action::ViewCoachSide(_) => "view coach side",
            Action::ViewFeedbackOf { .. } => "view feedback",
            Action::ViewActionItem(_) => "view action item",
            Action::UpdateActionItem(_) => "update action item",
            Action::WritePlan { .. } => "write plan",
            Action::CoachCall { .. } => "coach call",
            Action::PlanRhythm => "plan rhythm",
            Action::ViewOrganizationAnalytics => "view organization analytics",
            Action::UseCalendarFeed => "use calendar feed",
        }
    }

    fn target(&self) -> Option<&str> {
        match self {
            Action::ViewPerson(u) | Action::ViewTeam(u) | Action::EditPerson(u) => {
                Some(u.id.as_str())
            }
            Action::ViewRecord { id, .. }
            | Action::ViewSellerData { id, .. }
            | Action::ScoreActivity { id, .. } => Some(id),
            Action::LogActivity { seller_id }
            | Action::ScheduleSession { seller_id }
            | Action::WritePlan { seller_id } => Some(seller_id),
            Action::CoachCall { id, .. } => Some(id),
            Action::ViewSession(s)
            | Action::LeadSession(s)
            | Action::EditAgenda(s)
            | Action::WriteNotes(s)
            | Action::ActAsSeller(s)
            | Action::Observe(s)
            | Action::ViewCoachSide(s) => Some(s.id.as_str()),
            Action::ViewFeedbackOf { manager_id } => Some(manager_id),
            Action::ViewActionItem(i) | Action::UpdateActionItem(i) => Some(i.id.as_str()),
            _ => None,
        }
    }
}

/// Whether `actor` may do `action`.
pub fn allows(actor: &Actor, action: Action<'_>) -> bool {
    let me = &actor.user;
    let admin = me.roles.has(Role::Admin);
    let same_org = |u: &User| u.org_id == actor.org.id;
    match action {
        Action::ViewPerson(u) => {
            same_org(u) && (u.id == me.id || admin || actor.below.contains(&u.id))
        }
        Action::ViewTeam(leader) => {
            same_org(leader) && (leader.id == me.id || admin || actor.below.contains(&leader.id))
        }
        Action::ListPeople => admin || me.roles.leads(),
        Action::ManagePeople => admin,
        Action::EditPerson(u) => same_org(u) && admin,
        Action::ConfigureOrganization => admin,
        // The store looked the record up inside the actor's organization.
        Action::ViewRecord { owner_id, .. } => {
            admin || owner_id == me.id || actor.below.contains(owner_id)
        }
        Action::ImportData => admin,
        Action::ViewModel => true,
        // The store looked the seller's record up inside the actor's organization.
        Action::ViewSellerData { seller_id, .. } | Action::LogActivity { seller_id } => {
            admin || seller_id == me.id || actor.below.contains(seller_id)
        }
        Action::ScoreActivity { seller_id, .. } => actor.below.contains(seller_id),
        Action::ViewTeamScorecards => admin || me.roles.leads(),
        // The store looked the session up inside the actor's organization.
        Action::ViewSession(s) => {
            admin
                || s.involves(&me.id)
                || actor.below.contains(&s.seller_id)
                || actor.below.contains(&s.manager_id)
        }
        Action::ScheduleSession { seller_id } => actor.below.contains(seller_id),
        Action::LeadSession(s) => s.manager_id == me.id,
        Action::EditAgenda(s) => s.manager_id == me.id || s.seller_id == me.id,
        Action::WriteNotes(s) => s.involves(&me.id),
        Action::ActAsSeller(s) => s.seller_id == me.id,
        Action::Observe(s) => actor.below.contains(&s.manager_id),
        Action::ViewCoachSide(s) => {
            admin
                || s.manager_id == me.id
                || s.observer_id.as_deref() == Some(me.id.as_str())
                || actor.below.contains(&s.manager_id)
        }
        Action::ViewFeedbackOf { manager_id } => {
            admin || manager_id == me.id || actor.below.contains(manager_id)
        }
        Action::ViewOrganizationAnalytics => admin,
        Action::ViewActionItem(i) => {
            admin
                || i.owner_id == me.id
                || i.seller_id == me.id
                || actor.below.contains(&i.seller_id)
                || actor.below.contains(&i.owner_id)
        }
        Action::UpdateActionItem(i) => {
            i.owner_id == me.id || i.seller_id == me.id || actor.below.contains(&i.seller_id)
        }
        Action::WritePlan { seller_id } => seller_id == me.id || actor.below.contains(seller_id),
        Action::CoachCall { seller_id, .. } => actor.below.contains(seller_id),
        Action::PlanRhythm => me.roles.leads(),
        Action::UseCalendarFeed => true,
    }
}

/// Allows or refuses, logging a refusal. A record the actor may not see is
/// "not found" (its existence is not confirmed); a feature their role does not
/// have is "forbidden".
pub fn check(actor: &Actor, action: Action<'_>) -> Result<(), AppError> {
    if allows(actor, action) {
        return Ok(());
    }
    let span = tracing::Span::current();
    span.record("denied", action.name());
    span.record("target", action.target().unwrap_or("-"));
    Err(match action {
        Action::ViewPerson(_)
        | Action::ViewTeam(_)
        | Action::ViewRecord { .. }
        | Action::ViewSellerData { .. } => AppError::NotFound,
        Action::LogActivity { seller_id } | Action::ScoreActivity { seller_id, .. }
            if !allows(
                actor,
                Action::ViewSellerData {
                    seller_id,
                    id: seller_id,
                },
            ) =>
        {
            AppError::NotFound
        }
        Action::EditPerson(u) if !allows(actor, Action::ViewPerson(u)) => AppError::NotFound,
        Action::ViewSession(_) | Action::ViewActionItem(_) => AppError::NotFound,
        Action::LeadSession(s)
        | Action::EditAgenda(s)
        | Action::WriteNotes(s)
        | Action::ActAsSeller(s)
        | Action::Observe(s)
        | Action::ViewCoachSide(s)
            if !allows(actor, Action::ViewSession(s)) =>
        {
            AppError::NotFound
        }
        Action::UpdateActionItem(i) if !allows(actor, Action::ViewActionItem(i)) => {
            AppError::NotFound
        }
        Action::ScheduleSession { seller_id }
        | Action::WritePlan { seller_id }
        | Action::CoachCall { seller_id, .. }
            if !allows(
                actor,
                Action::ViewSellerData {
                    seller_id,
                    id: seller_id,
                },
            ) =>
        {
            AppError::NotFound
        }
        Action::ViewFeedbackOf { manager_id }
            if !allows(
                actor,
                Action::ViewSellerData {
                    seller_id: manager_id,
                    id: manager_id,
                },
            ) =>
        {
            AppError::NotFound
        }
        _ => AppError::Forbidden("This part of Coach is not available for your role."),
    })
}

/// Which people a list may show to the actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeopleScope {
    /// Everyone in the organization (admins).
    Everyone,
    /// Only these ids.
    Only(BTreeSet<String>),
}

impl PeopleScope {
    /// The ids to pass to the store, or `None` for everyone.
    pub fn ids(&self) -> Option<Vec<String>> {
        match self {
            PeopleScope::Everyone => None,
            PeopleScope::Only(ids) => Some(ids.iter().cloned().collect()),
        }
    }
}

/// The people the actor may see: everyone (admin), or themselves and everyone
/// below them.
pub fn people_scope(actor: &Actor) -> PeopleScope {
    if actor.user.roles.has(Role::Admin) {
        PeopleScope::Everyone
    } else {
        let mut ids = actor.below.clone();
        ids.insert(actor.user.id.clone());
        PeopleScope::Only(ids)
    }
}

/// Whose CRM records the actor sees in lists and exports: `None` for
/// everyone's (admins), else their own and those of everyone below them.
pub fn record_owners(actor: &Actor) -> Option<Vec<String>> {
    people_scope(actor).ids()
}
