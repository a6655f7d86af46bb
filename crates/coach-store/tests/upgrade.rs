//! Reliability T13: upgrading from every earlier schema version gives the
//! schema of a fresh install and keeps the data; a second run changes nothing.
//! Each migration that changes tables adds the rows its version could hold to
//! `rows_at`, written in that version's SQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use coach_store::Store;
use coach_store::testing::{fresh_database, fresh_store};

const ORG: &str = "00000000-0000-7000-8000-0000000000a1";
const ADMIN: &str = "00000000-0000-7000-8000-0000000000b1";
const SELLER: &str = "00000000-0000-7000-8000-0000000000b2";
const ACCOUNT: &str = "00000000-0000-7000-8000-0000000000c1";
const OPPORTUNITY: &str = "00000000-0000-7000-8000-0000000000d1";

/// Rows as a deployment at `version` could hold them.
fn rows_at(version: i64) -> Option<String> {
    let at = "2026-01-02T03:04:05.000000Z";
    match version {
        1 => Some(format!(
            "INSERT INTO organizations (id, slug, name, time_zone, created_at) VALUES ('{ORG}', 'old-org', 'Old Org', 'Europe/Berlin', '{at}');
             INSERT INTO users (org_id, id, email, name, password_hash, manager_id, time_zone, crm_id, active, version, created_at, updated_at)
               VALUES ('{ORG}', '{ADMIN}', 'admin@old.test', 'Old Admin', NULL, NULL, 'Europe/Berlin', NULL, 1, 3, '{at}', '{at}');
             INSERT INTO users (org_id, id, email, name, password_hash, manager_id, time_zone, crm_id, active, version, created_at, updated_at)
               VALUES ('{ORG}', '{SELLER}', 'seller@old.test', 'Old Seller', NULL, '{ADMIN}', 'UTC', '005000000000001', 0, 1, '{at}', '{at}');
             INSERT INTO login_emails (email, org_id, user_id) VALUES ('admin@old.test', '{ORG}', '{ADMIN}');
             INSERT INTO login_emails (email, org_id, user_id) VALUES ('seller@old.test', '{ORG}', '{SELLER}');
             INSERT INTO user_roles (org_id, user_id, role) VALUES ('{ORG}', '{ADMIN}', 'admin');
             INSERT INTO user_roles (org_id, user_id, role) VALUES ('{ORG}', '{ADMIN}', 'manager');
             INSERT INTO user_roles (org_id, user_id, role) VALUES ('{ORG}', '{SELLER}', 'seller');"
        )),
        2 => Some(format!(
            "{}
             INSERT INTO crm_stage_map (org_id, crm_key, crm_stage, stage) VALUES ('{ORG}', 'verbal commit', 'Verbal Commit', 'mitigate_risks');",
            rows_at(1)?
        )),
        3 => Some(format!(
            "{}
             INSERT INTO accounts (org_id, id, source_id, name, owner_id, potential, currency, key_account, version, created_at, updated_at)
               VALUES ('{ORG}', '{ACCOUNT}', '001A0000006Vm9r', 'Old Account', '{SELLER}', '1000.50', 'EUR', 1, 1, '{at}', '{at}');
             INSERT INTO opportunities (org_id, id, source_id, name, owner_id, account_id, amount, currency, stage, crm_stage, version, created_at, updated_at)
               VALUES ('{ORG}', '{OPPORTUNITY}', '006A000000XyZaB', 'Old Deal', '{SELLER}', '{ACCOUNT}', '12500.00', 'EUR', 'mitigate_risks', 'Verbal Commit', 1, '{at}', '{at}');
             INSERT INTO opportunity_stages (org_id, opportunity_id, changed_at, seq, stage, crm_stage)
               VALUES ('{ORG}', '{OPPORTUNITY}', '{at}', 1, 'mitigate_risks', 'Verbal Commit');",
            rows_at(2)?
        )),
        4 => Some(format!(
            "{}
             UPDATE organizations SET roa_seeded = 1 WHERE id = '{ORG}';
             INSERT INTO roa_measures (org_id, id, level, name, name_key, description, unit, metric, position, created_at)
               VALUES ('{ORG}', 'r1', 'result', 'Revenue', 'revenue', '', 'money', 'revenue_won', 1, '{at}');
             INSERT INTO roa_measures (org_id, id, level, name, name_key, description, unit, metric, position, created_at)
               VALUES ('{ORG}', 'o1', 'objective', 'Close rate', 'close rate', '', 'percent', 'close_rate', 2, '{at}');
             INSERT INTO roa_objective_results (org_id, objective_id, result_id) VALUES ('{ORG}', 'o1', 'r1');
             INSERT INTO activity_types (org_id, id, name, name_key, grp, description, active, crm_source, position, version, created_at, updated_at)
               VALUES ('{ORG}', 't1', 'Demo held', 'demo held', 'opportunity', '', 1, 'call:demo', 1, 2, '{at}', '{at}');
             INSERT INTO activity_type_objectives (org_id, activity_type_id, objective_id) VALUES ('{ORG}', 't1', 'o1');
             INSERT INTO activity_standards (org_id, activity_type_id, seq, quantity, per, team_id, rubric, effective_on, created_by, created_at)
               VALUES ('{ORG}', 't1', 1, 2, 'week', NULL, '{{\"criteria\":[{{\"name\":\"Fit\",\"levels\":[\"Weak\",\"Good\"]}}],\"good_level\":2}}', '2026-01-01', NULL, '{at}');
             INSERT INTO activities (org_id, id, activity_type_id, seller_id, occurred_on, note, call_id, opportunity_id, logged_by, created_at)
               VALUES ('{ORG}', 'a1', 't1', '{SELLER}', '2026-01-02', 'Old demo', NULL, NULL, '{SELLER}', '{at}');
             INSERT INTO activity_scores (org_id, activity_id, seller_id, activity_type_id, occurred_on, standard_seq, levels, comment, scored_by, scored_at)
               VALUES ('{ORG}', 'a1', '{SELLER}', 't1', '2026-01-02', 1, '[2]', 'Good', '{ADMIN}', '{at}');
             INSERT INTO roa_targets (org_id, measure_id, period, scope, value, set_by, set_at)
               VALUES ('{ORG}', 'o1', '2026-01', 'org', '40', '{ADMIN}', '{at}');",
            rows_at(3)?
        )),
        5 => Some(format!(
            "{}
             UPDATE organizations SET coaching_seeded = 1, feedback_min_answers = 3 WHERE id = '{ORG}';
             INSERT INTO coaching_sessions (org_id, id, kind, manager_id, seller_id, observer_id, series_id, ad_hoc, status, starts_at, minutes,
               original_starts_at, desired_outcome, prep_due_on, seller_prepared_at, manager_prepared_at, prep_minutes, agenda_agreed_at,
               agenda_reviewed_at, phase, cancel_reason, version, created_by, created_at, updated_at)
               VALUES ('{ORG}', 's1', 'account', '{ADMIN}', '{SELLER}', NULL, NULL, 0, 'held', '{at}', 60, NULL, 'A plan', '2026-01-01',
               NULL, NULL, 30, '{at}', '{at}', 'closing', '', 4, '{ADMIN}', '{at}', '{at}');
             INSERT INTO agenda_items (org_id, id, session_id, section, position, title, minutes, subject_kind, subject_id, decision,
               spent_seconds, timer_started_at, added_by, version, created_at, updated_at)
               VALUES ('{ORG}', 'i1', 's1', 'focus', 1, 'Old Account', 20, 'account', '{ACCOUNT}', 'Grow it', 600, NULL, '{ADMIN}', 2, '{at}', '{at}');
             INSERT INTO session_notes (org_id, id, session_id, author_id, shared, body, version, created_at, updated_at)
               VALUES ('{ORG}', 'n1', 's1', '{SELLER}', 0, 'Private', 3, '{at}', '{at}');
             INSERT INTO action_items (org_id, id, session_id, seller_id, owner_id, title, subject_kind, subject_id, due_on, status, closed_on,
               created_by, version, created_at, updated_at)
               VALUES ('{ORG}', 'x1', 's1', '{SELLER}', '{SELLER}', 'Call the CFO', NULL, NULL, '2026-01-09', 'done', '2026-01-08', '{SELLER}', 2, '{at}', '{at}');
             INSERT INTO session_feedback (org_id, session_id, seller_id, manager_id, most_valuable, could_be_better, rating, would_pay, created_at)
               VALUES ('{ORG}', 's1', '{SELLER}', '{ADMIN}', 'Focus', '', 5, 1, '{at}');",
            rows_at(4)?
        )),
        6 => Some(format!(
            "{}
             INSERT INTO call_plans (org_id, id, seller_id, opportunity_id, session_id, stage, planned_for, objective, desired_outcome, agenda,
               questions, solutions, interests, objections, opening, next_step, outcome, next_step_won, outcome_at, attended_by, feedback,
               feedback_at, version, created_by, created_at, updated_at)
               VALUES ('{ORG}', 'c1', '{SELLER}', '{OPPORTUNITY}', 's1', 'mitigate_risks', '2026-01-05', 'Close the concerns', '', '[[\"Open\",5]]',
               'What worries you?', '', '', '', '', 'Sign', 'Signed', 1, '{at}', '{ADMIN}', 'Well done', '{at}', 3, '{SELLER}', '{at}', '{at}');",
            rows_at(5)?
        )),
        7 => Some(format!(
            "{}
             UPDATE organizations SET formal_plan_min_amount = '50000', formal_plan_currency = 'EUR', formal_plan_min_importance = NULL WHERE id = '{ORG}';
             INSERT INTO opportunity_plans (org_id, id, stage, buying_process, decision_makers, needs, budget, criteria, competitors, view_of_ours,
               view_of_competitors, terms, implementation, concerns, open_concerns, verdict, verdict_reasons, negotiation_started_at,
               negotiation_started_by, negotiation_override, version, updated_by, created_at, updated_at)
               VALUES ('{ORG}', '{OPPORTUNITY}', 'establish_criteria', 'RFP', 'CFO', 'Speed', '12k', '', '', '', '', '', '',
               '[{{\"text\":\"Price\",\"response\":\"\",\"addressed\":false}}]', 1, 'pursue', 'Sponsor', NULL, NULL, NULL, 2, '{SELLER}', '{at}', '{at}');
             INSERT INTO opportunity_stage_moves (org_id, opportunity_id, seq, from_stage, to_stage, moved_by, moved_at)
               VALUES ('{ORG}', '{OPPORTUNITY}', 1, 'identify_needs', 'establish_criteria', '{SELLER}', '{at}');",
            rows_at(6)?
        )),
        8 => Some(format!(
            "{}
             INSERT INTO territory_plans (org_id, seller_id, criteria, a_share, b_share, calls_a, calls_b, calls_c, messaging, version,
               updated_by, created_at, updated_at)
               VALUES ('{ORG}', '{SELLER}', '[{{\"measure\":\"won\",\"weight\":3}}]', 25, 25, '3', '1.5', '0', '[]', 2, '{ADMIN}', '{at}', '{at}');
             INSERT INTO territory_tiers (org_id, seller_id, account_id, tier, reason, set_by, set_at)
               VALUES ('{ORG}', '{SELLER}', '{ACCOUNT}', 'b', 'Merger pending', '{ADMIN}', '{at}');",
            rows_at(7)?
        )),
        9 => Some(format!(
            "{}
             UPDATE organizations SET key_accounts_need_plan = 1 WHERE id = '{ORG}';
             UPDATE coaching_sessions SET focus = 'strategic' WHERE org_id = '{ORG}' AND id = 's1';
             INSERT INTO account_plans (org_id, id, assessment, goals, mutual_value, people, actions, version, updated_by, created_at, updated_at)
               VALUES ('{ORG}', '{ACCOUNT}', 'Solid', 'Grow', 'Shared', '[{{\"name\":\"Dana\",\"title\":\"\",\"role\":\"decision_maker\",\"stance\":\"supporter\",\"relationship\":\"strong\"}}]',
               '[{{\"activity\":\"Brief\",\"time_frame\":\"\",\"resources\":\"\",\"owner\":\"\",\"status\":\"done\"}}]', 3, '{SELLER}', '{at}', '{at}');",
            rows_at(8)?
        )),
        10 => Some(format!(
            "{}
             INSERT INTO cadence_policies (org_id, scope, kind, every_weeks, minutes, updated_by, updated_at)
               VALUES ('{ORG}', '', 'account', 6, 45, '{ADMIN}', '{at}');
             INSERT INTO rhythm_settings (org_id, user_id, day_start, day_end, minutes_per_week, coaching_days, break_minutes,
               prep_percent, weekly_calls, days_off, busy_url, busy_read_at, updated_at)
               VALUES ('{ORG}', '{ADMIN}', '08:30', '16:30', 600, 'tue,thu', 10, 80, 1, '2026-12-24', '', '{at}', '{at}');
             INSERT INTO busy_times (org_id, user_id, starts_at, ends_at, source)
               VALUES ('{ORG}', '{ADMIN}', '2030-01-07T09:00:00.000000Z', '2030-01-07T10:00:00.000000Z', 'upload');
             INSERT INTO coaching_series (org_id, id, manager_id, seller_id, kind, every_weeks, minutes, prep_minutes, time_zone,
               first_at, slot_count, ended_at, sequence, created_by, created_at, updated_at)
               VALUES ('{ORG}', 'r1', '{ADMIN}', '{SELLER}', 'account', 4, 60, 60, 'Europe/Berlin', '{at}', 3, NULL, 2, '{ADMIN}', '{at}', '{at}');
             UPDATE coaching_sessions SET series_id = 'r1', slot_at = '{at}', prep_starts_at = '2026-01-02T02:04:05.000000Z'
               WHERE org_id = '{ORG}' AND id = 's1';
             INSERT INTO calendar_feeds (org_id, user_id, secret, created_at) VALUES ('{ORG}', '{ADMIN}', 'old-feed-secret', '{at}');",
            rows_at(9)?
        )),
        11 => Some(format!(
            "{}
             UPDATE organizations SET email_required = 'invitation,weekly_digest', prep_reminder_hours = 12 WHERE id = '{ORG}';
             INSERT INTO outbox (org_id, id, kind, recipient_id, about, detail, dedupe, created_at, send_after, expires_at,
               attempts, claimed_by, claimed_until, sent_at, dropped_at, last_error)
               VALUES ('{ORG}', 'm1', 'session_reminder', '{SELLER}', 's1', '', 'session_reminder:s1', '{at}', '{at}', '{at}',
               1, NULL, NULL, NULL, NULL, '451 try later');
             INSERT INTO email_preferences (org_id, user_id, kind, enabled, updated_at)
               VALUES ('{ORG}', '{SELLER}', 'action_items', 0, '{at}');
             INSERT INTO unsubscribe_links (org_id, user_id, kind, secret, created_at)
               VALUES ('{ORG}', '{ADMIN}', 'session_reminder', 'old-unsubscribe-secret', '{at}');
             INSERT INTO jobs (org_id, name, leased_by, leased_until, last_run_at) VALUES ('{ORG}', 'reminders', NULL, NULL, '{at}');",
            rows_at(10)?
        )),
        12 => Some(format!(
            "{}
             UPDATE organizations SET band_low_minutes = 90, band_high_minutes = 300 WHERE id = '{ORG}';
             UPDATE agenda_items SET inspection = 1 WHERE org_id = '{ORG}' AND id = 'i1';",
            rows_at(11)?
        )),
        _ => None,
    }
}

