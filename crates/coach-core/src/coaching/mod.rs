//! The coaching conversation (coaching-model R14, R26, R34–R43): the kinds of
//! session and their life cycle, the agenda with its three sections that are
//! always there (R35), the checks an agenda must pass (time, deals per hour,
//! R26), action items (R39, R41), feedback (R40) and a director's observation
//! (R43). Pure rules; the store keeps them and the web shows them.

mod defaults;
#[cfg(test)]
mod tests;

pub use defaults::{
    AgendaTemplate, BankQuestion, TemplateItem, default_questions, default_template,
};

use crate::FieldError;
use crate::records::vocabulary;
use crate::stats::Rate;
use chrono::{Datelike as _, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

vocabulary! {
    /// The kinds of coaching (R6–R13): territory (tactical and strategic),
    /// account, opportunity and call.
    SessionKind, "a kind of coaching" {
        /// Call patterns and priorities this month (R10, tactical).
        TerritoryTactical = "territory_tactical", "Territory (tactical)", ["territory", "tactical"],
        /// Where the territory is going this quarter (R10, strategic).
        TerritoryStrategic = "territory_strategic", "Territory (strategic)", ["strategic"],
        /// A key account and its plan (R7, R11).
        Account = "account", "Account", ["key account"],
        /// Moving deals through the buyer's stages (R8, R12, R20–R27).
        Opportunity = "opportunity", "Opportunity", ["deal", "pipeline"],
        /// Planning or debriefing an important call (R9, R13, R28–R33).
        Call = "call", "Call", ["sales call"],
    }
}

impl SessionKind {
    /// The usual length in minutes (R10–R13).
    pub fn default_minutes(self) -> u32 {
        match self {
            SessionKind::TerritoryTactical => 30,
            SessionKind::Call => 45,
            _ => 60,
        }
    }
}

vocabulary! {
    /// Where a session is in its life (R14).
    SessionStatus, "a session status" {
        /// On the calendar.
        Scheduled = "scheduled", "Scheduled", [],
        /// Both sides have prepared (R18, R27).
        Prepared = "prepared", "Prepared", [],
        /// Opened: the agenda was agreed (R34).
        InProgress = "in_progress", "In progress", ["open", "running"],
        /// Closed: the agenda was reviewed (R34).
        Held = "held", "Held", ["done", "closed"],
        /// Called off.
        Cancelled = "cancelled", "Cancelled", ["canceled"],
        /// The time passed without the session.
        Missed = "missed", "Missed", [],
    }
}

impl SessionStatus {
    /// Whether the session is still to come (it can be prepared, moved,
    /// cancelled or opened).
    pub fn is_upcoming(self) -> bool {
        matches!(self, SessionStatus::Scheduled | SessionStatus::Prepared)
    }

    /// Whether nothing more happens to it.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            SessionStatus::Held | SessionStatus::Cancelled | SessionStatus::Missed
        )
    }

    /// Whether the life cycle allows going from `self` to `next`.
    pub fn can_become(self, next: SessionStatus) -> bool {
        use SessionStatus::*;
        matches!(
            (self, next),
            (Scheduled, Prepared)
                | (Scheduled | Prepared, InProgress)
                | (InProgress, Held)
                | (Scheduled | Prepared, Cancelled)
                | (Scheduled | Prepared, Missed)
        )
    }
}

/// Whether a session was kept (R14): held at its time, or moved rather than
/// dropped and then held. `None` while it is still to come.
pub fn kept_as_scheduled(status: SessionStatus, moved: bool, ad_hoc: bool) -> Option<bool> {
    match status {
        SessionStatus::Held => Some(!ad_hoc && !moved),
        SessionStatus::Cancelled | SessionStatus::Missed => Some(false),
        _ => None,
    }
}

/// Whether a session was held at all, at its time or moved (R14: "moved
/// rather than dropped" counts as keeping the rhythm).
pub fn kept_rhythm(status: SessionStatus) -> Option<bool> {
    match status {
        SessionStatus::Held => Some(true),
        SessionStatus::Cancelled | SessionStatus::Missed => Some(false),
        _ => None,
    }
}

