//! People of an organization: their roles, reporting lines and whether they
//! may sign in. Deactivation keeps every record and only closes the door.

use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use coach_core::time::{from_db, to_db};
use coach_core::validate::{normalize_email, validate_crm_id, validate_name, validate_time_zone};
use coach_core::{FieldError, OrgChart, Role, Roles};
use sqlx::any::AnyRow;
use sqlx::{Any, Row as _, Transaction};
use std::collections::BTreeMap;

mod update;

/// One person of an organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Their id (UUID v7).
    pub id: String,
    /// Their organization.
    pub org_id: String,
    /// Their sign-in email, lower-case.
    pub email: String,
    /// Their display name.
    pub name: String,
    /// The person they report to.
    pub manager_id: Option<String>,
    /// Their IANA time zone.
    pub time_zone: String,
    /// Their id in the CRM, for matching imported records.
    pub crm_id: Option<String>,
    /// Whether they may sign in.
    pub active: bool,
    /// Their roles.
    pub roles: Roles,
    /// Bumped on every change, for optimistic concurrency (`ETag`).
    pub version: i64,
    /// When they were added.
    pub created_at: DateTime<Utc>,
}

/// What is needed to add a person.
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    /// Sign-in email (normalized here).
    pub email: String,
    /// Display name.
    pub name: String,
    /// Roles; at least one.
    pub roles: Roles,
    /// Who they report to.
    pub manager_id: Option<String>,
    /// IANA time zone; the organization's when `None`.
    pub time_zone: Option<String>,
    /// An argon2id PHC string, or `None` for a person who cannot sign in yet.
    pub password_hash: Option<String>,
    /// Their id in the CRM.
    pub crm_id: Option<String>,
    /// A given id (the demo's, made from its seed); a new UUID v7 when `None`.
    pub id: Option<uuid::Uuid>,
}

/// A change to a person; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserPatch {
    /// New sign-in email (must be free).
    pub email: Option<String>,
    /// New display name.
    pub name: Option<String>,
    /// New roles (replacing the old ones).
    pub roles: Option<Roles>,
    /// New manager (`Some(None)` removes the line).
    pub manager_id: Option<Option<String>>,
    /// New time zone.
    pub time_zone: Option<String>,
    /// Activate or deactivate.
    pub active: Option<bool>,
    /// New CRM id (`Some(None)` clears it).
    pub crm_id: Option<Option<String>>,
}

/// Which people to list.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// Only these ids (the caller's visible set), if given.
    pub only: Option<Vec<String>>,
    /// Only people with this role.
    pub role: Option<Role>,
    /// Only active (`Some(true)`) or deactivated (`Some(false)`) people.
    pub active: Option<bool>,
    /// Only people reporting directly to this person.
    pub manager_id: Option<String>,
    /// Only names or emails containing this text (case-insensitive).
    pub search: Option<String>,
    /// Only ids after this one (cursor pagination, id order).
    pub after: Option<String>,
    /// At most this many.
    pub limit: Option<usize>,
}

macro_rules! columns {
    () => {
        "id, org_id, email, name, manager_id, time_zone, crm_id, active, version, created_at"
    };
}

fn from_row(row: &AnyRow) -> Result<User> {
    let created: String = row.try_get("created_at")?;
    Ok(User {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        manager_id: row.try_get("manager_id")?,
        time_zone: row.try_get("time_zone")?,
        crm_id: row.try_get("crm_id")?,
        active: row.try_get::<i64, _>("active")? != 0,
        roles: Roles::default(),
        version: row.try_get("version")?,
        created_at: from_db(&created).unwrap_or_default(),
    })
}

pub(super) fn check_roles(roles: &Roles) -> Result<()> {
    if roles.is_empty() {
        return Err(FieldError::new("roles", "choose at least one role").into());
    }
    Ok(())
}

