//! The vocabulary of the CRM records Coach holds: who a contact is in the
//! buying decision and how they lean (R7, R21), what kind of customer
//! interaction a call was (R28–R33), and the low/medium/high scale used for
//! importance and complexity (R16, R29).

use serde::{Deserialize, Serialize};

/// Defines a closed list of values with a stable name, a label, and the
/// spellings CRMs use for them (matched ignoring case, spaces, `-` and `_`).
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $key:literal, $label:literal, [$($alias:literal),*] ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable name used in files, the database and the API.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }

            /// The name shown to people.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let wanted = $crate::records::squash(s);
                $(
                    if wanted == $crate::records::squash($key) || wanted == $crate::records::squash($label) $(|| wanted == $crate::records::squash($alias))* {
                        return Ok($name::$variant);
                    }
                )+
                Err(format!(
                    "{} ({}); got {}",
                    $what,
                    [$($key),+].join(", "),
                    crate::tabular::quote(s)
                ))
            }
        }
    };
}

pub(crate) use vocabulary;

/// Lower-case without spaces, dashes and underscores: "Decision-Maker" and
/// "decision_maker" are the same word.
pub(crate) fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_' | '\u{a0}'))
        .flat_map(char::to_lowercase)
        .collect()
}

vocabulary! {
    /// A contact's part in the buying decision (R21: decision-makers and
    /// influencers; R7: the account's people map).
    BuyingRole, "a buying role" {
        /// Signs off the decision.
        DecisionMaker = "decision_maker", "Decision-maker", ["economic buyer", "decider", "dm"],
        /// Shapes the decision without making it.
        Influencer = "influencer", "Influencer", ["technical buyer", "evaluator"],
        /// Will use what is bought.
        User = "user", "User", ["end user"],
        /// Controls access to the others.
        Gatekeeper = "gatekeeper", "Gatekeeper", [],
        /// Sells for us inside the account.
        Champion = "champion", "Champion", ["coach", "sponsor"],
    }
}

vocabulary! {
    /// How a contact leans towards us (R7).
    Stance, "a stance" {
        /// Speaks for us.
        Supporter = "supporter", "Supporter", ["supportive", "positive", "pro"],
        /// Undecided or unknown.
        Neutral = "neutral", "Neutral", ["unknown"],
        /// Prefers another option or no change.
        Opponent = "opponent", "Opponent", ["negative", "against", "detractor"],
    }
}

vocabulary! {
    /// What kind of customer interaction a call was (R28–R33).
    CallKind, "a call kind" {
        /// In person.
        Meeting = "meeting", "Meeting", ["event", "in person", "visit"],
        /// By telephone.
        Phone = "phone", "Phone call", ["call", "phone call", "task"],
        /// By video.
        Video = "video", "Video call", ["video call", "web meeting", "zoom", "teams"],
        /// A demonstration of the product.
        Demo = "demo", "Demo", ["demonstration"],
        /// A presentation to the buyer.
        Presentation = "presentation", "Presentation", ["pitch"],
    }
}

vocabulary! {
    /// Low, medium or high: how important a deal or call is (R29), how
    /// complex a deal is (R16).
    Level, "low, medium or high" {
        /// Low.
        Low = "low", "Low", ["1"],
        /// Medium.
        Medium = "medium", "Medium", ["normal", "2", "med"],
        /// High.
        High = "high", "High", ["3", "critical", "important"],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_from_the_spellings_crms_use() {
        assert_eq!("Decision Maker".parse(), Ok(BuyingRole::DecisionMaker));
        assert_eq!("decision-maker".parse(), Ok(BuyingRole::DecisionMaker));
        assert_eq!("Economic Buyer".parse(), Ok(BuyingRole::DecisionMaker));
        assert_eq!("CHAMPION".parse(), Ok(BuyingRole::Champion));
        assert_eq!("Video Call".parse(), Ok(CallKind::Video));
        assert_eq!("normal".parse(), Ok(Level::Medium));
        assert_eq!(" supportive ".parse(), Ok(Stance::Supporter));
        for kind in CallKind::ALL {
            assert_eq!(kind.as_str().parse(), Ok(*kind));
            assert_eq!(kind.label().parse(), Ok(*kind));
        }
    }

    #[test]
    fn an_unknown_value_names_the_choices_and_the_value() {
        let err = "Blocker".parse::<BuyingRole>().err().unwrap_or_default();
        assert_eq!(
            err,
            "a buying role (decision_maker, influencer, user, gatekeeper, champion); got \"Blocker\""
        );
    }
}
