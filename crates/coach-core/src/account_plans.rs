//! Account plans (coaching-model R7): for accounts large and important
//! enough to deserve their own plan, an assessment, the client's goals,
//! objectives and initiatives, the people who decide and influence (with
//! their stance and our relationship, drawn as a map), the mutual-value plan
//! (strategic) and the action plan (tactical). And the measure R7 cares
//! about: whether coaching on the account is strategic or tactical.

use crate::FieldError;
use crate::records::{BuyingRole, Stance, vocabulary};
use serde::{Deserialize, Serialize};

vocabulary! {
    /// How strong our relationship with a person is.
    Relationship, "a relationship" {
        /// They trust us and tell us what is going on.
        Strong = "strong", "Strong", [],
        /// We meet and talk.
        Good = "good", "Good", ["ok", "fair"],
        /// Little contact.
        Weak = "weak", "Weak", ["poor"],
        /// We have not met.
        None = "none", "None yet", ["no", "unknown"],
    }
}

vocabulary! {
    /// Where a step of the action plan stands.
    StepStatus, "a step status" {
        /// Not started.
        Planned = "planned", "Planned", ["todo", "open"],
        /// Under way.
        Doing = "doing", "Under way", ["in progress", "started"],
        /// Done.
        Done = "done", "Done", ["complete", "completed"],
        /// Stuck.
        Blocked = "blocked", "Blocked", ["stuck"],
    }
}

vocabulary! {
    /// What account coaching dwelt on (R7): strategic (the customer's business
    /// needs, aligning, creating mutual value) or tactical (executing the
    /// plan, measuring, correcting).
    Focus, "strategic or tactical" {
        /// Assess needs, align, create mutual value.
        Strategic = "strategic", "Strategic", [],
        /// Execute, measure, correct.
        Tactical = "tactical", "Tactical", [],
    }
}

/// A person of the account's map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// Their name.
    pub name: String,
    /// Their title.
    #[serde(default)]
    pub title: String,
    /// Their part in decisions.
    pub role: BuyingRole,
    /// How they lean towards us.
    pub stance: Stance,
    /// Our relationship with them.
    pub relationship: Relationship,
}

/// A step of the action plan (tactical).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// What is done.
    pub activity: String,
    /// When, in words or as a date ("by March", "Q2").
    #[serde(default)]
    pub time_frame: String,
    /// What it needs: people, budget, help.
    #[serde(default)]
    pub resources: String,
    /// Who does it.
    #[serde(default)]
    pub owner: String,
    /// Where it stands.
    pub status: StepStatus,
}

/// The most people and steps a plan holds.
pub const LIST_MAX: usize = 40;

/// Checks the people of a map.
pub fn check_people(people: Vec<Person>) -> Result<Vec<Person>, FieldError> {
    if people.len() > LIST_MAX {
        return Err(FieldError::new(
            "people",
            format!("expected at most {LIST_MAX} people"),
        ));
    }
    people
        .into_iter()
        .map(|p| {
            Ok(Person {
                name: crate::validate::validate_line("people", &p.name, 120, "each person's name")?,
                title: optional_line("people", &p.title, 120)?,
                ..p
            })
        })
        .collect()
}

/// Checks the steps of an action plan.
pub fn check_steps(steps: Vec<Step>) -> Result<Vec<Step>, FieldError> {
    if steps.len() > LIST_MAX {
        return Err(FieldError::new(
            "actions",
            format!("expected at most {LIST_MAX} steps"),
        ));
    }
    steps
        .into_iter()
        .map(|s| {
            Ok(Step {
                activity: crate::validate::validate_line(
                    "actions",
                    &s.activity,
                    300,
                    "each step to say what is done",
                )?,
                time_frame: optional_line("actions", &s.time_frame, 100)?,
                resources: optional_line("actions", &s.resources, 300)?,
                owner: optional_line("actions", &s.owner, 120)?,
                status: s.status,
            })
        })
        .collect()
}

fn optional_line(field: &'static str, raw: &str, max: usize) -> Result<String, FieldError> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(String::new());
    }
    crate::validate::validate_line(field, t, max, "a line of text")
}

/// The rows of the map: decision-makers, influencers, then everyone else.
pub const MAP_ROWS: [(&str, &[BuyingRole]); 3] = [
    ("Decision-makers", &[BuyingRole::DecisionMaker]),
    (
        "Influencers",
        &[BuyingRole::Influencer, BuyingRole::Champion],
    ),
    ("Others", &[BuyingRole::User, BuyingRole::Gatekeeper]),
];

/// The columns of the map, from against us to for us.
pub const MAP_COLUMNS: [Stance; 3] = [Stance::Opponent, Stance::Neutral, Stance::Supporter];

/// The people in one cell of the map.
pub fn cell(people: &[Person], row: usize, stance: Stance) -> Vec<&Person> {
    let roles = MAP_ROWS.get(row).map_or(&[][..], |r| r.1);
    people
        .iter()
        .filter(|p| roles.contains(&p.role) && p.stance == stance)
        .collect()
}

