//! Account plans (coaching-model R7): one per account, with the people map
//! and the action plan; whether an organization requires one for every key
//! account; and what account coaching on the account dwelt on.

use crate::crm::records::instant;
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use coach_core::FieldError;
use coach_core::account_plans::{Focus, Person, Relationship, Step, check_people, check_steps};
use coach_core::coaching::{SessionKind, SessionStatus};
use coach_core::records::{BuyingRole, Stance};
use coach_core::time::to_db;
use sqlx::Row as _;
use sqlx::any::AnyRow;

/// An account's plan.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountPlan {
    /// The account's id (also the plan's).
    pub account_id: String,
    /// The account's name.
    pub account_name: String,
    /// The seller who owns the account.
    pub owner_id: String,
    /// The owner's name.
    pub owner_name: String,
    /// Whether it is a key account.
    pub key_account: bool,
    /// An assessment of the account.
    pub assessment: String,
    /// The client's goals, objectives and initiatives.
    pub goals: String,
    /// The mutual-value plan (strategic).
    pub mutual_value: String,
    /// The people map.
    pub people: Vec<Person>,
    /// The action plan (tactical).
    pub actions: Vec<Step>,
    /// Bumped on every change (0: none written yet).
    pub version: i64,
    /// When it last changed.
    pub updated_at: Option<DateTime<Utc>>,
}

/// What a person writes in an account plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountPlanDraft {
    /// The assessment.
    pub assessment: String,
    /// Goals, objectives and initiatives.
    pub goals: String,
    /// The mutual-value plan.
    pub mutual_value: String,
    /// The people.
    pub people: Vec<Person>,
    /// The action plan.
    pub actions: Vec<Step>,
}

/// An account session that discussed the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountCoaching {
    /// The session.
    pub session_id: String,
    /// When.
    pub starts_at: DateTime<Utc>,
    /// Where it stands.
    pub status: SessionStatus,
    /// What it dwelt on, if marked.
    pub focus: Option<Focus>,
}

fn decode<E: std::fmt::Display>(e: E) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(e.to_string().into()))
}

const SELECT: &str = "SELECT a.id, a.name, a.owner_id, u.name AS owner_name, a.key_account, p.assessment, p.goals, p.mutual_value, \
     p.people, p.actions, p.version, p.updated_at FROM accounts a JOIN users u ON u.org_id = a.org_id AND u.id = a.owner_id \
     LEFT JOIN account_plans p ON p.org_id = a.org_id AND p.id = a.id WHERE a.org_id = $1";

fn from_row(row: &AnyRow) -> Result<AccountPlan> {
    let text = |c: &str| -> Result<String> {
        Ok(row.try_get::<Option<String>, _>(c)?.unwrap_or_default())
    };
    let people = text("people")?;
    let actions = text("actions")?;
    Ok(AccountPlan {
        account_id: row.try_get("id")?,
        account_name: row.try_get("name")?,
        owner_id: row.try_get("owner_id")?,
        owner_name: row.try_get("owner_name")?,
        key_account: row.try_get::<i64, _>("key_account")? != 0,
        assessment: text("assessment")?,
        goals: text("goals")?,
        mutual_value: text("mutual_value")?,
        people: if people.is_empty() {
            Vec::new()
        } else {
            serde_json::from_str(&people).map_err(decode)?
        },
        actions: if actions.is_empty() {
            Vec::new()
        } else {
            serde_json::from_str(&actions).map_err(decode)?
        },
        version: row.try_get::<Option<i64>, _>("version")?.unwrap_or(0),
        updated_at: instant(row, "updated_at")?,
    })
}

