//! What each command does.

use crate::cli::{Command, OrgCommand, TokenCommand, UserCommand};
use crate::config::{Config, redact};
use anyhow::{Context as _, anyhow, bail};
use coach_core::{Role, Roles, validate_password};
use coach_store::{NewUser, Store, StoreError, UserFilter};
use coach_web::{Application, PasswordCost, WebConfig, hash_password};
use std::io::{BufRead as _, IsTerminal as _};

/// Runs one command.
pub async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve(args) => {
            let store = open(&config).await?;
            serve(store, &config, args.trust_forwarded_for).await
        }
        Command::Demo(args) => {
            let store = open(&config).await?;
            let created = crate::demo::ensure(&store, args.reset).await?;
            print_demo(&config, created);
            if args.no_serve {
                Ok(())
            } else {
                serve(store, &config, false).await
            }
        }
        Command::Migrate => {
            let store = connect(&config).await?;
            let applied = store.migrate().await?;
            println!(
                "Schema up to date ({applied} migration{} applied).",
                if applied == 1 { "" } else { "s" }
            );
            Ok(())
        }
        Command::Org(OrgCommand::Create(a)) => {
            let store = open(&config).await?;
            let password = read_password(a.password_stdin, "Password for the first admin")?;
            let hash = hash_password(password, PasswordCost::Default)
                .await
                .map_err(|e| anyhow!(e))?;
            let org = store
                .create_org(&a.slug, &a.name, &a.time_zone)
                .await
                .map_err(explain)?;
            let new = NewUser {
                email: a.admin_email,
                name: a.admin_name,
                roles: Roles::new([Role::Admin]),
                password_hash: Some(hash),
                ..NewUser::default()
            };
            let admin = match store.create_user(&org.id, new).await {
                Ok(a) => a,
                Err(e) => {
                    store.delete_org(&org.id).await?;
                    return Err(explain(e));
                }
            };
            println!(
                "Created organization {} ({}) with admin {}.",
                org.name, org.slug, admin.email
            );
            Ok(())
        }
        Command::User(UserCommand::Add(a)) => {
            let store = open(&config).await?;
            let org = org(&store, &a.org).await?;
            let roles = a
                .roles
                .iter()
                .map(|r| r.parse::<Role>())
                .collect::<Result<Vec<_>, _>>()?;
            let manager_id = match &a.manager {
                Some(email) => Some(person(&store, &org, email).await?.id),
                None => None,
            };
            let password_hash = if a.password_stdin {
                let p = read_password(true, "")?;
                Some(
                    hash_password(p, PasswordCost::Default)
                        .await
                        .map_err(|e| anyhow!(e))?,
                )
            } else {
                None
            };
            let new = NewUser {
                email: a.email,
                name: a.name,
                roles: Roles::new(roles),
                manager_id,
                time_zone: a.time_zone,
                password_hash,
                crm_id: a.crm_id,
                id: None,
            };
            let user = store.create_user(&org.id, new).await.map_err(explain)?;
            println!(
                "Added {} <{}> ({}).",
                user.name,
                user.email,
                user.roles.labels()
            );
            if !a.password_stdin {
                println!(
                    "They cannot sign in until a password is set: coach user set-password --org {} --email {}",
                    org.slug, user.email
                );
            }
            Ok(())
        }
        Command::User(UserCommand::List(a)) => {
            let store = open(&config).await?;
            let org = org(&store, &a.org).await?;
            let users = store.users(&org.id, &UserFilter::default()).await?;
            let email_of = |id: &Option<String>| {
                id.as_ref()
                    .and_then(|id| users.iter().find(|u| &u.id == id))
                    .map(|u| u.email.clone())
            };
            if a.json {
                let rows: Vec<serde_json::Value> = users
                    .iter()
                    .map(|u| serde_json::json!({"id": u.id, "email": u.email, "name": u.name, "roles": u.roles.names(), "manager": email_of(&u.manager_id), "time_zone": u.time_zone, "active": u.active}))
                    .collect();
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                println!(
                    "{:<32} {:<24} {:<20} {:<32} STATUS",
                    "EMAIL", "NAME", "ROLES", "REPORTS TO"
                );
                for u in &users {
                    println!(
                        "{:<32} {:<24} {:<20} {:<32} {}",
                        u.email,
                        u.name,
                        u.roles.names().join(","),
                        email_of(&u.manager_id).unwrap_or_else(|| "-".to_owned()),
                        if u.active { "active" } else { "deactivated" }
                    );
                }
            }
            Ok(())
        }
        Command::User(UserCommand::SetPassword(a)) => {
            let store = open(&config).await?;
            let org = org(&store, &a.org).await?;
            let user = person(&store, &org, &a.email).await?;
            let password = read_password(a.password_stdin, "New password")?;
            let hash = hash_password(password, PasswordCost::Default)
                .await
                .map_err(|e| anyhow!(e))?;
            store.set_password_hash(&org.id, &user.id, &hash).await?;
            println!(
                "Password set for {}; their sessions were ended.",
                user.email
            );
            Ok(())
        }
        Command::Token(TokenCommand::Create(a)) => {
            let store = open(&config).await?;
            let org = org(&store, &a.org).await?;
            let user = person(&store, &org, &a.email).await?;
            let (secret, token) = store
                .create_token(&org.id, &user.id, &a.name)
                .await
                .map_err(explain)?;
            eprintln!(
                "Token {} for {} (shown once; store it safely):",
                token.id, user.email
            );
            println!("{secret}");
            Ok(())
        }
        Command::Token(TokenCommand::List(a)) => {
            let store = open(&config).await?;
            let org = org(&store, &a.org).await?;
            let user = person(&store, &org, &a.email).await?;
            println!("{:<38} {:<24} {:<14} STATUS", "ID", "NAME", "STARTS WITH");
            for t in store.tokens_of(&org.id, &user.id).await? {
                println!(
                    "{:<38} {:<24} {:<14} {}",
                    t.id,
                    t.name,
                    t.prefix,
                    if t.revoked_at.is_some() {
                        "revoked"
                    } else {
                        "active"
                    }
                );
            }
            Ok(())
        }
        Command::Import(a) => {
            let store = open(&config).await?;
            let org = org(&store, &a.org).await?;
            crate::transfer::import(&store, &org, a).await
        }
        Command::Email(command) => {
            let store = open(&config).await?;
            crate::mail::command(&store, &config, command).await
        }
        Command::History(a) => {
            let store = open(&config).await?;
            let org = org(&store, &a.org).await?;
            crate::history::command(&store, &org, &a).await
        }
        Command::Plan(a) => {
            let store = open(&config).await?;
            let org = org(&store, &a.org).await?;
            crate::rhythm::plan_command(&store, &org, a).await
        }
        Command::Export(a) => {
            let store = open(&config).await?;
            let org = org(&store, &a.org).await?;
            crate::transfer::export(&store, &org, a).await
        }
        Command::Token(TokenCommand::Revoke(a)) => {
            let store = open(&config).await?;
            let org = org(&store, &a.org).await?;
            let user = person(&store, &org, &a.email).await?;
            store
                .revoke_token(&org.id, &user.id, &a.id)
                .await
                .map_err(|e| match e {
                    StoreError::NotFound => {
                        anyhow!("{} has no active token with id {}", user.email, a.id)
                    }
                    other => anyhow!(other),
                })?;
            println!("Token {} revoked.", a.id);
            Ok(())
        }
    }
}

