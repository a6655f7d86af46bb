//! Reporting lines and the teams that follow from them. A seller reports to a
//! manager, a manager to a director; a director may also coach sellers
//! directly. A team is a leader and the people who report to them.

use std::collections::{BTreeMap, BTreeSet};

/// Why a reporting line cannot be set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportingError {
    /// A person cannot report to themselves.
    #[error("a person cannot report to themselves")]
    SelfManaged,
    /// The new line would make a loop (A reports to B who reports to A).
    #[error(
        "this reporting line would make a loop: the new manager already reports to this person"
    )]
    Cycle,
}

/// Who reports to whom in one organization.
#[derive(Debug, Clone, Default)]
pub struct OrgChart {
    manager_of: BTreeMap<String, String>,
    reports_of: BTreeMap<String, BTreeSet<String>>,
}

impl OrgChart {
    /// Builds the chart from `(person, manager)` pairs.
    pub fn new<'a>(lines: impl IntoIterator<Item = (&'a str, Option<&'a str>)>) -> Self {
        let mut chart = OrgChart::default();
        for (person, manager) in lines {
            if let Some(m) = manager {
                chart.manager_of.insert(person.to_owned(), m.to_owned());
                chart
                    .reports_of
                    .entry(m.to_owned())
                    .or_default()
                    .insert(person.to_owned());
            }
        }
        chart
    }

    /// The person's direct manager, if any.
    pub fn manager_of(&self, person: &str) -> Option<&str> {
        self.manager_of.get(person).map(String::as_str)
    }

    /// The people reporting directly to `leader`.
    pub fn direct_reports(&self, leader: &str) -> impl Iterator<Item = &str> {
        self.reports_of
            .get(leader)
            .into_iter()
            .flatten()
            .map(String::as_str)
    }

    /// Everyone below `leader`, at any depth (a director's whole organization).
    /// Stops on loops, so a damaged chart cannot hang the caller.
    pub fn everyone_below(&self, leader: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&str> = self.direct_reports(leader).collect();
        while let Some(p) = stack.pop() {
            if p != leader && seen.insert(p.to_owned()) {
                stack.extend(self.direct_reports(p));
            }
        }
        seen
    }

    /// Whether `person` is somewhere below `leader`.
    pub fn is_below(&self, person: &str, leader: &str) -> bool {
        let mut current = person;
        let mut steps = 0usize;
        while let Some(m) = self.manager_of(current) {
            if m == leader {
                return true;
            }
            current = m;
            steps += 1;
            if steps > self.manager_of.len() {
                return false;
            }
        }
        false
    }

    /// The chain above `person`, nearest first.
    pub fn chain_above(&self, person: &str) -> Vec<String> {
        let mut chain = Vec::new();
        let mut current = person;
        while let Some(m) = self.manager_of(current) {
            if m == person || chain.iter().any(|c: &String| c == m) {
                break;
            }
            chain.push(m.to_owned());
            current = m;
        }
        chain
    }

    /// Checks that `person` may report to `new_manager` without a loop.
    pub fn check_new_line(
        &self,
        person: &str,
        new_manager: Option<&str>,
    ) -> Result<(), ReportingError> {
        match new_manager {
            None => Ok(()),
            Some(m) if m == person => Err(ReportingError::SelfManaged),
            Some(m) if self.is_below(m, person) => Err(ReportingError::Cycle),
            Some(_) => Ok(()),
        }
    }

    /// The leaders: everyone with at least one direct report.
    pub fn leaders(&self) -> impl Iterator<Item = &str> {
        self.reports_of.keys().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn demo() -> OrgChart {
        OrgChart::new([
            ("m1", Some("d")),
            ("m2", Some("d")),
            ("s1", Some("m1")),
            ("s2", Some("m1")),
            ("s3", Some("m2")),
            ("s4", Some("d")),
            ("d", None),
        ])
    }

    #[test]
    fn a_director_sees_every_team_below_and_a_manager_only_their_own() {
        let chart = demo();
        let below_d: Vec<_> = chart.everyone_below("d").into_iter().collect();
        assert_eq!(below_d, ["m1", "m2", "s1", "s2", "s3", "s4"]);
        let below_m1: Vec<_> = chart.everyone_below("m1").into_iter().collect();
        assert_eq!(below_m1, ["s1", "s2"]);
        assert!(chart.everyone_below("s1").is_empty());
        assert!(chart.is_below("s3", "d"));
        assert!(!chart.is_below("s3", "m1"));
    }

    #[test]
    fn the_chain_above_a_seller_is_their_manager_then_director() {
        assert_eq!(demo().chain_above("s1"), ["m1", "d"]);
    }

    #[test]
    fn a_line_that_would_make_a_loop_is_refused() {
        let chart = demo();
        assert_eq!(
            chart.check_new_line("d", Some("s1")),
            Err(ReportingError::Cycle)
        );
        assert_eq!(
            chart.check_new_line("m1", Some("m1")),
            Err(ReportingError::SelfManaged)
        );
        assert_eq!(chart.check_new_line("s1", Some("m2")), Ok(()));
    }

    proptest! {
        #[test]
        fn lines_accepted_one_by_one_never_form_a_loop(edges in proptest::collection::vec((0u8..12, 0u8..12), 0..60)) {
            let mut lines: BTreeMap<String, String> = BTreeMap::new();
            for (p, m) in edges {
                let (p, m) = (p.to_string(), m.to_string());
                let chart = OrgChart::new(lines.iter().map(|(a, b)| (a.as_str(), Some(b.as_str()))));
                if chart.check_new_line(&p, Some(&m)).is_ok() {
                    lines.insert(p, m);
                }
            }
            let chart = OrgChart::new(lines.iter().map(|(a, b)| (a.as_str(), Some(b.as_str()))));
            for p in lines.keys() {
                prop_assert!(!chart.is_below(p, p));
                prop_assert!(!chart.everyone_below(p).contains(p));
            }
        }
    }
}
