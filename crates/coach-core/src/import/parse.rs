//! One row of a file read into a typed record. References (owner, account,
//! opportunity, contacts) stay as the file gives them: the store resolves
//! them inside the importing organization.

use super::{Columns, Field, RecordKind, Source, normalize_salesforce_id};
use crate::crm::{
    BuyingStage, DateFormat, DecimalSeparator, StageMap, parse_amount, parse_currency, parse_date,
};
use crate::records::{BuyingRole, CallKind, Level, Stance};
use crate::tabular::{Record, RowError, quote};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;

/// Everything a row is read with.
#[derive(Debug, Clone)]
pub struct RowContext<'a> {
    /// Each field's column.
    pub columns: &'a Columns,
    /// The file's header.
    pub headers: &'a [String],
    /// CRM stage names → buying stages.
    pub stages: &'a StageMap,
    /// How dates are written.
    pub date_format: DateFormat,
    /// How decimals are written.
    pub decimal: DecimalSeparator,
    /// The time zone of times without an offset.
    pub time_zone: Tz,
    /// The currency when the file has none.
    pub currency: Option<String>,
}

/// An account as the file gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAccount {
    /// Its id in the CRM.
    pub source_id: String,
    /// Its name.
    pub name: String,
    /// Its owner's email or CRM id.
    pub owner: String,
    /// Segment.
    pub segment: Option<String>,
    /// Tier.
    pub tier: Option<String>,
    /// Potential.
    pub potential: Option<Decimal>,
    /// Currency of the potential.
    pub currency: Option<String>,
    /// Key account.
    pub key_account: bool,
    /// Last change in the CRM.
    pub crm_updated: Option<DateTime<Utc>>,
}

/// A contact as the file gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedContact {
    /// Its id in the CRM.
    pub source_id: String,
    /// Full name.
    pub name: String,
    /// Owner's email or CRM id.
    pub owner: String,
    /// The account's CRM id.
    pub account: Option<String>,
    /// Job title.
    pub title: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Buying role.
    pub buying_role: Option<BuyingRole>,
    /// Stance.
    pub stance: Option<Stance>,
    /// Last change in the CRM.
    pub crm_updated: Option<DateTime<Utc>>,
}

/// An opportunity as the file gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedOpportunity {
    /// Its id in the CRM.
    pub source_id: String,
    /// Its name.
    pub name: String,
    /// Owner's email or CRM id.
    pub owner: String,
    /// The account's CRM id.
    pub account: Option<String>,
    /// Amount.
    pub amount: Option<Decimal>,
    /// Currency of the amount.
    pub currency: Option<String>,
    /// The buying stage.
    pub stage: BuyingStage,
    /// The stage as the CRM names it.
    pub crm_stage: String,
    /// Expected close.
    pub close_date: Option<NaiveDate>,
    /// Created in the CRM.
    pub created_on: Option<NaiveDate>,
    /// Last change in the CRM.
    pub crm_updated: Option<DateTime<Utc>>,
    /// Next step.
    pub next_step: Option<String>,
    /// Importance.
    pub importance: Option<Level>,
    /// Complexity.
    pub complexity: Option<Level>,
}

/// A call as the file gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedCall {
    /// Its id in the CRM.
    pub source_id: String,
    /// Subject.
    pub subject: String,
    /// Owner's email or CRM id.
    pub owner: String,
    /// When it took place.
    pub occurred_at: DateTime<Utc>,
    /// The account's CRM id.
    pub account: Option<String>,
    /// The opportunity's CRM id.
    pub opportunity: Option<String>,
    /// The contacts' CRM ids.
    pub contacts: Vec<String>,
    /// Kind.
    pub kind: CallKind,
    /// Importance.
    pub importance: Option<Level>,
    /// Outcome.
    pub outcome: Option<String>,
    /// Last change in the CRM.
    pub crm_updated: Option<DateTime<Utc>>,
}

/// One row, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParsedRecord {
    /// An account.
    Account(ParsedAccount),
    /// A contact.
    Contact(ParsedContact),
    /// An opportunity.
    Opportunity(ParsedOpportunity),
    /// A call.
    Call(ParsedCall),
}

impl ParsedRecord {
    /// The record's id in the CRM.
    pub fn source_id(&self) -> &str {
        match self {
            ParsedRecord::Account(r) => &r.source_id,
            ParsedRecord::Contact(r) => &r.source_id,
            ParsedRecord::Opportunity(r) => &r.source_id,
            ParsedRecord::Call(r) => &r.source_id,
        }
    }

