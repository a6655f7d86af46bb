//! What the scorecard needs to know about sellers, read in a few queries for
//! any number of them: their activities and scores over a span of days, and
//! for a period the values of results and objectives (computed from their
//! opportunities, or entered) and the targets that apply to them.

use super::{Model, TargetScope};
use crate::crm::records::Sql;
use crate::{Result, Store};
use chrono::NaiveDate;
use coach_core::crm::BuyingStage;
use coach_core::roa::{MeasureValue, Metric, Period, ScoreFacts, SellerFacts};
use rust_decimal::Decimal;
use sqlx::Row as _;
use std::collections::BTreeMap;
use std::str::FromStr;

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// A seller's deals in a period.
#[derive(Default)]
struct Deals {
    won: BTreeMap<String, Decimal>,
    created: BTreeMap<String, Decimal>,
    won_count: u64,
    closed: u64,
}

impl Store {
    /// The facts of `sellers` (id and manager id): activities and scores
    /// from `from` up to `until`; values and targets for `period`, if given.
    pub async fn seller_facts(
        &self,
        org_id: &str,
        model: &Model,
        sellers: &[(String, Option<String>)],
        from: NaiveDate,
        until: NaiveDate,
        period: Option<Period>,
    ) -> Result<Vec<SellerFacts>> {
        let ids: Vec<String> = sellers.iter().map(|(id, _)| id.clone()).collect();
        let mut facts: BTreeMap<String, SellerFacts> = sellers
            .iter()
            .map(|(id, manager)| {
                (
                    id.clone(),
                    SellerFacts {
                        id: id.clone(),
                        manager_id: manager.clone(),
                        ..SellerFacts::default()
                    },
                )
            })
            .collect();
        // Counts per seller, type and day: bounded by the days, not by how
        // many activities there are.
        let mut sql = Sql::new(
            "SELECT a.seller_id, a.activity_type_id, a.occurred_on, CAST(COUNT(*) AS BIGINT) AS n \
             FROM activities a WHERE a.org_id = $1",
            org_id,
        );
        sql.and_in("a.seller_id", &ids);
        sql.and(" AND a.occurred_on >= ?", ymd(from));
        sql.and(" AND a.occurred_on < ?", ymd(until));
        sql.push(" GROUP BY a.seller_id, a.activity_type_id, a.occurred_on");
        for row in sql.fetch(self).await? {
            let seller: String = row.try_get("seller_id")?;
            let on: String = row.try_get("occurred_on")?;
            let n: i64 = row.try_get("n")?;
            if let (Some(f), Some(on)) = (facts.get_mut(&seller), day(&on)) {
                f.activities.push((
                    row.try_get("activity_type_id")?,
                    on,
                    u64::try_from(n).unwrap_or(0),
                ));
            }
        }
        let Some(period) = period else {
            return Ok(facts.into_values().collect());
        };
        // The quality scores of the period.
        let mut sql = Sql::new(
            "SELECT s.seller_id, s.activity_type_id, s.occurred_on, s.standard_seq, s.levels \
             FROM activity_scores s WHERE s.org_id = $1",
            org_id,
        );
        sql.and_in("s.seller_id", &ids);
        sql.and(" AND s.occurred_on >= ?", ymd(period.start().max(from)));
        sql.and(" AND s.occurred_on < ?", ymd(period.end().min(until)));
        for row in sql.fetch(self).await? {
            let seller: String = row.try_get("seller_id")?;
            let on: String = row.try_get("occurred_on")?;
            let levels: String = row.try_get("levels")?;
            if let (Some(f), Some(on)) = (facts.get_mut(&seller), day(&on)) {
                f.scores.push(ScoreFacts {
                    type_id: row.try_get("activity_type_id")?,
                    occurred_on: on,
                    standard_seq: row.try_get("standard_seq")?,
                    levels: serde_json::from_str(&levels).unwrap_or_default(),
                });
            }
        }
        let deals = self.deals(org_id, &ids, period).await?;
        let entered = self.entered_values(org_id, period).await?;
        let targets = self.targets(org_id, Some(period)).await?;
        for f in facts.values_mut() {
            let d = deals.get(&f.id);
            for m in &model.measures {
                let value = match m.metric {
                    Metric::RevenueWon => {
                        MeasureValue::Money(d.map(|d| d.won.clone()).unwrap_or_default())
                    }
                    Metric::PipelineCreated => {
                        MeasureValue::Money(d.map(|d| d.created.clone()).unwrap_or_default())
                    }
                    Metric::CloseRate => MeasureValue::Rate {
                        won: d.map_or(0, |d| d.won_count),
                        of: d.map_or(0, |d| d.closed),
                    },
                    Metric::DealsWon => MeasureValue::Count(d.map_or(0, |d| d.won_count)),
                    Metric::Entered => entered
                        .iter()
                        .find(|v| v.measure_id == m.id && v.seller_id == f.id)
                        .map_or(MeasureValue::Missing, |v| MeasureValue::Entered(v.value)),
                };
                f.values.insert(m.id.clone(), value);
                // The nearest target applies: the seller's, their team's, the organization's.
                let wanted = [
                    TargetScope::Seller(f.id.clone()),
                    TargetScope::Team(f.manager_id.clone().unwrap_or_default()),
                    TargetScope::Organization,
                ];
                if let Some(t) = wanted.iter().find_map(|scope| {
                    targets
                        .iter()
                        .find(|t| t.measure_id == m.id && t.scope == *scope)
                }) {
                    f.targets.insert(m.id.clone(), t.value);
                }
            }
        }
        Ok(facts.into_values().collect())
    }

    /// Won, created and closed deals per seller in the period.
    async fn deals(
        &self,
        org_id: &str,
        ids: &[String],
        period: Period,
    ) -> Result<BTreeMap<String, Deals>> {
        let (start, end) = (ymd(period.start()), ymd(period.end()));
        let mut sql = Sql::new(
            "SELECT owner_id, stage, amount, currency, close_date, created_on FROM opportunities WHERE org_id = $1",
            org_id,
        );
        sql.and_in("owner_id", ids);
        sql.and(" AND ((close_date >= ?", start.clone());
        sql.and(" AND close_date < ?)", end.clone());
        sql.and(" OR (created_on >= ?", start);
        sql.and(" AND created_on < ?))", end);
        let mut out: BTreeMap<String, Deals> = BTreeMap::new();
        for row in sql.fetch(self).await? {
            let owner: String = row.try_get("owner_id")?;
            let stage: String = row.try_get("stage")?;
            let amount: Option<String> = row.try_get("amount")?;
            let currency: Option<String> = row.try_get("currency")?;
            let close: Option<String> = row.try_get("close_date")?;
            let created: Option<String> = row.try_get("created_on")?;
            let amount = amount
                .and_then(|a| Decimal::from_str(&a).ok())
                .unwrap_or_default();
            let currency = currency.unwrap_or_default();
            let d = out.entry(owner).or_default();
            let closed_in = close
                .as_deref()
                .and_then(day)
                .is_some_and(|c| period.contains(c));
            let stage = stage.parse::<BuyingStage>().ok();
            if closed_in && stage == Some(BuyingStage::ClosedWon) {
                d.won_count += 1;
                d.closed += 1;
                *d.won.entry(currency.clone()).or_default() += amount;
            } else if closed_in && stage == Some(BuyingStage::ClosedLost) {
                d.closed += 1;
            }
            if created
                .as_deref()
                .and_then(day)
                .is_some_and(|c| period.contains(c))
            {
                *d.created.entry(currency).or_default() += amount;
            }
        }
        Ok(out)
    }
}