async fn check_the_data_is_kept(store: &Store, seeded_at: i64) {
    if seeded_at >= 1 {
        use coach_core::email::EmailKind;
        let settings = store.email_settings(ORG).await.unwrap();
        let prefs = store.email_preferences(ORG, SELLER).await.unwrap();
        if seeded_at >= 11 {
            assert_eq!(
                (settings.required, settings.prep_reminder_hours),
                (vec![EmailKind::Invitation, EmailKind::WeeklyDigest], 12)
            );
            let queued = store.messages_for(ORG, SELLER).await.unwrap();
            assert_eq!(
                (
                    queued.len(),
                    queued[0].attempts,
                    queued[0].last_error.as_str()
                ),
                (1, 1, "451 try later")
            );
            assert!(!prefs[&EmailKind::ActionItems]);
            assert_eq!(
                store
                    .unsubscribe_link("old-unsubscribe-secret")
                    .await
                    .unwrap(),
                Some((ORG.to_owned(), ADMIN.to_owned(), EmailKind::SessionReminder))
            );
        } else {
            // An organization from before email: nothing required, a day's
            // notice, everyone gets everything.
            assert_eq!(
                (settings.required.len(), settings.prep_reminder_hours),
                (0, 24)
            );
            assert!(prefs.values().all(|on| *on));
        }
    }
    if seeded_at >= 3 {
        let deal = store.opportunity(ORG, OPPORTUNITY).await.unwrap();
        assert_eq!(
            (
                deal.amount.as_deref(),
                deal.account_name.as_deref(),
                deal.owner_id.as_str()
            ),
            (Some("12500.00"), Some("Old Account"), SELLER)
        );
        assert_eq!(
            store.stage_history(ORG, OPPORTUNITY).await.unwrap().len(),
            1
        );
        assert!(store.account(ORG, ACCOUNT).await.unwrap().key_account);
    }
    let model = store.roa_model(ORG).await.unwrap();
    if seeded_at >= 4 {
        let t = model.activity_type("t1").unwrap();
        assert_eq!(
            (t.name.as_str(), t.drives.as_slice(), t.version),
            ("Demo held", &["o1".to_owned()][..], 2)
        );
        assert_eq!(
            t.current().unwrap().rubric.criteria[0].levels,
            ["Weak", "Good"]
        );
        let a = store.activity(ORG, "a1").await.unwrap();
        assert_eq!(a.score.unwrap().levels, [2]);
        assert_eq!(store.targets(ORG, None).await.unwrap().len(), 1);
    } else {
        // Organizations that existed before version 4 get the default model.
        assert_eq!(model.activity_types.len(), 6);
        assert!(model.activity_types.iter().all(|t| t.active));
    }
    if seeded_at >= 5 {
        let s = store.coaching_session(ORG, "s1").await.unwrap();
        assert_eq!(
            (s.status, s.minutes, s.prep_minutes, s.version),
            (coach_core::coaching::SessionStatus::Held, 60, 30, 4)
        );
        let agenda = store.agenda(ORG, "s1").await.unwrap();
        // Checking numbers (R15) was marked from version 12; older items
        // are coaching.
        assert_eq!(agenda[0].inspection, seeded_at >= 12);
        let band = store.coaching_settings(ORG).await.unwrap().band;
        assert_eq!(
            (band.low_minutes, band.high_minutes),
            if seeded_at >= 12 {
                (90, 300)
            } else {
                (120, 360)
            }
        );
        assert_eq!(
            (
                agenda[0].decision.as_str(),
                agenda[0].subject_name.as_deref()
            ),
            ("Grow it", Some("Old Account"))
        );
        assert_eq!(
            store.notes(ORG, "s1", SELLER).await.unwrap()[0].body,
            "Private"
        );
        assert!(store.notes(ORG, "s1", ADMIN).await.unwrap().is_empty());
        let item = store.action_item(ORG, "x1").await.unwrap();
        assert_eq!(item.closed_on, NaiveDate::from_ymd_opt(2026, 1, 8));
        assert_eq!(store.feedback_answers(ORG, ADMIN).await.unwrap().len(), 1);
        assert_eq!(
            store
                .coaching_settings(ORG)
                .await
                .unwrap()
                .feedback_min_answers,
            3
        );
        if seeded_at >= 6 {
            let plan = store.call_plan(ORG, "c1").await.unwrap();
            assert_eq!(
                (
                    plan.agenda.clone(),
                    plan.next_step_won,
                    plan.observed(),
                    plan.version
                ),
                (vec![("Open".to_owned(), 5)], Some(true), true, 3)
            );
        }
        if seeded_at >= 7 {
            use coach_core::opportunity_plans::Known as _;
            let plan = store.opportunity_plan(ORG, OPPORTUNITY).await.unwrap();
            assert_eq!(
                (
                    plan.stage,
                    plan.open_concerns(),
                    plan.version,
                    plan.verdict_reasons.as_str()
                ),
                (
                    coach_core::crm::BuyingStage::EstablishCriteria,
                    1,
                    2,
                    "Sponsor"
                )
            );
            assert_eq!(store.stage_moves(ORG, OPPORTUNITY).await.unwrap().len(), 1);
            let rules = store.formality(ORG).await.unwrap();
            assert_eq!(
                (rules.currency.as_deref(), rules.min_importance),
                (Some("EUR"), None)
            );
        } else if seeded_at >= 3 {
            assert_eq!(
                store
                    .opportunity_plan(ORG, OPPORTUNITY)
                    .await
                    .unwrap()
                    .version,
                0
            );
            assert_eq!(
                store.formality(ORG).await.unwrap(),
                coach_core::opportunity_plans::Formality::default()
            );
        }
        if seeded_at >= 10 {
            let cadence = store.cadence(ORG, None).await.unwrap();
            let account = cadence
                .iter()
                .find(|r| r.kind == coach_core::coaching::SessionKind::Account)
                .unwrap();
            assert_eq!((account.every_weeks, account.minutes), (6, 45));
            let settings = store.rhythm_settings(ORG, ADMIN).await.unwrap();
            assert_eq!(
                (
                    settings.minutes,
                    settings.prep_percent,
                    settings.weekly_calls,
                    settings.days_off.len()
                ),
                (600, 80, true, 1)
            );
            let series = store.series_of_manager(ORG, ADMIN, true).await.unwrap();
            assert_eq!(
                (series.len(), series[0].slot_count, series[0].sequence),
                (1, 3, 2)
            );
            let s = store.coaching_session(ORG, "s1").await.unwrap();
            assert_eq!(s.series_id.as_deref(), Some("r1"));
            assert!(s.prep_starts_at.is_some());
            assert_eq!(
                store.calendar_owner("old-feed-secret").await.unwrap(),
                Some((ORG.to_owned(), ADMIN.to_owned()))
            );
        } else {
            assert!(
                store
                    .series_of_manager(ORG, ADMIN, true)
                    .await
                    .unwrap()
                    .is_empty()
            );
            assert_eq!(
                store.rhythm_settings(ORG, ADMIN).await.unwrap(),
                coach_store::rhythm::RhythmSettings::default()
            );
        }
        if seeded_at >= 9 {
            let plan = store.account_plan(ORG, ACCOUNT).await.unwrap();
            assert_eq!(
                (
                    plan.people[0].name.as_str(),
                    plan.actions.len(),
                    plan.version
                ),
                ("Dana", 1, 3)
            );
            assert!(store.key_accounts_need_plan(ORG).await.unwrap());
            assert_eq!(
                store.coaching_session(ORG, "s1").await.unwrap().focus,
                Some(coach_core::account_plans::Focus::Strategic)
            );
        } else {
            assert_eq!(store.account_plan(ORG, ACCOUNT).await.unwrap().version, 0);
            assert!(!store.key_accounts_need_plan(ORG).await.unwrap());
        }
        if seeded_at >= 8 {
            let plan = store.territory_plan(ORG, SELLER).await.unwrap();
            assert_eq!(
                (
                    plan.scheme.a_share,
                    plan.pattern.b.to_string(),
                    plan.version
                ),
                (25, "1.5".to_owned(), 2)
            );
            let tiers = store.tier_changes(ORG, SELLER).await.unwrap();
            assert_eq!(tiers[ACCOUNT].reason, "Merger pending");
        } else {
            assert_eq!(store.territory_plan(ORG, SELLER).await.unwrap().version, 0);
        }
    } else {
        // Organizations that existed before version 5 get the question bank.
        assert!(!store.question_bank(ORG, None).await.unwrap().is_empty());
    }
    let org = store.org_by_slug("old-org").await.unwrap();
    assert_eq!(
        (org.id.as_str(), org.time_zone.as_str()),
        (ORG, "Europe/Berlin")
    );
    let admin = store.user(ORG, ADMIN).await.unwrap();
    assert_eq!(admin.roles.names(), ["admin", "manager"]);
    assert_eq!(admin.version, 3);
    let seller = store.user_by_email(ORG, "seller@old.test").await.unwrap();
    assert_eq!(seller.manager_id.as_deref(), Some(ADMIN));
    assert_eq!(seller.crm_id.as_deref(), Some("005000000000001"));
    assert!(!seller.active);
    let map = store.crm_stage_map(ORG).await.unwrap();
    if seeded_at < 2 {
        // Organizations that existed before version 2 start from the default stage map.
        assert_eq!(map, coach_core::crm::StageMap::default_for_common_crms());
    } else {
        assert_eq!(
            map.stage("verbal commit"),
            Ok(coach_core::crm::BuyingStage::MitigateRisks)
        );
    }
}