impl Store {
    /// Adds a person to an organization. The email must be free in the whole
    /// deployment (it is how people sign in) and the manager must exist in the
    /// same organization.
    pub async fn create_user(&self, org_id: &str, new: NewUser) -> Result<User> {
        let email = normalize_email(&new.email)?;
        let name = validate_name("name", &new.name)?;
        check_roles(&new.roles)?;
        let crm_id = new.crm_id.as_deref().map(validate_crm_id).transpose()?;
        let mut tx = self.write().await?;
        let org_tz: Option<(String,)> =
            sqlx::query_as("SELECT time_zone FROM organizations WHERE id = $1")
                .bind(org_id)
                .fetch_optional(&mut *tx)
                .await?;
        let org_tz = org_tz.ok_or(StoreError::NotFound)?.0;
        let time_zone = match new.time_zone {
            Some(tz) => validate_time_zone(&tz)?,
            None => org_tz,
        };
        let taken = sqlx::query("SELECT user_id FROM login_emails WHERE email = $1")
            .bind(&email)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(FieldError::new("email", format!("{email} already has an account")).into());
        }
        if let Some(m) = &new.manager_id {
            ensure_active_member(&mut tx, org_id, m).await?;
        }
        let id = new.id.unwrap_or_else(uuid::Uuid::now_v7).to_string();
        let now = to_db(Utc::now());
        sqlx::query(
            "INSERT INTO users (org_id, id, email, name, password_hash, manager_id, time_zone, crm_id, active, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, 1, $9, $9)",
        )
        .bind(org_id)
        .bind(&id)
        .bind(&email)
        .bind(&name)
        .bind(new.password_hash)
        .bind(new.manager_id)
        .bind(time_zone)
        .bind(crm_id)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO login_emails (email, org_id, user_id) VALUES ($1, $2, $3)")
            .bind(&email)
            .bind(org_id)
            .bind(&id)
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                if StoreError::is_unique_violation(&e) {
                    FieldError::new("email", format!("{email} already has an account")).into()
                } else {
                    StoreError::from(e)
                }
            })?;
        replace_roles(&mut tx, org_id, &id, &new.roles).await?;
        let user = load_user(&mut tx, org_id, &id).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// The person with this id in this organization.
    pub async fn user(&self, org_id: &str, id: &str) -> Result<User> {
        let mut conn = self.pool.acquire().await?;
        load_user(&mut conn, org_id, id).await
    }

    /// The person with this email in this organization.
    pub async fn user_by_email(&self, org_id: &str, email: &str) -> Result<User> {
        let email = normalize_email(email).map_err(|_| StoreError::NotFound)?;
        let row = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM users WHERE org_id = $1 AND email = $2"
        ))
        .bind(org_id)
        .bind(&email)
        .fetch_optional(&self.pool)
        .await?;
        let mut user = row
            .as_ref()
            .map(from_row)
            .transpose()?
            .ok_or(StoreError::NotFound)?;
        user.roles = self.roles_of(org_id, &user.id).await?;
        Ok(user)
    }

    /// Finds who signs in with `email`, in any organization: the one lookup
    /// made before the organization is known. Returns the organization id,
    /// the person and their password hash.
    pub async fn login_lookup(&self, email: &str) -> Result<Option<(User, Option<String>)>> {
        let Ok(email) = normalize_email(email) else {
            return Ok(None);
        };
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT org_id, user_id FROM login_emails WHERE email = $1")
                .bind(&email)
                .fetch_optional(&self.pool)
                .await?;
        let Some((org_id, user_id)) = row else {
            return Ok(None);
        };
        let hash: Option<(Option<String>,)> =
            sqlx::query_as("SELECT password_hash FROM users WHERE org_id = $1 AND id = $2")
                .bind(&org_id)
                .bind(&user_id)
                .fetch_optional(&self.pool)
                .await?;
        let user = self.user(&org_id, &user_id).await?;
        Ok(Some((user, hash.and_then(|h| h.0))))
    }

    /// People of an organization, in id order (creation order).
    pub async fn users(&self, org_id: &str, filter: &UserFilter) -> Result<Vec<User>> {
        let mut sql = concat!("SELECT ", columns!(), " FROM users WHERE org_id = $1").to_owned();
        let mut binds: Vec<String> = vec![org_id.to_owned()];
        let mut push = |clause: &str, value: String, sql: &mut String| {
            binds.push(value);
            sql.push_str(&clause.replace('?', &format!("${}", binds.len())));
        };
        if let Some(after) = &filter.after {
            push(" AND id > ?", after.clone(), &mut sql);
        }
        if let Some(m) = &filter.manager_id {
            push(" AND manager_id = ?", m.clone(), &mut sql);
        }
        if let Some(role) = filter.role {
            // Per person, by the roles' key: a manager's team need not read
            // every seller of a large organization.
            push(
                " AND EXISTS (SELECT 1 FROM user_roles r WHERE r.org_id = users.org_id AND r.user_id = users.id AND r.role = ?)",
                role.as_str().to_owned(),
                &mut sql,
            );
        }
        if let Some(q) = &filter.search {
            let pattern = format!("%{}%", q.trim().to_lowercase().replace(['%', '_'], ""));
            push(
                " AND (LOWER(name) LIKE ? OR email LIKE ?)",
                pattern.clone(),
                &mut sql,
            );
        }
        if let Some(active) = filter.active {
            sql.push_str(if active {
                " AND active = 1"
            } else {
                " AND active = 0"
            });
        }
        sql.push_str(" ORDER BY id");
        let rows = {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for b in &binds {
                q = q.bind(b.clone());
            }
            q.fetch_all(&self.pool).await?
        };
        let only: Option<std::collections::BTreeSet<&String>> =
            filter.only.as_ref().map(|v| v.iter().collect());
        let mut users = Vec::new();
        for row in &rows {
            let user = from_row(row)?;
            if only.as_ref().is_some_and(|o| !o.contains(&user.id)) {
                continue;
            }
            users.push(user);
            if filter.limit.is_some_and(|l| users.len() >= l) {
                break;
            }
        }
        let mut roles = if users.len() <= 200 {
            let ids: Vec<String> = users.iter().map(|u| u.id.clone()).collect();
            self.roles_of_people(org_id, &ids).await?
        } else {
            self.roles_in_org(org_id).await?
        };
        for u in &mut users {
            u.roles = roles.remove(&u.id).unwrap_or_default();
        }
        Ok(users)
    }

    /// Everyone below `leader_id` in the reporting lines, active or not:
    /// read level by level through the index on the manager, so that
    /// finding a leader's people does not read a large organization.
    pub async fn ids_below(
        &self,
        org_id: &str,
        leader_id: &str,
    ) -> Result<std::collections::BTreeSet<String>> {
        let mut seen = std::collections::BTreeSet::new();
        let mut level = vec![leader_id.to_owned()];
        while !level.is_empty() {
            let mut next = Vec::new();
            for chunk in level.chunks(500) {
                let mut sql =
                    crate::crm::records::Sql::new("SELECT id FROM users WHERE org_id = $1", org_id);
                sql.and_in("manager_id", chunk);
                for row in sql.fetch(self).await? {
                    let id: String = row.try_get("id")?;
                    if id != leader_id && seen.insert(id.clone()) {
                        next.push(id);
                    }
                }
            }
            level = next;
        }
        Ok(seen)
    }

    /// The active people among `ids`, with their roles, by id: a leader's
    /// people (from [`Store::ids_below`]) without reading the organization.
    pub async fn active_people(&self, org_id: &str, ids: &[String]) -> Result<Vec<User>> {
        let mut out: Vec<User> = Vec::new();
        for chunk in ids.chunks(500) {
            let mut sql = crate::crm::records::Sql::new(
                concat!(
                    "SELECT ",
                    columns!(),
                    " FROM users WHERE org_id = $1 AND active = 1"
                ),
                org_id,
            );
            sql.and_within(self.backend(), "id", chunk);
            let mut people = sql
                .fetch(self)
                .await?
                .iter()
                .map(from_row)
                .collect::<Result<Vec<User>>>()?;
            let found: Vec<String> = people.iter().map(|u| u.id.clone()).collect();
            let mut roles = self.roles_of_people(org_id, &found).await?;
            for u in &mut people {
                u.roles = roles.remove(&u.id).unwrap_or_default();
            }
            out.extend(people);
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// Everyone's reporting line in an organization, as a chart.
    pub async fn org_chart(&self, org_id: &str) -> Result<OrgChart> {
        let rows: Vec<(String, Option<String>)> =
            sqlx::query_as("SELECT id, manager_id FROM users WHERE org_id = $1")
                .bind(org_id)
                .fetch_all(&self.pool)
                .await?;
        Ok(OrgChart::new(
            rows.iter().map(|(p, m)| (p.as_str(), m.as_deref())),
        ))
    }

    async fn roles_of(&self, org_id: &str, id: &str) -> Result<Roles> {
        let mut conn = self.pool.acquire().await?;
        roles_of(&mut conn, org_id, id).await
    }

    async fn roles_in_org(&self, org_id: &str) -> Result<BTreeMap<String, Roles>> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT user_id, role FROM user_roles WHERE org_id = $1")
                .bind(org_id)
                .fetch_all(&self.pool)
                .await?;
        Ok(roles_by_user(rows))
    }

    /// The roles of a few people.
    async fn roles_of_people(
        &self,
        org_id: &str,
        ids: &[String],
    ) -> Result<BTreeMap<String, Roles>> {
        let mut sql = crate::crm::records::Sql::new(
            "SELECT user_id, role FROM user_roles WHERE org_id = $1",
            org_id,
        );
        sql.and_in("user_id", ids);
        let rows = sql
            .fetch(self)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("user_id")?, r.try_get("role")?)))
            .collect::<Result<Vec<(String, String)>>>()?;
        Ok(roles_by_user(rows))
    }
}

