//! Targets for results and objectives per period (for the organization, a
//! team or one seller: the nearest applies), and the values of measures that
//! are entered rather than computed.

use crate::{Result, Store, StoreError};
use chrono::Utc;
use coach_core::FieldError;
use coach_core::roa::{Metric, Period, Unit};
use coach_core::time::to_db;
use rust_decimal::Decimal;
use std::str::FromStr;

/// Whom a target is for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum TargetScope {
    /// Every seller of the organization.
    Organization,
    /// The sellers reporting to this leader.
    Team(String),
    /// One seller.
    Seller(String),
}

impl TargetScope {
    fn key(&self) -> String {
        match self {
            TargetScope::Organization => "org".to_owned(),
            TargetScope::Team(id) => format!("team:{id}"),
            TargetScope::Seller(id) => format!("seller:{id}"),
        }
    }

    fn from_key(key: &str) -> TargetScope {
        if let Some(id) = key.strip_prefix("team:") {
            TargetScope::Team(id.to_owned())
        } else if let Some(id) = key.strip_prefix("seller:") {
            TargetScope::Seller(id.to_owned())
        } else {
            TargetScope::Organization
        }
    }
}

/// A target.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The result or objective.
    pub measure_id: String,
    /// The period.
    pub period: Period,
    /// Whom it is for.
    pub scope: TargetScope,
    /// The value to reach (money in the organization's currency, percent, or
    /// count).
    pub value: Decimal,
}

/// An entered value of a measure for one seller and period.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetValue {
    /// The result or objective.
    pub measure_id: String,
    /// The seller.
    pub seller_id: String,
    /// The period.
    pub period: Period,
    /// The value.
    pub value: Decimal,
}

/// Reads a number for a measure of `unit`: a plain decimal ("12500.50",
/// "62.5"), at most 100 for a percent, whole for a count, never negative.
pub fn parse_value(raw: &str, unit: Unit) -> Result<Decimal, FieldError> {
    let bad = |why: &str| {
        FieldError::new(
            "value",
            format!("expected {why}; got {}", coach_core::tabular::quote(raw)),
        )
    };
    let v = Decimal::from_str(raw.trim())
        .map_err(|_| bad("a number such as 12500.50 (no thousands separators or currency)"))?;
    if v.is_sign_negative() {
        return Err(bad("a number of zero or more"));
    }
    match unit {
        Unit::Percent if v > Decimal::from(100) => Err(bad("a percentage from 0 to 100")),
        Unit::Count if !v.fract().is_zero() => Err(bad("a whole number")),
        _ => Ok(v.normalize()),
    }
}

impl Store {
    async fn measure_unit(&self, org_id: &str, measure_id: &str) -> Result<(Unit, Metric)> {
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT unit, metric FROM roa_measures WHERE org_id = $1 AND id = $2")
                .bind(org_id)
                .bind(measure_id)
                .fetch_optional(&self.pool)
                .await?;
        let (unit, metric) = row.ok_or_else(|| {
            FieldError::new(
                "measure_id",
                "expected a result or objective of this organization",
            )
        })?;
        Ok((
            unit.parse().unwrap_or(Unit::Count),
            metric.parse().unwrap_or(Metric::Entered),
        ))
    }

    async fn check_scope(&self, org_id: &str, scope: &TargetScope) -> Result<()> {
        let (sql, id) = match scope {
            TargetScope::Organization => return Ok(()),
            TargetScope::Team(id) => (
                "SELECT id FROM users WHERE org_id = $1 AND manager_id = $2 LIMIT 1",
                id,
            ),
            TargetScope::Seller(id) => ("SELECT id FROM users WHERE org_id = $1 AND id = $2", id),
        };
        let found: Option<(String,)> = sqlx::query_as(sql)
            .bind(org_id)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        if found.is_none() {
            return Err(
                FieldError::new("scope", "expected a team or seller of this organization").into(),
            );
        }
        Ok(())
    }