/// A manager's kept-as-scheduled rate (R14): of the scheduled sessions that
/// are over, how many were held, at their time or moved rather than dropped.
/// Ad-hoc sessions were never scheduled and do not count.
pub fn kept_rate(sessions: impl IntoIterator<Item = (SessionStatus, bool)>) -> crate::stats::Rate {
    let (mut kept, mut n) = (0, 0);
    for (status, ad_hoc) in sessions {
        if ad_hoc {
            continue;
        }
        if let Some(k) = kept_rhythm(status) {
            n += 1;
            kept += u64::from(k);
        }
    }
    crate::stats::Rate::new(kept, n)
}

vocabulary! {
    /// The three sections every agenda has (R35).
    Section, "an agenda section" {
        /// (a) Review of action items from earlier sessions.
        Review = "review", "Review of action items", ["action items"],
        /// (b) The focused discussion: few items, in depth (R34).
        Focus = "focus", "Focused discussion", ["discussion"],
        /// (c) Next steps, summarized by the seller (R35, R41).
        NextSteps = "next_steps", "Next steps", ["next", "close"],
    }
}

vocabulary! {
    /// What an agenda item or action item is about (R1: never only a number).
    SubjectKind, "a subject" {
        /// An account.
        Account = "account", "Account", [],
        /// An opportunity.
        Opportunity = "opportunity", "Opportunity", ["deal"],
        /// A call.
        Call = "call", "Call", [],
        /// An activity type of the ROA model.
        ActivityType = "activity_type", "Activity", ["activity"],
        /// A territory, account or call plan.
        Plan = "plan", "Plan", [],
        /// An earlier action item (the review section).
        ActionItem = "action_item", "Action item", [],
    }
}

vocabulary! {
    /// An action item's state (R39).
    ActionStatus, "an action item status" {
        /// Still to do.
        Open = "open", "Open", [],
        /// Done.
        Done = "done", "Done", ["closed", "complete"],
        /// No longer to be done.
        Dropped = "dropped", "Dropped", ["cancelled"],
    }
}

vocabulary! {
    /// The steps of a coaching conversation (R36), which the session room
    /// walks through.
    Phase, "a phase" {
        /// Agenda, time frame and desired outcome.
        Opening = "opening", "Opening", [],
        /// Prepared, open-ended questions first; empathy.
        Seeking = "seeking", "Seeking information", ["questions"],
        /// What the coach adds.
        Giving = "giving", "Giving information", [],
        /// The seller sums up decisions and agreed actions.
        Summarizing = "summarizing", "Summarizing", [],
        /// Actionable next steps; the agenda is reviewed.
        Closing = "closing", "Closing", [],
    }
}

impl Phase {
    /// What the phase is for, in a sentence the room shows.
    pub fn guide(self) -> &'static str {
        match self {
            Phase::Opening => "Agree the agenda, the time frame and the outcome you both want.",
            Phase::Seeking => {
                "Ask your prepared questions, open-ended ones first. Listen more than you talk."
            }
            Phase::Giving => {
                "Add what the seller does not see yet. Prefer a question to an instruction."
            }
            Phase::Summarizing => "The seller sums up what was decided on each item.",
            Phase::Closing => {
                "The seller states the next steps: who does what by when. Review the agenda."
            }
        }
    }
}

/// Checks a title (agenda item, action item): 1–200 printable characters.
pub fn validate_title(raw: &str) -> Result<String, FieldError> {
    line("title", raw, 200)
}

/// Checks the outcome a session is for (may be empty).
pub fn validate_outcome(raw: &str) -> Result<String, FieldError> {
    if raw.trim().is_empty() {
        return Ok(String::new());
    }
    line("desired_outcome", raw, 300)
}

fn line(field: &'static str, raw: &str, max: usize) -> Result<String, FieldError> {
    crate::validate::validate_line(field, raw, max, "text on one line")
}

/// The longest note, in characters.
pub const NOTE_MAX: usize = 20_000;