/// Roles grouped by person.
fn roles_by_user(rows: Vec<(String, String)>) -> BTreeMap<String, Roles> {
    let mut by_user: BTreeMap<String, Vec<Role>> = BTreeMap::new();
    for (user, role) in rows {
        if let Ok(r) = role.parse() {
            by_user.entry(user).or_default().push(r);
        }
    }
    by_user
        .into_iter()
        .map(|(u, r)| (u, Roles::new(r)))
        .collect()
}

pub(super) async fn ensure_active_member(
    tx: &mut Transaction<'static, Any>,
    org_id: &str,
    id: &str,
) -> Result<()> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT active FROM users WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
    match row {
        Some((1,)) => Ok(()),
        Some(_) => Err(FieldError::new("manager_id", "that manager is deactivated").into()),
        None => Err(FieldError::new("manager_id", "no such person in this organization").into()),
    }
}

pub(super) async fn replace_roles(
    tx: &mut Transaction<'static, Any>,
    org_id: &str,
    id: &str,
    roles: &Roles,
) -> Result<()> {
    sqlx::query("DELETE FROM user_roles WHERE org_id = $1 AND user_id = $2")
        .bind(org_id)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    for role in roles.iter() {
        sqlx::query("INSERT INTO user_roles (org_id, user_id, role) VALUES ($1, $2, $3)")
            .bind(org_id)
            .bind(id)
            .bind(role.as_str())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

pub(super) async fn roles_of(
    conn: &mut sqlx::AnyConnection,
    org_id: &str,
    id: &str,
) -> Result<Roles> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT role FROM user_roles WHERE org_id = $1 AND user_id = $2")
            .bind(org_id)
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    Ok(Roles::new(
        rows.into_iter().filter_map(|(r,)| r.parse().ok()),
    ))
}

pub(super) async fn load_user(
    conn: &mut sqlx::AnyConnection,
    org_id: &str,
    id: &str,
) -> Result<User> {
    let row = sqlx::query(concat!(
        "SELECT ",
        columns!(),
        " FROM users WHERE org_id = $1 AND id = $2"
    ))
    .bind(org_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let mut user = row
        .as_ref()
        .map(from_row)
        .transpose()?
        .ok_or(StoreError::NotFound)?;
    user.roles = roles_of(conn, org_id, id).await?;
    Ok(user)
}
