//! Roles a person can hold in a sales organization (see the people table of
//! the coaching model). A person can hold several, e.g. a director who also
//! coaches sellers directly.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// One role. The order is the order in which roles are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Sales operations / enablement: configures the organization and its people.
    Admin,
    /// Manager of managers: sees every team below them, observes coaching (R43).
    Director,
    /// First-line sales manager: coaches a team of sellers.
    Manager,
    /// Account executive: is coached, owns action items.
    Seller,
}

impl Role {
    /// Every role, in display order.
    pub const ALL: [Role; 4] = [Role::Admin, Role::Director, Role::Manager, Role::Seller];

    /// The stable name used in the database, the API and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Director => "director",
            Role::Manager => "manager",
            Role::Seller => "seller",
        }
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::Director => "Director",
            Role::Manager => "Manager",
            Role::Seller => "Seller",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for a role name that is not one of the four.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}: expected admin, director, manager or seller")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "admin" => Ok(Role::Admin),
            "director" => Ok(Role::Director),
            "manager" => Ok(Role::Manager),
            "seller" => Ok(Role::Seller),
            _ => Err(UnknownRole(s.to_owned())),
        }
    }
}

/// The set of roles a person holds, kept sorted and without duplicates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roles(Vec<Role>);

impl Roles {
    /// Builds the set from any list of roles.
    pub fn new(roles: impl IntoIterator<Item = Role>) -> Self {
        let mut v: Vec<Role> = roles.into_iter().collect();
        v.sort();
        v.dedup();
        Roles(v)
    }

    /// Whether the person holds `role`.
    pub fn has(&self, role: Role) -> bool {
        self.0.contains(&role)
    }

    /// Whether the person leads people (manager or director).
    pub fn leads(&self) -> bool {
        self.has(Role::Manager) || self.has(Role::Director)
    }

    /// The roles, in display order.
    pub fn iter(&self) -> impl Iterator<Item = Role> + '_ {
        self.0.iter().copied()
    }

    /// Whether no role is held.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The roles as their stable names.
    pub fn names(&self) -> Vec<&'static str> {
        self.0.iter().map(|r| r.as_str()).collect()
    }

    /// "Director, Manager" for display.
    pub fn labels(&self) -> String {
        self.0
            .iter()
            .map(|r| r.label())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_from_any_case_and_reject_unknown_names() {
        assert_eq!("Manager".parse::<Role>(), Ok(Role::Manager));
        assert_eq!(" seller ".parse::<Role>(), Ok(Role::Seller));
        assert!("owner".parse::<Role>().is_err());
    }

    #[test]
    fn a_role_set_is_sorted_and_has_no_duplicates() {
        let roles = Roles::new([Role::Seller, Role::Director, Role::Seller]);
        assert_eq!(roles.names(), vec!["director", "seller"]);
        assert!(roles.leads());
        assert_eq!(roles.labels(), "Director, Seller");
    }
}