    /// The owner's email or CRM id.
    pub fn owner(&self) -> &str {
        match self {
            ParsedRecord::Account(r) => &r.owner,
            ParsedRecord::Contact(r) => &r.owner,
            ParsedRecord::Opportunity(r) => &r.owner,
            ParsedRecord::Call(r) => &r.owner,
        }
    }
}

/// Why a row cannot be imported: its problems, and the CRM stage it names if
/// that stage is not mapped (the importer names those once for the file).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RowProblems {
    /// Each problem, located.
    pub errors: Vec<RowError>,
    /// An unmapped CRM stage name.
    pub unmapped_stage: Option<String>,
}

const SHORT_TEXT: usize = 255;
const LONG_TEXT: usize = 4000;

struct Cells<'a> {
    ctx: &'a RowContext<'a>,
    record: &'a Record,
    problems: RowProblems,
}

impl<'a> Cells<'a> {
    /// The trimmed cell of a field, `None` when unmapped or empty.
    fn get(&self, field: Field) -> Option<&'a str> {
        let i = self.ctx.columns.get(field)?;
        let value = self.record.cells.get(i)?.trim();
        (!value.is_empty()).then_some(value)
    }

    fn fail(&mut self, field: Field, value: &str, expected: String) {
        let column = self
            .ctx
            .columns
            .get(field)
            .map(|i| (i + 1, self.ctx.headers.get(i).cloned().unwrap_or_default()));
        self.problems.errors.push(RowError {
            record: self.record.number,
            line: self.record.line,
            column,
            value: Some(quote(value)),
            expected,
        });
    }

    /// Reads a field with `parse`; a problem is recorded and `None` returned.
    fn read<T>(
        &mut self,
        field: Field,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let value = self.get(field)?;
        match parse(value) {
            Ok(v) => Some(v),
            Err(expected) => {
                self.fail(field, value, expected);
                None
            }
        }
    }

    /// A required field: a missing value is a problem too.
    fn require<T>(
        &mut self,
        field: Field,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        if self.get(field).is_none() {
            self.fail(
                field,
                "",
                format!("a value for {} (it is required)", field.label()),
            );
            return None;
        }
        self.read(field, parse)
    }

    fn text(&mut self, field: Field, max: usize) -> Option<String> {
        self.read(field, |v| text(v, max))
    }

    fn id(&mut self, field: Field) -> Option<String> {
        let source = self.ctx.columns.source;
        self.read(field, |v| source_id(source, v))
    }
}

fn text(value: &str, max: usize) -> Result<String, String> {
    if value.chars().count() > max {
        Err(format!("text of at most {max} characters"))
    } else {
        Ok(value.to_owned())
    }
}

fn source_id(source: Source, value: &str) -> Result<String, String> {
    if source == Source::Salesforce {
        return normalize_salesforce_id(value);
    }
    crate::validate::validate_crm_id(value)
        .map_err(|_| "an id of 1–100 printable characters".to_owned())
}

fn owner(value: &str) -> Result<String, String> {
    if value.contains('@') {
        crate::normalize_email(value).map_err(|_| "the owner's email address".to_owned())
    } else {
        crate::validate::validate_crm_id(value).map_err(|_| {
            "the owner's email or their id in the CRM (set on their page in Coach)".to_owned()
        })
    }
}

fn flag(value: &str) -> Result<bool, String> {
    match value.to_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "x" | "ja" | "oui" => Ok(true),
        "false" | "no" | "n" | "0" | "nein" | "non" => Ok(false),
        _ => Err("yes or no (true/false, 1/0)".to_owned()),
    }
}

/// Splits "USD 12,500.00" (Salesforce reports in multi-currency
/// organizations) into its currency and amount.
fn money(value: &str, decimal: DecimalSeparator) -> Result<(Decimal, Option<String>), String> {
    let (code, rest) = match value.split_once(' ') {
        Some((code, rest)) if code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase()) => {
            (Some(code.to_owned()), rest)
        }
        _ => (None, value),
    };
    Ok((parse_amount(rest, decimal)?, code))
}