fn explain(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::Invalid(f) => anyhow!("{}: {}", f.field, f.message),
        other => anyhow!(other),
    }
}

async fn person(
    store: &Store,
    org: &coach_store::Organization,
    email: &str,
) -> anyhow::Result<coach_store::User> {
    store
        .user_by_email(&org.id, email)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => anyhow!("no person with email {email} in {}", org.slug),
            other => anyhow!(other),
        })
}

async fn org(store: &Store, slug: &str) -> anyhow::Result<coach_store::Organization> {
    store.org_by_slug(slug).await.map_err(|e| match e {
        StoreError::NotFound => anyhow!("no organization with slug {slug:?}"),
        other => anyhow!(other),
    })
}

async fn connect(config: &Config) -> anyhow::Result<Store> {
    if config.database_url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir).with_context(|| {
            format!("cannot create data directory {}", config.data_dir.display())
        })?;
    }
    Store::connect(&config.database_url).await.with_context(|| {
        format!(
            "cannot open the database at {}",
            redact(&config.database_url)
        )
    })
}

/// Connects and brings the schema up to date.
async fn open(config: &Config) -> anyhow::Result<Store> {
    let store = connect(config).await?;
    let applied = store
        .migrate()
        .await
        .context("cannot bring the database schema up to date")?;
    if applied > 0 {
        tracing::info!(applied, "database schema migrated");
    }
    Ok(store)
}