/// Checks a note's text (may be empty while it is being written).
pub fn validate_note_text(field: &'static str, raw: &str) -> Result<String, FieldError> {
    if raw.chars().count() > NOTE_MAX
        || raw.chars().any(|c| {
            (c.is_control() && c != '\n' && c != '\r' && c != '\t')
                || crate::validate::is_bidi_control(c)
        })
    {
        return Err(FieldError::new(
            field,
            format!("expected at most {NOTE_MAX} printable characters"),
        ));
    }
    Ok(raw.replace("\r\n", "\n"))
}

/// Checks a session's length: 15–240 minutes.
pub fn validate_session_minutes(minutes: i64) -> Result<u32, FieldError> {
    match u32::try_from(minutes) {
        Ok(m @ 15..=240) => Ok(m),
        _ => Err(FieldError::new(
            "minutes",
            format!("expected a length from 15 to 240 minutes; got {minutes}"),
        )),
    }
}

/// Checks an agenda item's time allotment: 0–240 minutes.
pub fn validate_item_minutes(minutes: i64) -> Result<u32, FieldError> {
    match u32::try_from(minutes) {
        Ok(m @ 0..=240) => Ok(m),
        _ => Err(FieldError::new(
            "minutes",
            format!("expected 0 to 240 minutes; got {minutes}"),
        )),
    }
}

/// An agenda item as the checks see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemFacts {
    /// Its section.
    pub section: Section,
    /// Its time allotment.
    pub minutes: u32,
    /// What it is about.
    pub subject: Option<(SubjectKind, String)>,
}

/// What is wrong, or worth a second look, with an agenda.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgendaWarning {
    /// The items take longer than the session.
    OverTime {
        /// Minutes the items take.
        planned: u32,
        /// The session's length.
        available: u32,
    },
    /// More deals than two per hour: allowed up to three per hour (R26).
    ManyDeals {
        /// Deals on the agenda.
        deals: usize,
        /// The session's length.
        minutes: u32,
    },
    /// Nothing to discuss in depth yet (R34).
    NoFocus,
}

impl AgendaWarning {
    /// A sentence for people.
    pub fn message(&self) -> String {
        match self {
            AgendaWarning::OverTime { planned, available } => format!(
                "The items take {planned} minutes; the session has {available}. Take fewer items, in more depth (R34)."
            ),
            AgendaWarning::ManyDeals { deals, minutes } => format!(
                "{deals} deals in {minutes} minutes: two or three are what an hour covers well (R26)."
            ),
            AgendaWarning::NoFocus => "The focused discussion has no item yet (R35).".to_owned(),
        }
    }
}

/// The most deals an opportunity session of this length may take (R26):
/// three per hour, at least one.
pub fn max_deals(minutes: u32) -> usize {
    ((minutes as usize * 3) / 60).max(1)
}

/// Deals above this many draw a warning (R26): two per hour, at least one.
pub fn comfortable_deals(minutes: u32) -> usize {
    ((minutes as usize * 2) / 60).max(1)
}

/// The distinct deals an agenda's focused discussion covers.
pub fn deals_on(items: &[ItemFacts]) -> usize {
    let mut ids: Vec<&str> = items
        .iter()
        .filter(|i| i.section == Section::Focus)
        .filter_map(|i| match &i.subject {
            Some((SubjectKind::Opportunity, id)) => Some(id.as_str()),
            _ => None,
        })
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids.len()
}

/// Refuses an agenda that breaks R26: an opportunity session with more than
/// three deals per hour.
pub fn check_deals(kind: SessionKind, minutes: u32, items: &[ItemFacts]) -> Result<(), FieldError> {
    let deals = deals_on(items);
    if kind == SessionKind::Opportunity && deals > max_deals(minutes) {
        return Err(FieldError::new(
            "subject_id",
            format!(
                "a {minutes}-minute opportunity session takes at most {} deals (three per hour, R26); this would make {deals}",
                max_deals(minutes)
            ),
        ));
    }
    Ok(())
}

