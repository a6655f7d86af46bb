//! What Coach takes from a CRM, in the terms of the coaching model: buying
//! stages (R21) that a CRM's own stage names map onto, money as decimals with
//! their currency (never floats), and dates read in the format the person
//! declares (never guessed). The importer builds on these.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// Where a deal stands, by buyer evidence rather than seller actions (R24):
/// the four buying stages of R21 and the two closed states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BuyingStage {
    /// 1. Qualification: the buying process, decision-makers and influencers, needs, budget.
    IdentifyNeeds,
    /// 2. Understand and shape the buying criteria; learn which competitors are considered.
    EstablishCriteria,
    /// 3. Position the solution against the criteria; learn the buyer's view of each option.
    AssessSolutions,
    /// 4. Surface and address concerns, negotiate terms, plan the implementation.
    MitigateRisks,
    /// The buyer chose us.
    ClosedWon,
    /// The buyer did not.
    ClosedLost,
}

impl BuyingStage {
    /// Every stage, in buying order.
    pub const ALL: [BuyingStage; 6] = [
        BuyingStage::IdentifyNeeds,
        BuyingStage::EstablishCriteria,
        BuyingStage::AssessSolutions,
        BuyingStage::MitigateRisks,
        BuyingStage::ClosedWon,
        BuyingStage::ClosedLost,
    ];

    /// The stable name used in files, the database and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            BuyingStage::IdentifyNeeds => "identify_needs",
            BuyingStage::EstablishCriteria => "establish_criteria",
            BuyingStage::AssessSolutions => "assess_solutions",
            BuyingStage::MitigateRisks => "mitigate_risks",
            BuyingStage::ClosedWon => "closed_won",
            BuyingStage::ClosedLost => "closed_lost",
        }
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            BuyingStage::IdentifyNeeds => "Identify needs",
            BuyingStage::EstablishCriteria => "Establish criteria",
            BuyingStage::AssessSolutions => "Assess solutions",
            BuyingStage::MitigateRisks => "Mitigate risks",
            BuyingStage::ClosedWon => "Closed won",
            BuyingStage::ClosedLost => "Closed lost",
        }
    }

    /// Whether the deal is still open.
    pub fn is_open(self) -> bool {
        !matches!(self, BuyingStage::ClosedWon | BuyingStage::ClosedLost)
    }

    /// The early stages, where coaching pays most (R25).
    pub fn is_early(self) -> bool {
        matches!(
            self,
            BuyingStage::IdentifyNeeds | BuyingStage::EstablishCriteria
        )
    }
}

impl fmt::Display for BuyingStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BuyingStage {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = s.trim().to_lowercase().replace([' ', '-'], "_");
        BuyingStage::ALL
            .into_iter()
            .find(|stage| stage.as_str() == key)
            .ok_or_else(|| format!("expected one of identify_needs, establish_criteria, assess_solutions, mitigate_risks, closed_won, closed_lost; got {}", crate::tabular::quote(s)))
    }
}

/// An organization's map from its CRM's stage names to buying stages.
/// Names match ignoring case and surrounding space.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageMap {
    entries: BTreeMap<String, (String, BuyingStage)>,
}

/// A stage name the map does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the CRM stage {} is not mapped to a buying stage; add it to the organization's stage map", crate::tabular::quote(.0))]
pub struct UnmappedStage(pub String);

