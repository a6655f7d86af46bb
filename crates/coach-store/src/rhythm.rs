//! What the rhythm planner needs to know of sellers (coaching-model R11,
//! R12): how many key accounts each owns and how long their deals take.

use crate::crm::records::date;
use crate::{Result, Store};
use coach_core::rhythm::SellerFacts;
use sqlx::Row as _;
use std::collections::BTreeMap;

impl Store {
    /// For each seller: their key accounts, and the median days from
    /// creation to close of their closed deals (none without such deals).
    pub async fn rhythm_facts(&self, org_id: &str, sellers: &[String]) -> Result<Vec<SellerFacts>> {
        let mut keys: BTreeMap<String, u32> = BTreeMap::new();
        let mut cycles: BTreeMap<String, Vec<i64>> = BTreeMap::new();
        let mut sql = crate::crm::records::Sql::new(
            "SELECT owner_id, COUNT(*) AS n FROM accounts WHERE org_id = $1 AND key_account <> 0",
            org_id,
        );
        sql.and_in("owner_id", sellers);
        sql.push(" GROUP BY owner_id");
        for r in sql.fetch(self).await? {
            keys.insert(
                r.try_get("owner_id")?,
                u32::try_from(r.try_get::<i64, _>("n")?).unwrap_or(0),
            );
        }
        let mut sql = crate::crm::records::Sql::new(
            "SELECT owner_id, created_on, close_date FROM opportunities WHERE org_id = $1 \
             AND stage IN ('closed_won', 'closed_lost') AND created_on IS NOT NULL AND close_date IS NOT NULL",
            org_id,
        );
        sql.and_in("owner_id", sellers);
        for r in sql.fetch(self).await? {
            if let (Some(c), Some(d)) = (date(&r, "created_on")?, date(&r, "close_date")?) {
                cycles
                    .entry(r.try_get("owner_id")?)
                    .or_default()
                    .push((d - c).num_days().max(0));
            }
        }
        Ok(sellers
            .iter()
            .map(|s| SellerFacts {
                seller_id: s.clone(),
                key_accounts: keys.get(s).copied().unwrap_or(0),
                cycle_days: cycles.get_mut(s).and_then(|days| {
                    days.sort_unstable();
                    days.get(days.len() / 2)
                        .map(|d| u32::try_from(*d).unwrap_or(u32::MAX))
                }),
            })
            .collect())
    }
}