/// The warnings an agenda draws: over time (R34), many deals (R26), no focus
/// (R35).
pub fn agenda_warnings(kind: SessionKind, minutes: u32, items: &[ItemFacts]) -> Vec<AgendaWarning> {
    let mut out = Vec::new();
    let planned: u32 = items.iter().map(|i| i.minutes).sum();
    if planned > minutes {
        out.push(AgendaWarning::OverTime {
            planned,
            available: minutes,
        });
    }
    let deals = deals_on(items);
    if kind == SessionKind::Opportunity && deals > comfortable_deals(minutes) {
        out.push(AgendaWarning::ManyDeals { deals, minutes });
    }
    if !items.iter().any(|i| i.section == Section::Focus) {
        out.push(AgendaWarning::NoFocus);
    }
    out
}

/// The day the seller's preparation is due (R27): `working_days` working
/// days (Monday to Friday) before the session's day.
pub fn preparation_due(session_day: NaiveDate, working_days: u32) -> NaiveDate {
    let mut day = session_day;
    let mut left = working_days;
    while left > 0 {
        day -= Duration::days(1);
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    day
}

/// Whether an action item is overdue on `today` (R39).
pub fn is_overdue(status: ActionStatus, due_on: NaiveDate, today: NaiveDate) -> bool {
    status == ActionStatus::Open && due_on < today
}

/// Whether a closed action item was done by its due date (R39: "do what they
/// say they will do"). `None` while it is open or when it was dropped.
pub fn done_on_time(
    status: ActionStatus,
    due_on: NaiveDate,
    closed_on: Option<NaiveDate>,
) -> Option<bool> {
    match (status, closed_on) {
        (ActionStatus::Done, Some(day)) => Some(day <= due_on),
        _ => None,
    }
}

/// A seller's answer after a session (R40).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackAnswer {
    /// 1–5.
    pub rating: u8,
    /// Whether they would have paid for the session.
    pub would_pay: bool,
}

/// Checks a rating: 1 to 5.
pub fn validate_rating(rating: i64) -> Result<u8, FieldError> {
    match u8::try_from(rating) {
        Ok(r @ 1..=5) => Ok(r),
        _ => Err(FieldError::new(
            "rating",
            format!("expected 1 to 5; got {rating}"),
        )),
    }
}

/// Feedback as a manager or director may see it (R40): only in aggregate,
/// and only once `min` answers exist, so sellers can be honest.
#[derive(Debug, Clone, PartialEq)]
pub enum FeedbackView {
    /// Fewer answers than the minimum: nothing but the count.
    TooFew {
        /// Answers so far.
        n: usize,
        /// Answers needed.
        min: usize,
    },
    /// Enough answers.
    Summary {
        /// Answers.
        n: usize,
        /// The mean rating, 1–5.
        mean_rating: f64,
        /// Share who would have paid for the session, with its interval (R45).
        would_pay: Rate,
    },
}

/// Aggregates answers under the minimum rule (R40).
pub fn feedback_view(answers: &[FeedbackAnswer], min: usize) -> FeedbackView {
    let n = answers.len();
    if n == 0 || n < min {
        return FeedbackView::TooFew { n, min };
    }
    let sum: u32 = answers.iter().map(|a| u32::from(a.rating)).sum();
    let pay = answers.iter().filter(|a| a.would_pay).count();
    FeedbackView::Summary {
        n,
        mean_rating: f64::from(sum) / n as f64,
        would_pay: Rate::new(pay as u64, n as u64),
    }
}

/// The questions of a director's observation of a manager's session (R43).
pub const OBSERVATION_CHECKS: [(&str, &str); 6] = [
    (
        "prepared",
        "Was the manager prepared (questions, the seller's deals read)?",
    ),
    (
        "agenda_agreed",
        "Was the agenda agreed at the opening and reviewed at the close?",
    ),
    ("questions_first", "Did the manager ask before telling?"),
    (
        "balanced",
        "Was the talk balanced, the seller speaking at least as much?",
    ),
    (
        "seller_summarized",
        "Did the seller summarize the next steps?",
    ),
    (
        "feedback_asked",
        "Did the manager ask the seller for feedback?",
    ),
];