/// Reads an instant: with an offset (`2026-04-03T14:05:00.000Z`,
/// `…+0000`), or a date in the declared format with an optional time
/// (`14:05`, `2:05 PM`) in the file's time zone. A local time that falls in a
/// daylight-saving gap or overlap is refused rather than guessed.
pub fn parse_instant(raw: &str, format: DateFormat, tz: Tz) -> Result<DateTime<Utc>, String> {
    let text = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z") {
        return Ok(t.with_timezone(&Utc));
    }
    let (date_part, time_part) = match text.find([' ', 'T']) {
        Some(i) => (&text[..i], text[i + 1..].trim()),
        None => (text, ""),
    };
    let date = parse_date(date_part, format)?;
    let (time_part, utc) = match time_part.strip_suffix('Z') {
        Some(t) => (t, true),
        None => (time_part, false),
    };
    let time = if time_part.is_empty() {
        NaiveTime::MIN
    } else {
        ["%H:%M:%S%.f", "%H:%M", "%I:%M %p", "%I:%M:%S %p", "%I:%M%p"]
            .iter()
            .find_map(|p| NaiveTime::parse_from_str(&time_part.to_uppercase(), p).ok())
            .ok_or_else(|| {
                format!(
                    "a date and time such as 2026-04-03 14:05 or 2026-04-03T14:05:00Z; got {}",
                    quote(raw)
                )
            })?
    };
    let local = NaiveDateTime::new(date, time);
    if utc {
        return Ok(local.and_utc());
    }
    match tz.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        chrono::LocalResult::Ambiguous(_, _) => Err(format!(
            "a time that happens once in {tz}; {} happens twice (the clocks go back), so write it with its UTC offset",
            quote(raw)
        )),
        chrono::LocalResult::None => Err(format!(
            "a time that exists in {tz}; {} falls in the hour the clocks skip",
            quote(raw)
        )),
    }
}