    /// Sets (or replaces) a target.
    pub async fn set_target(
        &self,
        org_id: &str,
        measure_id: &str,
        period: Period,
        scope: TargetScope,
        value: &str,
        by: &str,
    ) -> Result<Target> {
        let (unit, _) = self.measure_unit(org_id, measure_id).await?;
        let value = parse_value(value, unit)?;
        self.check_scope(org_id, &scope).await?;
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM roa_targets WHERE org_id = $1 AND measure_id = $2 AND period = $3 AND scope = $4")
            .bind(org_id)
            .bind(measure_id)
            .bind(period.to_string())
            .bind(scope.key())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO roa_targets (org_id, measure_id, period, scope, value, set_by, set_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(org_id)
        .bind(measure_id)
        .bind(period.to_string())
        .bind(scope.key())
        .bind(value.to_string())
        .bind(by)
        .bind(to_db(Utc::now()))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Target {
            measure_id: measure_id.to_owned(),
            period,
            scope,
            value,
        })
    }

    /// Removes a target.
    pub async fn remove_target(
        &self,
        org_id: &str,
        measure_id: &str,
        period: Period,
        scope: &TargetScope,
    ) -> Result<()> {
        let done = sqlx::query("DELETE FROM roa_targets WHERE org_id = $1 AND measure_id = $2 AND period = $3 AND scope = $4")
            .bind(org_id)
            .bind(measure_id)
            .bind(period.to_string())
            .bind(scope.key())
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// The targets of a period (all periods when `None`).
    pub async fn targets(&self, org_id: &str, period: Option<Period>) -> Result<Vec<Target>> {
        let rows: Vec<(String, String, String, String)> = match period {
            Some(p) => sqlx::query_as(
                "SELECT measure_id, period, scope, value FROM roa_targets WHERE org_id = $1 AND period = $2 ORDER BY period, measure_id, scope",
            )
            .bind(org_id)
            .bind(p.to_string())
            .fetch_all(&self.pool)
            .await?,
            None => sqlx::query_as(
                "SELECT measure_id, period, scope, value FROM roa_targets WHERE org_id = $1 ORDER BY period, measure_id, scope",
            )
            .bind(org_id)
            .fetch_all(&self.pool)
            .await?,
        };
        Ok(rows
            .into_iter()
            .filter_map(|(measure_id, period, scope, value)| {
                Some(Target {
                    measure_id,
                    period: period.parse().ok()?,
                    scope: TargetScope::from_key(&scope),
                    value: value.parse().ok()?,
                })
            })
            .collect())
    }

    /// Enters (or replaces) a seller's value of an entered measure.
    pub async fn set_value(
        &self,
        org_id: &str,
        measure_id: &str,
        seller_id: &str,
        period: Period,
        value: &str,
        by: &str,
    ) -> Result<TargetValue> {
        let (unit, metric) = self.measure_unit(org_id, measure_id).await?;
        if metric != Metric::Entered {
            return Err(FieldError::new(
                "measure_id",
                format!(
                    "this measure is computed from the CRM data ({}); it takes no entered values",
                    metric.label()
                ),
            )
            .into());
        }
        let value = parse_value(value, unit)?;
        self.check_scope(org_id, &TargetScope::Seller(seller_id.to_owned()))
            .await
            .map_err(|_| FieldError::new("seller_id", "expected a seller of this organization"))?;
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM roa_values WHERE org_id = $1 AND measure_id = $2 AND seller_id = $3 AND period = $4")
            .bind(org_id)
            .bind(measure_id)
            .bind(seller_id)
            .bind(period.to_string())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO roa_values (org_id, measure_id, seller_id, period, value, entered_by, entered_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(org_id)
        .bind(measure_id)
        .bind(seller_id)
        .bind(period.to_string())
        .bind(value.to_string())
        .bind(by)
        .bind(to_db(Utc::now()))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(TargetValue {
            measure_id: measure_id.to_owned(),
            seller_id: seller_id.to_owned(),
            period,
            value,
        })
    }

    /// Entered values of a period.
    pub async fn entered_values(&self, org_id: &str, period: Period) -> Result<Vec<TargetValue>> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT measure_id, seller_id, value FROM roa_values WHERE org_id = $1 AND period = $2 ORDER BY measure_id, seller_id",
        )
        .bind(org_id)
        .bind(period.to_string())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(measure_id, seller_id, value)| {
                Some(TargetValue {
                    measure_id,
                    seller_id,
                    period,
                    value: value.parse().ok()?,
                })
            })
            .collect())
    }
}