impl StageMap {
    /// A map from `(CRM stage name, buying stage)` pairs.
    pub fn new<'a>(pairs: impl IntoIterator<Item = (&'a str, BuyingStage)>) -> Self {
        let mut map = StageMap::default();
        for (name, stage) in pairs {
            map.insert(name, stage);
        }
        map
    }

    /// Maps one more CRM stage name.
    pub fn insert(&mut self, name: &str, stage: BuyingStage) {
        self.entries
            .insert(name.trim().to_lowercase(), (name.trim().to_owned(), stage));
    }

    /// The buying stage of a CRM stage name.
    pub fn stage(&self, crm_name: &str) -> Result<BuyingStage, UnmappedStage> {
        self.entries
            .get(&crm_name.trim().to_lowercase())
            .map(|(_, s)| *s)
            .ok_or_else(|| UnmappedStage(crm_name.to_owned()))
    }

    /// The mapped names as written, with their stages.
    pub fn entries(&self) -> impl Iterator<Item = (&str, BuyingStage)> {
        self.entries
            .values()
            .map(|(name, stage)| (name.as_str(), *stage))
    }

    /// The default map for Salesforce's standard opportunity stages and
    /// HubSpot's default deal pipeline (labels and internal ids). Stages are
    /// placed by the buyer evidence they usually stand for (R21, R24); every
    /// organization can change them.
    pub fn default_for_common_crms() -> Self {
        use BuyingStage::*;
        StageMap::new([
            // Salesforce, standard sales process.
            ("Prospecting", IdentifyNeeds),
            ("Qualification", IdentifyNeeds),
            ("Needs Analysis", IdentifyNeeds),
            ("Id. Decision Makers", IdentifyNeeds),
            ("Value Proposition", EstablishCriteria),
            ("Perception Analysis", AssessSolutions),
            ("Proposal/Price Quote", AssessSolutions),
            ("Negotiation/Review", MitigateRisks),
            ("Closed Won", ClosedWon),
            ("Closed Lost", ClosedLost),
            // HubSpot, default pipeline: labels and internal ids.
            ("Appointment Scheduled", IdentifyNeeds),
            ("appointmentscheduled", IdentifyNeeds),
            ("Qualified To Buy", EstablishCriteria),
            ("qualifiedtobuy", EstablishCriteria),
            ("Presentation Scheduled", AssessSolutions),
            ("presentationscheduled", AssessSolutions),
            ("Decision Maker Bought-In", AssessSolutions),
            ("decisionmakerboughtin", AssessSolutions),
            ("Contract Sent", MitigateRisks),
            ("contractsent", MitigateRisks),
            ("closedwon", ClosedWon),
            ("closedlost", ClosedLost),
        ])
    }
}

/// An amount of money: a decimal and an ISO 4217 currency code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    /// The amount, exact.
    pub amount: Decimal,
    /// The currency, three upper-case letters.
    pub currency: String,
}

/// How a file writes numbers: which character separates the decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DecimalSeparator {
    /// `1,234.56`
    #[serde(rename = ".")]
    Point,
    /// `1.234,56`
    #[serde(rename = ",")]
    Comma,
}

/// Reads an amount written with `separator` for decimals; the other mark, a
/// space, a no-break space or an apostrophe may group thousands. A currency
/// symbol or anything else is refused, never guessed around.
pub fn parse_amount(raw: &str, separator: DecimalSeparator) -> Result<Decimal, String> {
    let (decimal, grouping) = match separator {
        DecimalSeparator::Point => ('.', ','),
        DecimalSeparator::Comma => (',', '.'),
    };
    let text = raw.trim();
    let expected = || {
        let example = match separator {
            DecimalSeparator::Point => "1,234.56",
            DecimalSeparator::Comma => "1.234,56",
        };
        format!(
            "an amount such as {example}; got {}",
            crate::tabular::quote(raw)
        )
    };
    if text.is_empty() {
        return Err(expected());
    }
    let mut normalized = String::with_capacity(text.len());
    let mut seen_decimal = false;
    // Digits in each thousands group of the whole part: "1,234" is [1, 3].
    let mut groups: Vec<usize> = vec![0];
    for (i, c) in text.chars().enumerate() {
        match c {
            '0'..='9' => {
                normalized.push(c);
                if let Some(last) = groups.last_mut().filter(|_| !seen_decimal) {
                    *last += 1;
                }
            }
            '-' if i == 0 => normalized.push('-'),
            c if c == decimal && !seen_decimal => {
                seen_decimal = true;
                normalized.push('.');
            }
            c if (c == grouping || matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\''))
                && !seen_decimal =>
            {
                groups.push(0)
            }
            _ => return Err(expected()),
        }
    }
    // Thousands groups must look like thousands: "12,5" is no amount in a
    // file that writes decimals with a point.
    let grouped_well =
        groups.len() == 1 || ((1..=3).contains(&groups[0]) && groups[1..].iter().all(|g| *g == 3));
    if !grouped_well {
        return Err(expected());
    }
    Decimal::from_str(&normalized).map_err(|_| expected())
}

