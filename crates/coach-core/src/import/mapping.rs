//! How a file's columns map onto fields: from a built-in source's column
//! names, overridden or given entirely by a mapping file.

use super::{Field, RecordKind, Source};
use crate::crm::{BuyingStage, DateFormat, DecimalSeparator, StageMap};
use serde::Deserialize;
use std::collections::BTreeMap;

/// A mapping file (TOML), or the options given on the command line.
///
/// ```toml
/// kind = "opportunities"
/// from = "csv"                 # or start from "salesforce" / "hubspot" names
/// date_format = "DD/MM/YYYY"
/// decimal_separator = ","
/// time_zone = "Europe/Berlin"
/// currency = "EUR"             # when the file has no currency column
///
/// [columns]                    # field = column header, or "#3" for the third column
/// source_id = "Deal number"
/// owner = "Rep email"
///
/// [stages]                     # CRM stage name = buying stage, for this file
/// "Verbal Commit" = "mitigate_risks"
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// What the file holds.
    pub kind: Option<RecordKind>,
    /// Whose column names to start from.
    pub from: Option<Source>,
    /// How dates are written (default `YYYY-MM-DD`).
    pub date_format: Option<DateFormat>,
    /// How decimals are written (default `.`).
    pub decimal_separator: Option<DecimalSeparator>,
    /// The time zone of times without an offset (default: the organization's).
    pub time_zone: Option<String>,
    /// The currency of amounts when the file has no currency column.
    pub currency: Option<String>,
    /// Field name → column header (or `#n`, the n-th column).
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// Extra stage names for this file.
    #[serde(default)]
    pub stages: BTreeMap<String, BuyingStage>,
}

/// A problem with the mapping or with the file's header as a whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MappingError(pub String);

impl Mapping {
    /// Reads a mapping file.
    pub fn from_toml(text: &str) -> Result<Mapping, MappingError> {
        let mapping: Mapping = toml::from_str(text)
            .map_err(|e| MappingError(format!("the mapping file is not valid: {}", e.message())))?;
        for key in mapping.columns.keys() {
            key.parse::<Field>().map_err(|_| {
                MappingError(format!(
                    "the mapping names an unknown field {}; fields are: {}",
                    crate::tabular::quote(key),
                    Field::all()
                        .map(Field::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
        }
        if let Some(tz) = &mapping.time_zone {
            crate::validate_time_zone(tz).map_err(|e| MappingError(e.message))?;
        }
        if let Some(c) = &mapping.currency {
            crate::crm::parse_currency(c).map_err(MappingError)?;
        }
        Ok(mapping)
    }

    /// The organization's stage map with this file's extra names.
    pub fn stage_map(&self, org: &StageMap) -> StageMap {
        let mut map = org.clone();
        for (name, stage) in &self.stages {
            map.insert(name, *stage);
        }
        map
    }

    /// Finds each field's column in a header: the column the mapping names,
    /// else the first of the source's names present. Every problem is
    /// reported at once.
    pub fn resolve(
        &self,
        kind: RecordKind,
        source: Source,
        headers: &[String],
    ) -> Result<Columns, Vec<MappingError>> {
        let mut index = BTreeMap::new();
        let mut errors = Vec::new();
        let show = |i: usize| format!("column {} {}", i + 1, crate::tabular::quote(&headers[i]));
        let find = |name: &str| -> Vec<usize> {
            if let Some(n) = name.strip_prefix('#').and_then(|n| n.parse::<usize>().ok()) {
                return if (1..=headers.len()).contains(&n) {
                    vec![n - 1]
                } else {
                    vec![]
                };
            }
            let wanted = name.trim().to_lowercase();
            (0..headers.len())
                .filter(|i| headers[*i].trim().to_lowercase() == wanted)
                .collect()
        };
        for field in kind.fields() {
            let named = self
                .columns
                .iter()
                .find(|(k, _)| k.parse::<Field>().ok() == Some(*field))
                .map(|(_, v)| v.as_str());
            let found = match named {
                Some(header) => match find(header).as_slice() {
                    [] => {
                        errors.push(MappingError(format!(
                            "the mapping puts {} in the column {}, which the file does not have",
                            field.as_str(),
                            crate::tabular::quote(header)
                        )));
                        continue;
                    }
                    [one] => Some(*one),
                    many => {
                        errors.push(ambiguous(*field, many, &show));
                        continue;
                    }
                },
                None => {
                    let mut found = None;
                    for name in source.names(kind, *field) {
                        match find(name).as_slice() {
                            [] => continue,
                            [one] => found = Some(*one),
                            many => errors.push(ambiguous(*field, many, &show)),
                        }
                        break;
                    }
                    found
                }
            };
            if let Some(i) = found {
                index.insert(*field, (i, headers[i].clone()));
            }
        }
        for field in kind.fields() {
            let named_by_parts = *field == Field::Name
                && kind == RecordKind::Contacts
                && (index.contains_key(&Field::FirstName) || index.contains_key(&Field::LastName));
            if kind.requires(*field)
                && !index.contains_key(field)
                && !named_by_parts
                && !errors.iter().any(|e| e.0.contains(field.as_str()))
            {
                let names = source.names(kind, *field);
                let hint = if names.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (looked for {})",
                        names
                            .iter()
                            .map(|n| crate::tabular::quote(n))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                errors.push(MappingError(format!(
                    "no column for the required field {}{hint}; name it in a mapping file under [columns]",
                    field.as_str()
                )));
            }
        }
        if errors.is_empty() {
            Ok(Columns {
                kind,
                source,
                index,
            })
        } else {
            Err(errors)
        }
    }
}

fn ambiguous(field: Field, many: &[usize], show: &dyn Fn(usize) -> String) -> MappingError {
    MappingError(format!(
        "{} could be any of {} (the same name, ignoring case); name one in the mapping file, e.g. {} = \"#{}\"",
        field.as_str(),
        many.iter()
            .map(|i| show(*i))
            .collect::<Vec<_>>()
            .join(" and "),
        field.as_str(),
        many[0] + 1
    ))
}

/// Each field's column in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    /// What the file holds.
    pub kind: RecordKind,
    /// Whose column names were used.
    pub source: Source,
    /// Field → 0-based column index and its header.
    pub index: BTreeMap<Field, (usize, String)>,
}

impl Columns {
    /// The 0-based column of a field, if mapped.
    pub fn get(&self, field: Field) -> Option<usize> {
        self.index.get(&field).map(|(i, _)| *i)
    }
}
