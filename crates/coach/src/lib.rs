//! The `coach` binary as a library: command line, configuration, wiring of
//! store and server, and the demo organization generator.

mod cli;
mod commands;
mod config;
pub mod demo;
mod demo_coaching;
mod demo_crm;
mod demo_roa;
mod history;
mod mail;
mod rhythm;
mod transfer;

use clap::Parser as _;
use std::process::ExitCode;

/// Runs the command line; the exit status is 0 on success, 1 on failure
/// (with a message on stderr) and 2 on a usage error.
pub fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let config = match config::Config::resolve(&cli.global) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    // An import's commit takes long by nature: the command's own report says
    // how it went, without the database's slow-statement warnings.
    let quiet_queries = matches!(
        cli.command,
        cli::Command::Import(_) | cli::Command::Export(_)
    ) && !config.log.contains("sqlx");
    if quiet_queries {
        init_logging(&format!("{},sqlx::query=error", config.log));
    } else {
        init_logging(&config.log);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(commands::run(cli.command, config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn init_logging(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