/// What the map says a manager should notice: no decision-maker known, a
/// decision-maker against us, or none we have a strong relationship with.
pub fn map_flags(people: &[Person]) -> Vec<&'static str> {
    let deciders: Vec<&Person> = people
        .iter()
        .filter(|p| p.role == BuyingRole::DecisionMaker)
        .collect();
    let mut out = Vec::new();
    if deciders.is_empty() {
        out.push("No decision-maker on the map yet.");
    } else {
        if deciders.iter().any(|p| p.stance == Stance::Opponent) {
            out.push("A decision-maker is against us.");
        }
        if !deciders
            .iter()
            .any(|p| matches!(p.relationship, Relationship::Strong | Relationship::Good))
        {
            out.push("No good relationship with any decision-maker.");
        }
    }
    out
}

/// A sentence on recent coaching of an account: how much was strategic,
/// how much tactical (R7).
pub fn focus_sentence(focus: &[Option<Focus>]) -> String {
    let strategic = focus
        .iter()
        .filter(|f| **f == Some(Focus::Strategic))
        .count();
    let tactical = focus
        .iter()
        .filter(|f| **f == Some(Focus::Tactical))
        .count();
    let unmarked = focus.len() - strategic - tactical;
    if focus.is_empty() {
        return "No account coaching on this account yet.".to_owned();
    }
    let mut s =
        format!("Recent coaching on this account: {strategic} strategic, {tactical} tactical");
    if unmarked > 0 {
        s.push_str(&format!(", {unmarked} not marked"));
    }
    s.push('.');
    if tactical > strategic {
        s.push_str(" Mostly tactical: high performers coach accounts strategically (R7).");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(role: BuyingRole, stance: Stance, relationship: Relationship) -> Person {
        Person {
            name: "Pat".into(),
            title: String::new(),
            role,
            stance,
            relationship,
        }
    }

    #[test]
    fn the_map_places_people_by_role_and_stance() {
        let people = vec![
            person(
                BuyingRole::DecisionMaker,
                Stance::Supporter,
                Relationship::Strong,
            ),
            person(BuyingRole::Champion, Stance::Supporter, Relationship::Good),
            person(BuyingRole::Influencer, Stance::Opponent, Relationship::Weak),
            person(BuyingRole::Gatekeeper, Stance::Neutral, Relationship::None),
        ];
        assert_eq!(cell(&people, 0, Stance::Supporter).len(), 1);
        assert_eq!(
            cell(&people, 1, Stance::Supporter).len(),
            1,
            "champions influence"
        );
        assert_eq!(cell(&people, 1, Stance::Opponent).len(), 1);
        assert_eq!(cell(&people, 2, Stance::Neutral).len(), 1);
        assert!(cell(&people, 3, Stance::Neutral).is_empty());
        assert!(map_flags(&people).is_empty());
    }

    #[test]
    fn the_map_flags_what_a_manager_should_notice() {
        assert_eq!(map_flags(&[]), ["No decision-maker on the map yet."]);
        let against = [person(
            BuyingRole::DecisionMaker,
            Stance::Opponent,
            Relationship::Weak,
        )];
        assert_eq!(
            map_flags(&against),
            [
                "A decision-maker is against us.",
                "No good relationship with any decision-maker."
            ]
        );
    }

    #[test]
    fn people_and_steps_are_checked() {
        let blank = Person {
            name: " ".into(),
            ..person(BuyingRole::User, Stance::Neutral, Relationship::None)
        };
        assert!(check_people(vec![blank]).is_err_and(|e| e.field == "people"));
        let step = Step {
            activity: "Executive briefing".into(),
            time_frame: " Q1 ".into(),
            resources: String::new(),
            owner: "Pat".into(),
            status: StepStatus::Planned,
        };
        assert_eq!(
            check_steps(vec![step.clone()]).map(|s| s[0].time_frame.clone()),
            Ok("Q1".into())
        );
        let empty = Step {
            activity: String::new(),
            ..step
        };
        assert!(check_steps(vec![empty]).is_err_and(|e| e.field == "actions"));
        assert!(check_steps(vec![]).is_ok());
    }

    #[test]
    fn recent_coaching_is_told_as_strategic_or_tactical() {
        assert_eq!(
            focus_sentence(&[]),
            "No account coaching on this account yet."
        );
        assert_eq!(
            focus_sentence(&[
                Some(Focus::Tactical),
                Some(Focus::Tactical),
                Some(Focus::Strategic),
                None
            ]),
            "Recent coaching on this account: 1 strategic, 2 tactical, 1 not marked. Mostly tactical: high performers coach accounts strategically (R7)."
        );
        assert_eq!(
            focus_sentence(&[Some(Focus::Strategic)]),
            "Recent coaching on this account: 1 strategic, 0 tactical."
        );
    }
}