/// Reads one row of a file of `ctx.columns.kind`.
pub fn parse_row(ctx: &RowContext<'_>, record: &Record) -> Result<ParsedRecord, RowProblems> {
    let mut c = Cells {
        ctx,
        record,
        problems: RowProblems::default(),
    };
    let kind = ctx.columns.kind;
    let format = ctx.date_format;
    let tz = ctx.time_zone;
    let source_id = {
        let source = ctx.columns.source;
        c.require(Field::SourceId, |v| self::source_id(source, v))
    };
    let owner = c.require(Field::Owner, owner);
    let crm_updated = c.read(Field::CrmUpdated, |v| parse_instant(v, format, tz));
    let currency = c.read(Field::Currency, parse_currency);
    let decimal = ctx.decimal;
    let parsed = match kind {
        RecordKind::Accounts => {
            let name = c.require(Field::Name, |v| text(v, SHORT_TEXT));
            let segment = c.text(Field::Segment, SHORT_TEXT);
            let tier = c.text(Field::Tier, 20);
            let potential = c.read(Field::Potential, |v| money(v, decimal));
            let key_account = c.read(Field::KeyAccount, flag).unwrap_or(false);
            let currency = currency
                .or_else(|| potential.as_ref().and_then(|p| p.1.clone()))
                .or_else(|| ctx.currency.clone());
            if potential.is_some() && currency.is_none() {
                let value = c.get(Field::Potential).unwrap_or_default();
                c.fail(
                    Field::Potential,
                    value,
                    "an amount with its currency: add a currency column or set currency in the mapping"
                        .to_owned(),
                );
            }
            match (source_id, name, owner) {
                (Some(source_id), Some(name), Some(owner)) if c.problems.errors.is_empty() => {
                    Some(ParsedRecord::Account(ParsedAccount {
                        source_id,
                        name,
                        owner,
                        segment,
                        tier,
                        potential: potential.map(|p| p.0),
                        currency,
                        key_account,
                        crm_updated,
                    }))
                }
                _ => None,
            }
        }
        RecordKind::Contacts => {
            let full = c.text(Field::Name, SHORT_TEXT);
            let first = c.text(Field::FirstName, SHORT_TEXT);
            let last = c.text(Field::LastName, SHORT_TEXT);
            let name = full.or_else(|| {
                let joined = [first, last]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                (!joined.is_empty()).then_some(joined)
            });
            if name.is_none() && c.problems.errors.is_empty() {
                let field = if ctx.columns.get(Field::Name).is_some() {
                    Field::Name
                } else {
                    Field::LastName
                };
                c.fail(field, "", "the contact's name (it is required)".to_owned());
            }
            let account = c.id(Field::Account);
            let title = c.text(Field::Title, SHORT_TEXT);
            let email = c.read(Field::Email, |v| {
                crate::normalize_email(v).map_err(|_| "an email address".to_owned())
            });
            let buying_role = c.read(Field::BuyingRole, |v| v.parse::<BuyingRole>());
            let stance = c.read(Field::Stance, |v| v.parse::<Stance>());
            match (source_id, name, owner) {
                (Some(source_id), Some(name), Some(owner)) if c.problems.errors.is_empty() => {
                    Some(ParsedRecord::Contact(ParsedContact {
                        source_id,
                        name,
                        owner,
                        account,
                        title,
                        email,
                        buying_role,
                        stance,
                        crm_updated,
                    }))
                }
                _ => None,
            }
        }
        RecordKind::Opportunities => {
            let name = c.require(Field::Name, |v| text(v, SHORT_TEXT));
            let account = c.id(Field::Account);
            let amount = c.read(Field::Amount, |v| money(v, decimal));
            let currency = currency
                .or_else(|| amount.as_ref().and_then(|a| a.1.clone()))
                .or_else(|| ctx.currency.clone());
            if amount.is_some() && currency.is_none() {
                let value = c.get(Field::Amount).unwrap_or_default();
                c.fail(
                    Field::Amount,
                    value,
                    "an amount with its currency: add a currency column or set currency in the mapping"
                        .to_owned(),
                );
            }
            let crm_stage = c.get(Field::Stage);
            let stage = match crm_stage {
                None => {
                    c.fail(
                        Field::Stage,
                        "",
                        "a value for Stage (it is required)".to_owned(),
                    );
                    None
                }
                Some(name) => match ctx.stages.stage(name) {
                    Ok(stage) => Some(stage),
                    Err(e) => {
                        c.problems.unmapped_stage = Some(name.to_owned());
                        c.fail(Field::Stage, name, e.to_string());
                        None
                    }
                },
            };
            let close_date = c.read(Field::CloseDate, |v| parse_date(v, format));
            let created_on = c.read(Field::CreatedDate, |v| parse_date(v, format));
            let next_step = c.text(Field::NextStep, LONG_TEXT);
            let importance = c.read(Field::Importance, |v| v.parse::<Level>());
            let complexity = c.read(Field::Complexity, |v| v.parse::<Level>());
            match (source_id, name, owner, stage, crm_stage) {
                (Some(source_id), Some(name), Some(owner), Some(stage), Some(crm_stage))
                    if c.problems.errors.is_empty() =>
                {
                    Some(ParsedRecord::Opportunity(ParsedOpportunity {
                        source_id,
                        name,
                        owner,
                        account,
                        amount: amount.map(|a| a.0),
                        currency,
                        stage,
                        crm_stage: crm_stage.to_owned(),
                        close_date,
                        created_on,
                        crm_updated,
                        next_step,
                        importance,
                        complexity,
                    }))
                }
                _ => None,
            }
        }
        RecordKind::Calls => {
            let occurred_at = c.require(Field::OccurredAt, |v| parse_instant(v, format, tz));
            let kind = c.require(Field::Kind, |v| v.parse::<CallKind>());
            let subject = c.text(Field::Subject, SHORT_TEXT);
            let account = c.id(Field::Account);
            let opportunity = c.id(Field::Opportunity);
            let source = ctx.columns.source;
            let contacts = c
                .read(Field::Contacts, |v| {
                    v.split([';', ','])
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| self::source_id(source, s))
                        .collect::<Result<Vec<_>, _>>()
                })
                .unwrap_or_default();
            let importance = c.read(Field::Importance, |v| v.parse::<Level>());
            let outcome = c.text(Field::Outcome, LONG_TEXT);
            match (source_id, owner, occurred_at, kind) {
                (Some(source_id), Some(owner), Some(occurred_at), Some(kind))
                    if c.problems.errors.is_empty() =>
                {
                    Some(ParsedRecord::Call(ParsedCall {
                        source_id,
                        subject: subject.unwrap_or_else(|| kind.label().to_owned()),
                        owner,
                        occurred_at,
                        account,
                        opportunity,
                        contacts,
                        kind,
                        importance,
                        outcome,
                        crm_updated,
                    }))
                }
                _ => None,
            }
        }
    };
    parsed.ok_or(c.problems)
}