#[tokio::test]
async fn upgrading_from_every_earlier_version_gives_the_fresh_schema_and_keeps_the_data() {
    let (fresh, _fresh_db) = fresh_store().await;
    let target = fresh.schema_fingerprint().await.unwrap();
    assert!(target.len() > 10, "{target:?}");
    assert!(
        target
            .iter()
            .any(|l| l.contains("users") && l.contains("manager_id")),
        "{target:?}"
    );
    assert!(
        target.iter().any(|l| l.contains("login_attempts_by_time")),
        "indexes are part of it: {target:?}"
    );
    let versions = fresh.known_migrations();
    let mut starts = vec![0];
    starts.extend(versions.iter().copied());
    let mut seeded_any = false;
    for start in starts {
        let db = fresh_database().await;
        let store = Store::connect(&db.url).await.unwrap();
        if start > 0 {
            store.migrate_to(start).await.unwrap();
        }
        let seed = (1..=start)
            .rev()
            .find_map(|v| rows_at(v).map(|sql| (v, sql)));
        if let Some((_, sql)) = &seed {
            store.execute_raw(sql).await.unwrap();
            seeded_any = true;
        }
        store.migrate().await.unwrap();
        assert_eq!(
            store.schema_fingerprint().await.unwrap(),
            target,
            "upgrading from version {start}"
        );
        assert_eq!(
            store.migrate().await.unwrap(),
            0,
            "a second run from version {start} changes nothing"
        );
        if let Some((version, _)) = seed {
            check_the_data_is_kept(&store, version).await;
        }
        store.close().await;
    }
    assert!(
        seeded_any,
        "at least one version carries data through the upgrade"
    );
}
