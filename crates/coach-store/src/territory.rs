//! Territory plans (coaching-model R6): a seller's prioritization scheme,
//! call pattern and messaging, the facts the scheme ranks accounts by, the
//! tier adjustments with their reasons, and the calls that show execution.

use crate::crm::records::{date, instant};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use coach_core::FieldError;
use coach_core::territory::{CallPattern, Facts, Message, Scheme, Tier, scores, tiers};
use coach_core::time::to_db;
use rust_decimal::Decimal;
use sqlx::Row as _;
use std::collections::BTreeMap;

/// The most segments with their own message.
pub const MESSAGES_MAX: usize = 12;

/// A seller's territory plan.
#[derive(Debug, Clone, PartialEq)]
pub struct TerritoryPlan {
    /// The seller.
    pub seller_id: String,
    /// The prioritization scheme.
    pub scheme: Scheme,
    /// The call pattern.
    pub pattern: CallPattern,
    /// Targeted messaging per segment.
    pub messaging: Vec<Message>,
    /// Bumped on every change (0: the defaults, nothing written yet).
    pub version: i64,
    /// When it last changed.
    pub updated_at: Option<DateTime<Utc>>,
}

/// What a person writes in a territory plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerritoryDraft {
    /// The prioritization scheme.
    pub scheme: Scheme,
    /// The call pattern.
    pub pattern: CallPattern,
    /// Targeted messaging per segment.
    pub messaging: Vec<Message>,
}

/// An account of the territory with what the scheme ranks it by.
#[derive(Debug, Clone, PartialEq)]
pub struct TerritoryAccount {
    /// The facts.
    pub facts: Facts,
    /// Its name.
    pub name: String,
    /// Its segment.
    pub segment: Option<String>,
}

/// An account of the territory, ranked by the plan's scheme.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    /// What Coach knows of it.
    pub account: TerritoryAccount,
    /// Its score under the scheme, 0–100.
    pub score: u32,
    /// The tier the scheme gives.
    pub computed: Tier,
    /// The tier it is in: the scheme's, or the one set by hand.
    pub tier: Tier,
    /// The adjustment, if one was made.
    pub change: Option<TierChange>,
}

/// A tier set by hand for one account, with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierChange {
    /// The account.
    pub account_id: String,
    /// The tier.
    pub tier: Tier,
    /// Why.
    pub reason: String,
    /// Who set it.
    pub set_by_name: String,
    /// When.
    pub set_at: DateTime<Utc>,
}

fn decode<E: std::fmt::Display>(e: E) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(e.to_string().into()))
}

fn money(raw: Option<String>) -> Decimal {
    raw.and_then(|a| a.parse().ok()).unwrap_or_default()
}

impl Store {
    /// A seller's territory plan; the defaults (version 0) until one is written.
    pub async fn territory_plan(&self, org_id: &str, seller_id: &str) -> Result<TerritoryPlan> {
        let row = sqlx::query(
            "SELECT criteria, a_share, b_share, calls_a, calls_b, calls_c, messaging, version, updated_at \
             FROM territory_plans WHERE org_id = $1 AND seller_id = $2",
        )
        .bind(org_id)
        .bind(seller_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(TerritoryPlan {
                seller_id: seller_id.to_owned(),
                scheme: Scheme::default(),
                pattern: CallPattern::default(),
                messaging: Vec::new(),
                version: 0,
                updated_at: None,
            });
        };
        let share =
            |c: &str| -> Result<u32> { u32::try_from(row.try_get::<i64, _>(c)?).map_err(decode) };
        let calls =
            |c: &str| -> Result<Decimal> { row.try_get::<String, _>(c)?.parse().map_err(decode) };
        Ok(TerritoryPlan {
            seller_id: seller_id.to_owned(),
            scheme: Scheme {
                criteria: serde_json::from_str(&row.try_get::<String, _>("criteria")?)
                    .map_err(decode)?,
                a_share: share("a_share")?,
                b_share: share("b_share")?,
            },
            pattern: CallPattern {
                a: calls("calls_a")?,
                b: calls("calls_b")?,
                c: calls("calls_c")?,
            },
            messaging: serde_json::from_str(&row.try_get::<String, _>("messaging")?)
                .map_err(decode)?,
            version: row.try_get("version")?,
            updated_at: instant(&row, "updated_at")?,
        })
    }