impl Store {
    /// An account's plan. Until one is written (version 0), the map starts
    /// from the account's contacts in the CRM, with their buying role and
    /// stance.
    pub async fn account_plan(&self, org_id: &str, account_id: &str) -> Result<AccountPlan> {
        let sql = format!("{SELECT} AND a.id = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(org_id)
            .bind(account_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut plan = from_row(&row)?;
        if plan.version == 0 {
            let contacts = sqlx::query(
                "SELECT name, title, buying_role, stance FROM contacts WHERE org_id = $1 AND account_id = $2 ORDER BY name LIMIT 40",
            )
            .bind(org_id)
            .bind(account_id)
            .fetch_all(&self.pool)
            .await?;
            plan.people = contacts
                .iter()
                .map(|c| {
                    let parse = |col: &str| -> Result<Option<String>> { Ok(c.try_get(col)?) };
                    Ok(Person {
                        name: c.try_get("name")?,
                        title: parse("title")?.unwrap_or_default(),
                        role: parse("buying_role")?
                            .and_then(|r| r.parse().ok())
                            .unwrap_or(BuyingRole::Influencer),
                        stance: parse("stance")?
                            .and_then(|s| s.parse().ok())
                            .unwrap_or(Stance::Neutral),
                        relationship: Relationship::None,
                    })
                })
                .collect::<Result<_>>()?;
        }
        Ok(plan)
    }

    /// The key accounts of these owners (all: `None`) with their plans, by name.
    pub async fn key_account_plans(
        &self,
        org_id: &str,
        owners: Option<&[String]>,
    ) -> Result<Vec<AccountPlan>> {
        let mut sql = crate::crm::records::Sql::new(SELECT, org_id);
        sql.push(" AND a.key_account <> 0");
        if let Some(owners) = owners {
            sql.and_in("a.owner_id", owners);
        }
        sql.push(" ORDER BY a.name, a.id");
        sql.fetch(self).await?.iter().map(from_row).collect()
    }

    /// Writes an account's plan. `if_version` guards concurrent edits.
    pub async fn save_account_plan(
        &self,
        org_id: &str,
        account_id: &str,
        if_version: Option<i64>,
        draft: AccountPlanDraft,
        by: &str,
    ) -> Result<AccountPlan> {
        let part = |field, raw: &str| -> std::result::Result<String, FieldError> {
            let t = coach_core::call_plans::validate_part(field, raw)?;
            Ok(t)
        };
        let assessment = part("assessment", &draft.assessment)?;
        let goals = part("goals", &draft.goals)?;
        let mutual_value = part("mutual_value", &draft.mutual_value)?;
        let people = check_people(draft.people)?;
        let actions = check_steps(draft.actions)?;
        let mut tx = self.write().await?;
        self.lock_row(&mut tx, "accounts", org_id, account_id)
            .await?;
        let exists: Option<(i64,)> =
            sqlx::query_as("SELECT 1 FROM accounts WHERE org_id = $1 AND id = $2")
                .bind(org_id)
                .bind(account_id)
                .fetch_optional(&mut *tx)
                .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound);
        }
        let found: Option<(i64,)> =
            sqlx::query_as("SELECT version FROM account_plans WHERE org_id = $1 AND id = $2")
                .bind(org_id)
                .bind(account_id)
                .fetch_optional(&mut *tx)
                .await?;
        crate::coaching::stale_unless(if_version, found.map_or(0, |(v,)| v))?;
        let sql = if found.is_some() {
            "UPDATE account_plans SET assessment = $3, goals = $4, mutual_value = $5, people = $6, actions = $7, \
             version = version + 1, updated_by = $8, updated_at = $9 WHERE org_id = $1 AND id = $2"
        } else {
            "INSERT INTO account_plans (org_id, id, assessment, goals, mutual_value, people, actions, version, updated_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $9)"
        };
        sqlx::query(sql)
            .bind(org_id)
            .bind(account_id)
            .bind(assessment)
            .bind(goals)
            .bind(mutual_value)
            .bind(serde_json::to_string(&people).map_err(decode)?)
            .bind(serde_json::to_string(&actions).map_err(decode)?)
            .bind(by)
            .bind(to_db(Utc::now()))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.account_plan(org_id, account_id).await
    }

    /// The account sessions whose agenda was about the account, newest first.
    pub async fn account_coaching(
        &self,
        org_id: &str,
        account_id: &str,
        limit: i64,
    ) -> Result<Vec<AccountCoaching>> {
        let rows = sqlx::query(
            "SELECT DISTINCT s.id, s.starts_at, s.status, s.focus FROM coaching_sessions s \
             JOIN agenda_items i ON i.org_id = s.org_id AND i.session_id = s.id \
             WHERE s.org_id = $1 AND s.kind = 'account' AND i.subject_kind = 'account' AND i.subject_id = $2 \
             AND s.status NOT IN ('cancelled', 'missed') ORDER BY s.starts_at DESC LIMIT $3",
        )
        .bind(org_id)
        .bind(account_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AccountCoaching {
                    session_id: r.try_get("id")?,
                    starts_at: instant(r, "starts_at")?.unwrap_or_default(),
                    status: r.try_get::<String, _>("status")?.parse().map_err(decode)?,
                    focus: r
                        .try_get::<Option<String>, _>("focus")?
                        .map(|f| f.parse().map_err(decode))
                        .transpose()?,
                })
            })
            .collect()
    }

    /// Marks what an account session dwelt on (R7), at any point of its life.
    pub async fn set_session_focus(
        &self,
        org_id: &str,
        session_id: &str,
        focus: Option<Focus>,
    ) -> Result<()> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT kind FROM coaching_sessions WHERE org_id = $1 AND id = $2")
                .bind(org_id)
                .bind(session_id)
                .fetch_optional(&self.pool)
                .await?;
        match row {
            None => return Err(StoreError::NotFound),
            Some((kind,)) if kind != SessionKind::Account.as_str() => {
                return Err(FieldError::new(
                    "focus",
                    "only account coaching is marked strategic or tactical",
                )
                .into());
            }
            Some(_) => {}
        }
        sqlx::query("UPDATE coaching_sessions SET focus = $3 WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(session_id)
            .bind(focus.map(|f| f.as_str()))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Whether every key account must have a plan (R7).
    pub async fn key_accounts_need_plan(&self, org_id: &str) -> Result<bool> {
        let (v,): (i64,) =
            sqlx::query_as("SELECT key_accounts_need_plan FROM organizations WHERE id = $1")
                .bind(org_id)
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound)?;
        Ok(v != 0)
    }

    /// Sets whether every key account must have a plan (R7).
    pub async fn set_key_accounts_need_plan(&self, org_id: &str, required: bool) -> Result<()> {
        sqlx::query("UPDATE organizations SET key_accounts_need_plan = $2 WHERE id = $1")
            .bind(org_id)
            .bind(i64::from(required))
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