async fn serve(store: Store, config: &Config, trust_forwarded_for: bool) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(&config.bind)
        .await
        .with_context(|| format!("cannot listen on {}", config.bind))?;
    let bound = listener.local_addr()?;
    let base_url = if config.base_url_given {
        config.base_url.clone()
    } else {
        format!("http://{bound}")
    };
    let mut web = WebConfig::new(base_url.clone());
    web.trust_forwarded_for = trust_forwarded_for;
    web.email_enabled = config.smtp_url.is_some();
    web.email_from = config.smtp_from.clone();
    let mailer = match &config.smtp_url {
        Some(url) => {
            web.email_server = coach_web::email::smtp_server_label(url);
            tracing::info!(server = %web.email_server, from = %config.smtp_from, "email is on");
            let mailer = coach_web::email::Mailer::new(url, &config.smtp_from)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            Some(std::sync::Arc::new(mailer))
        }
        None => None,
    };
    // The email loop's pace; tests make it quick.
    let mut timing = coach_web::email::Timing::default();
    let number = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    if let Some(ms) = number("COACH_EMAIL_TICK_MS") {
        timing.tick = std::time::Duration::from_millis(ms);
    }
    if let Some(s) = number("COACH_EMAIL_LEASE_SECS") {
        timing.lease = chrono::Duration::seconds(i64::try_from(s).unwrap_or(60));
    }
    let state = coach_web::AppState::new(store.clone(), web.clone());
    let background = tokio::spawn(coach_web::email::run(state, mailer, timing));
    let app = Application::build(store.clone(), web, listener);
    tracing::info!(bind = %bound, database = %redact(&config.database_url), "serving");
    if base_url == format!("http://{bound}") {
        println!("Coach is listening on http://{bound}");
    } else {
        println!("Coach is listening on http://{bound} (people reach it at {base_url})");
    }
    app.run_until(shutdown_signal()).await?;
    background.abort();
    store.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

/// Reads a password from stdin (`--password-stdin`) or asks for it twice on a terminal.
fn read_password(from_stdin: bool, prompt: &str) -> anyhow::Result<String> {
    let password = if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    } else if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("{prompt}: "))?;
        let second = rpassword::prompt_password("Repeat it: ")?;
        if first != second {
            bail!("the two passwords differ");
        }
        first
    } else {
        bail!(
            "no terminal to ask for a password: pass --password-stdin and write it on standard input"
        );
    };
    validate_password("password", &password).map_err(|e| anyhow!("{}: {}", e.field, e.message))?;
    Ok(password)
}

fn print_demo(config: &Config, created: bool) {
    let base = &config.base_url;
    if created {
        println!("Created the demo organization.");
    } else {
        println!("The demo organization already exists (use --reset to create it anew).");
    }
    println!();
    println!(
        "  Open {base}/ and sign in with any of these (password: {}):",
        crate::demo::PASSWORD
    );
    println!("    admin@demo.example        admin (people, teams, configuration)");
    println!("    director@demo.example     director of all three teams");
    println!(
        "    manager1@demo.example     manager of seller1 … seller8 (manager2: 9–16, manager3: 17–24)"
    );
    println!("    seller1@demo.example      seller (… seller24@demo.example)");
    println!();
}