    /// Writes a seller's territory plan. `if_version` guards concurrent
    /// edits (0: nothing written yet).
    pub async fn save_territory_plan(
        &self,
        org_id: &str,
        seller_id: &str,
        if_version: Option<i64>,
        draft: TerritoryDraft,
        by: &str,
    ) -> Result<TerritoryPlan> {
        let TerritoryDraft {
            scheme,
            pattern,
            messaging,
        } = draft;
        let scheme = scheme.checked()?;
        let pattern = pattern.checked()?;
        if messaging.len() > MESSAGES_MAX {
            return Err(FieldError::new(
                "messaging",
                format!("expected at most {MESSAGES_MAX} segments"),
            )
            .into());
        }
        let messaging = messaging
            .into_iter()
            .map(|m| {
                Ok(Message {
                    segment: coach_core::validate::validate_line(
                        "messaging",
                        &m.segment,
                        100,
                        "each message's segment",
                    )?,
                    message: coach_core::call_plans::validate_part("messaging", &m.message)?,
                })
            })
            .collect::<std::result::Result<Vec<_>, FieldError>>()?;
        let mut tx = self.write().await?;
        // The seller's row serializes writers of their plan.
        self.lock_row(&mut tx, "users", org_id, seller_id).await?;
        let found: Option<(i64,)> = sqlx::query_as(
            "SELECT version FROM territory_plans WHERE org_id = $1 AND seller_id = $2",
        )
        .bind(org_id)
        .bind(seller_id)
        .fetch_optional(&mut *tx)
        .await?;
        crate::coaching::stale_unless(if_version, found.map_or(0, |(v,)| v))?;
        let at = to_db(Utc::now());
        let criteria = serde_json::to_string(&scheme.criteria).map_err(decode)?;
        let messages = serde_json::to_string(&messaging).map_err(decode)?;
        let sql = if found.is_some() {
            "UPDATE territory_plans SET criteria = $3, a_share = $4, b_share = $5, calls_a = $6, calls_b = $7, calls_c = $8, \
             messaging = $9, version = version + 1, updated_by = $10, updated_at = $11 WHERE org_id = $1 AND seller_id = $2"
        } else {
            "INSERT INTO territory_plans (org_id, seller_id, criteria, a_share, b_share, calls_a, calls_b, calls_c, messaging, \
             version, updated_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $11, $11)"
        };
        sqlx::query(sql)
            .bind(org_id)
            .bind(seller_id)
            .bind(criteria)
            .bind(i64::from(scheme.a_share))
            .bind(i64::from(scheme.b_share))
            .bind(pattern.a.to_string())
            .bind(pattern.b.to_string())
            .bind(pattern.c.to_string())
            .bind(messages)
            .bind(by)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.territory_plan(org_id, seller_id).await
    }