/// Checks an ISO 4217 currency code (three letters), upper-casing it.
pub fn parse_currency(raw: &str) -> Result<String, String> {
    let code = raw.trim().to_uppercase();
    if code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err(format!(
            "an ISO 4217 currency code such as EUR or USD; got {}",
            crate::tabular::quote(raw)
        ))
    }
}

/// The date formats a file may declare. Coach never guesses between them:
/// `03/04/2026` is March in one and April in the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DateFormat {
    /// `2026-04-03` (also the default: it cannot be misread).
    #[serde(rename = "YYYY-MM-DD")]
    Iso,
    /// `03/04/2026` is 3 April.
    #[serde(rename = "DD/MM/YYYY")]
    DayMonthYear,
    /// `04/03/2026` is 3 April.
    #[serde(rename = "MM/DD/YYYY")]
    MonthDayYear,
    /// `03.04.2026` is 3 April.
    #[serde(rename = "DD.MM.YYYY")]
    DayMonthYearDots,
}

impl DateFormat {
    fn pattern(self) -> &'static str {
        match self {
            DateFormat::Iso => "%Y-%m-%d",
            DateFormat::DayMonthYear => "%d/%m/%Y",
            DateFormat::MonthDayYear => "%m/%d/%Y",
            DateFormat::DayMonthYearDots => "%d.%m.%Y",
        }
    }

    fn name(self) -> &'static str {
        match self {
            DateFormat::Iso => "YYYY-MM-DD",
            DateFormat::DayMonthYear => "DD/MM/YYYY",
            DateFormat::MonthDayYear => "MM/DD/YYYY",
            DateFormat::DayMonthYearDots => "DD.MM.YYYY",
        }
    }
}