    /// The seller's accounts with what a scheme ranks them by: potential,
    /// open pipeline, won in the twelve months to `today`, key account, and
    /// calls in the 90 days to `today`. By name.
    pub async fn territory_accounts(
        &self,
        org_id: &str,
        seller_id: &str,
        today: NaiveDate,
    ) -> Result<Vec<TerritoryAccount>> {
        let rows = sqlx::query(
            "SELECT id, name, segment, potential, key_account FROM accounts WHERE org_id = $1 AND owner_id = $2 ORDER BY name, id",
        )
        .bind(org_id)
        .bind(seller_id)
        .fetch_all(&self.pool)
        .await?;
        let mut accounts = rows
            .iter()
            .map(|r| {
                Ok(TerritoryAccount {
                    facts: Facts {
                        id: r.try_get("id")?,
                        potential: money(r.try_get("potential")?),
                        pipeline: Decimal::ZERO,
                        won: Decimal::ZERO,
                        key_account: r.try_get::<i64, _>("key_account")? != 0,
                        calls: 0,
                    },
                    name: r.try_get("name")?,
                    segment: r.try_get("segment")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let index: BTreeMap<String, usize> = accounts
            .iter()
            .enumerate()
            .map(|(i, a)| (a.facts.id.clone(), i))
            .collect();
        let deals = sqlx::query(
            "SELECT account_id, amount, stage, close_date FROM opportunities WHERE org_id = $1 AND owner_id = $2 AND account_id IS NOT NULL",
        )
        .bind(org_id)
        .bind(seller_id)
        .fetch_all(&self.pool)
        .await?;
        let year_ago = today - Duration::days(365);
        for d in &deals {
            let Some(&i) = index.get(&d.try_get::<String, _>("account_id")?) else {
                continue;
            };
            let amount = money(d.try_get("amount")?);
            match d.try_get::<String, _>("stage")?.as_str() {
                "closed_won" => {
                    if date(d, "close_date")?.is_some_and(|c| c > year_ago && c <= today) {
                        accounts[i].facts.won += amount;
                    }
                }
                "closed_lost" => {}
                _ => accounts[i].facts.pipeline += amount,
            }
        }
        let since = today - Duration::days(90);
        for (account, at) in self.territory_calls(org_id, seller_id, since).await? {
            if let Some(&i) = index.get(&account)
                && at.date_naive() <= today
            {
                accounts[i].facts.calls += 1;
            }
        }
        Ok(accounts)
    }

    /// A seller's plan and accounts, ranked into tiers by the plan's scheme
    /// with the tiers set by hand applied: tier A first, then by score.
    pub async fn ranked_territory(
        &self,
        org_id: &str,
        seller_id: &str,
        today: NaiveDate,
    ) -> Result<(TerritoryPlan, Vec<Ranked>)> {
        let plan = self.territory_plan(org_id, seller_id).await?;
        let accounts = self.territory_accounts(org_id, seller_id, today).await?;
        let facts: Vec<_> = accounts.iter().map(|a| a.facts.clone()).collect();
        let scored = scores(&plan.scheme, &facts);
        let computed = tiers(&plan.scheme, &scored);
        let mut changes = self.tier_changes(org_id, seller_id).await?;
        let mut ranked: Vec<Ranked> = accounts
            .into_iter()
            .map(|account| {
                let id = account.facts.id.clone();
                let change = changes.remove(&id);
                let computed = computed.get(&id).copied().unwrap_or(Tier::C);
                Ranked {
                    score: scored.get(&id).copied().unwrap_or(0),
                    tier: change.as_ref().map_or(computed, |c| c.tier),
                    computed,
                    change,
                    account,
                }
            })
            .collect();
        ranked.sort_by(|a, b| {
            a.tier
                .cmp(&b.tier)
                .then(b.score.cmp(&a.score))
                .then(a.account.name.cmp(&b.account.name))
        });
        Ok((plan, ranked))
    }

    /// The seller's calls on accounts since a day, with when they were.
    pub async fn territory_calls(
        &self,
        org_id: &str,
        seller_id: &str,
        since: NaiveDate,
    ) -> Result<Vec<(String, DateTime<Utc>)>> {
        let rows = sqlx::query(
            "SELECT account_id, occurred_at FROM calls WHERE org_id = $1 AND owner_id = $2 AND account_id IS NOT NULL AND occurred_at >= $3",
        )
        .bind(org_id)
        .bind(seller_id)
        .bind(format!("{since}T00:00:00"))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .filter_map(|r| {
                let account: std::result::Result<String, _> = r.try_get("account_id");
                match (account, instant(r, "occurred_at")) {
                    (Ok(a), Ok(Some(at))) => Some(Ok((a, at))),
                    (Err(e), _) => Some(Err(e.into())),
                    (_, Err(e)) => Some(Err(e)),
                    (_, Ok(None)) => None,
                }
            })
            .collect()
    }

    /// The tiers set by hand in a seller's territory, by account.
    pub async fn tier_changes(
        &self,
        org_id: &str,
        seller_id: &str,
    ) -> Result<BTreeMap<String, TierChange>> {
        let rows = sqlx::query(
            "SELECT t.account_id, t.tier, t.reason, u.name, t.set_at FROM territory_tiers t \
             JOIN users u ON u.org_id = t.org_id AND u.id = t.set_by WHERE t.org_id = $1 AND t.seller_id = $2",
        )
        .bind(org_id)
        .bind(seller_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let change = TierChange {
                    account_id: r.try_get("account_id")?,
                    tier: r.try_get::<String, _>("tier")?.parse().map_err(decode)?,
                    reason: r.try_get("reason")?,
                    set_by_name: r.try_get("name")?,
                    set_at: instant(r, "set_at")?.unwrap_or_default(),
                };
                Ok((change.account_id.clone(), change))
            })
            .collect()
    }

    /// Sets one account's tier by hand, with a reason (required), or clears
    /// the adjustment (`None`) so the scheme decides again. The account must
    /// be the seller's.
    pub async fn set_tier(
        &self,
        org_id: &str,
        seller_id: &str,
        account_id: &str,
        tier: Option<(Tier, &str)>,
        by: &str,
    ) -> Result<()> {
        let owner: Option<(String,)> =
            sqlx::query_as("SELECT owner_id FROM accounts WHERE org_id = $1 AND id = $2")
                .bind(org_id)
                .bind(account_id)
                .fetch_optional(&self.pool)
                .await?;
        if owner.is_none_or(|(o,)| o != seller_id) {
            return Err(StoreError::NotFound);
        }
        let mut tx = self.write().await?;
        sqlx::query(
            "DELETE FROM territory_tiers WHERE org_id = $1 AND seller_id = $2 AND account_id = $3",
        )
        .bind(org_id)
        .bind(seller_id)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
        if let Some((tier, reason)) = tier {
            let reason = coach_core::validate::validate_line(
                "reason",
                reason,
                300,
                "the reason for setting the tier by hand",
            )?;
            sqlx::query(
                "INSERT INTO territory_tiers (org_id, seller_id, account_id, tier, reason, set_by, set_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(org_id)
            .bind(seller_id)
            .bind(account_id)
            .bind(tier.as_str())
            .bind(reason)
            .bind(by)
            .bind(to_db(Utc::now()))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