/// Reads a date in the declared format. A value that only another format
/// could read says so, and asks for the format to be declared.
pub fn parse_date(raw: &str, format: DateFormat) -> Result<NaiveDate, String> {
    let text = raw.trim();
    let text = text.split([' ', 'T']).next().unwrap_or(text);
    if let Ok(date) = NaiveDate::parse_from_str(text, format.pattern()) {
        return Ok(date);
    }
    let readable_otherwise = [
        DateFormat::Iso,
        DateFormat::DayMonthYear,
        DateFormat::MonthDayYear,
        DateFormat::DayMonthYearDots,
    ]
    .into_iter()
    .any(|f| f != format && NaiveDate::parse_from_str(text, f.pattern()).is_ok());
    if readable_otherwise {
        Err(format!(
            "a date in the declared format {}; got {} (declare the file's date format: Coach does not guess)",
            format.name(),
            crate::tabular::quote(raw)
        ))
    } else {
        Err(format!(
            "a date in the format {}; got {}",
            format.name(),
            crate::tabular::quote(raw)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_have_stable_names_and_early_ones_are_marked() {
        for stage in BuyingStage::ALL {
            assert_eq!(stage.as_str().parse::<BuyingStage>(), Ok(stage));
        }
        assert_eq!(
            "Establish Criteria".parse::<BuyingStage>(),
            Ok(BuyingStage::EstablishCriteria)
        );
        assert!(BuyingStage::IdentifyNeeds.is_early() && !BuyingStage::AssessSolutions.is_early());
        assert!(!BuyingStage::ClosedLost.is_open());
        assert!("negotiation".parse::<BuyingStage>().is_err());
    }

    #[test]
    fn the_default_map_knows_salesforce_and_hubspot_stages_and_names_an_unknown_one() {
        let map = StageMap::default_for_common_crms();
        assert_eq!(
            map.stage(" negotiation/review "),
            Ok(BuyingStage::MitigateRisks)
        );
        assert_eq!(map.stage("Prospecting"), Ok(BuyingStage::IdentifyNeeds));
        assert_eq!(
            map.stage("qualifiedtobuy"),
            Ok(BuyingStage::EstablishCriteria)
        );
        assert_eq!(map.stage("Closed Won"), Ok(BuyingStage::ClosedWon));
        let err = map
            .stage("Verbal Commit")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(
            err,
            "the CRM stage \"Verbal Commit\" is not mapped to a buying stage; add it to the organization's stage map"
        );
    }

    #[test]
    fn amounts_are_exact_decimals_in_the_declared_notation() {
        let d = |s: &str| Decimal::from_str(s).unwrap_or_default();
        assert_eq!(
            parse_amount("1,234.56", DecimalSeparator::Point),
            Ok(d("1234.56"))
        );
        assert_eq!(
            parse_amount("1.234,56", DecimalSeparator::Comma),
            Ok(d("1234.56"))
        );
        assert_eq!(
            parse_amount("1 234 567,5", DecimalSeparator::Comma),
            Ok(d("1234567.5"))
        );
        assert_eq!(
            parse_amount("1'000.10", DecimalSeparator::Point),
            Ok(d("1000.10"))
        );
        assert_eq!(parse_amount("-0.1", DecimalSeparator::Point), Ok(d("-0.1")));
        assert_eq!(
            parse_amount("0.1", DecimalSeparator::Point).map(|a| a + d("0.2")),
            Ok(d("0.3")),
            "no float error"
        );
        for bad in ["", "$100", "1.2.3", "12,5", "1e6", "--1", "abc"] {
            assert!(
                parse_amount(bad, DecimalSeparator::Point).is_err(),
                "{bad:?}"
            );
        }
        let msg = parse_amount("12,5", DecimalSeparator::Point)
            .err()
            .unwrap_or_default();
        assert!(
            msg.contains("1,234.56") && msg.contains("\"12,5\""),
            "{msg}"
        );
    }

    #[test]
    fn currencies_are_three_letter_codes() {
        assert_eq!(parse_currency(" eur "), Ok("EUR".to_owned()));
        assert!(parse_currency("€").is_err());
        assert!(parse_currency("EURO").is_err());
    }

    #[test]
    fn dates_are_read_in_the_declared_format_and_never_guessed() {
        let april_3 = NaiveDate::from_ymd_opt(2026, 4, 3);
        assert_eq!(parse_date("2026-04-03", DateFormat::Iso).ok(), april_3);
        assert_eq!(
            parse_date("03/04/2026", DateFormat::DayMonthYear).ok(),
            april_3
        );
        assert_eq!(
            parse_date("04/03/2026", DateFormat::MonthDayYear).ok(),
            april_3
        );
        assert_eq!(
            parse_date("03.04.2026", DateFormat::DayMonthYearDots).ok(),
            april_3
        );
        assert_eq!(
            parse_date("2026-04-03 14:05:00", DateFormat::Iso).ok(),
            april_3,
            "a time part is ignored"
        );
        let ambiguous = parse_date("03/04/2026", DateFormat::Iso)
            .err()
            .unwrap_or_default();
        assert!(ambiguous.contains("Coach does not guess"), "{ambiguous}");
        let impossible = parse_date("31/02/2026", DateFormat::DayMonthYear)
            .err()
            .unwrap_or_default();
        assert!(
            impossible.contains("DD/MM/YYYY") && !impossible.contains("guess"),
            "{impossible}"
        );
    }
}
