//! The command line of `coach` (docs/interfaces.md). Every option has a
//! `COACH_*` environment twin; flags win over the environment, which wins
//! over the configuration file.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Coach: the sales-coaching system.
#[derive(Debug, Parser)]
#[command(
    name = "coach",
    version,
    about = "Coach: sales coaching on a rhythm managers can keep",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args, Clone, Default)]
pub struct Global {
    /// A TOML file with any of the settings below (database_url, data_dir, bind, base_url, smtp_url, smtp_from, log)
    #[arg(long, env = "COACH_CONFIG", global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Database: sqlite://PATH or postgres://USER@HOST/DB [default: sqlite://<data-dir>/coach.db]
    #[arg(
        long,
        env = "COACH_DATABASE_URL",
        global = true,
        value_name = "URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// Where the embedded database lives [default: ./coach-data]
    #[arg(long, env = "COACH_DATA_DIR", global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "COACH_BIND", global = true, value_name = "ADDR")]
    pub bind: Option<String>,
    /// The URL people reach Coach at, for links in email and calendars [default: http://<bind>]
    #[arg(long, env = "COACH_BASE_URL", global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// SMTP server for email; without it email is off and the UI says so
    #[arg(
        long,
        env = "COACH_SMTP_URL",
        global = true,
        value_name = "URL",
        hide_env_values = true
    )]
    pub smtp_url: Option<String>,
    /// The sender of email, like "Coach <coach@example.com>" [default: Coach <coach@HOST of the base URL>]
    #[arg(long, env = "COACH_SMTP_FROM", global = true, value_name = "ADDRESS")]
    pub smtp_from: Option<String>,
    /// Log filter, tracing syntax [default: info]
    #[arg(long, env = "COACH_LOG", global = true, value_name = "FILTER")]
    pub log: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (pages, API, calendar feeds); brings the schema up to date first
    Serve(ServeArgs),
    /// Create the demo organization if there is none, print the URL and logins, then serve
    Demo(DemoArgs),
    /// Bring the database schema up to date
    Migrate,
    /// Organizations
    #[command(subcommand)]
    Org(OrgCommand),
    /// People, roles and reporting lines
    #[command(subcommand)]
    User(UserCommand),
    /// Personal API tokens
    #[command(subcommand)]
    Token(TokenCommand),
    /// Import a CRM export (Salesforce, HubSpot, or any CSV with a mapping
    /// file) of accounts, contacts, opportunities or calls.
    Import(ImportArgs),
    /// Export an organization's accounts, contacts, opportunities, calls, activities,
    /// coaching sessions, action items or call plans as CSV (safe to open in a
    /// spreadsheet) or JSON.
    Export(ExportArgs),
    /// Plan a manager's coaching rhythm (R10–R19): recurring series for each
    /// seller with preparation blocks, and the load per week against the
    /// hours they can give; or why it does not fit, with what to cut.
    Plan(PlanArgs),
    /// Email: queue the reminders and digests due at a moment, or send what
    /// is due once (`coach serve` does both on its own, every few seconds)
    #[command(subcommand)]
    Email(EmailCommand),
    /// Write a made-up history of coaching for an organization's teams
    /// (sessions, agendas, action items, feedback, closed deals, calls), from
    /// a seed, with effects planted on purpose: for trials of the analytics
    /// and for benchmarks. Never on an organization with real coaching.
    History(HistoryArgs),
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The organization's slug.
    #[arg(long)]
    pub org: String,
    /// Years of history up to yesterday, 1 to 10.
    #[arg(long, default_value_t = 1)]
    pub years: u32,
    /// The seed of every random choice: the same seed writes the same history.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Scheduled sessions per seller per month.
    #[arg(long, default_value_t = 2.0)]
    pub sessions_per_month: f64,
    /// Action items per held session, on average.
    #[arg(long, default_value_t = 2.0)]
    pub actions_per_session: f64,
    /// Deals each seller closes in a year.
    #[arg(long, default_value_t = 12.0)]
    pub deals_per_year: f64,
    /// Points added to the chance of winning a deal coached at an early
    /// stage (R25), 0 to 1: 0.1 is ten points.
    #[arg(long, default_value_t = 0.0)]
    pub early_win_lift: f64,
    /// The share of scheduled sessions managers keep (R14), 0 to 1.
    #[arg(long, default_value_t = 0.85)]
    pub keep: f64,
}

#[derive(Debug, Subcommand)]
pub enum EmailCommand {
    /// Queue the reminders and digests of an organization that are due at a
    /// moment (default: now), each once; prints how many
    Schedule(EmailScheduleArgs),
    /// Send what the outbox holds that is due (needs --smtp-url); prints
    /// what was sent, what failed and what was not sent
    Send(EmailSendArgs),
}

#[derive(Debug, Args)]
pub struct EmailScheduleArgs {
    /// The organization's slug.
    #[arg(long)]
    pub org: String,
    /// The moment, RFC 3339 (default: now).
    #[arg(long)]
    pub at: Option<String>,
}

#[derive(Debug, Args)]
pub struct EmailSendArgs {
    /// The moment, RFC 3339 (default: now): messages due by then are sent.
    #[arg(long)]
    pub at: Option<String>,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The organization's slug.
    #[arg(long)]
    pub org: String,
    /// The manager's email (default: every manager with sellers).
    #[arg(long)]
    pub manager: Option<String>,
    /// The first day (YYYY-MM-DD; default: next Monday).
    #[arg(long)]
    pub from: Option<String>,
    /// How many months to plan.
    #[arg(long, default_value_t = 3)]
    pub months: u32,
    /// The most hours a week a manager can give coaching and its preparation
    /// (default: what each manager saved, else 12).
    #[arg(long)]
    pub hours: Option<u32>,
    /// The working day, local time, as HH:MM-HH:MM (default: what each
    /// manager saved, else 09:00-17:00).
    #[arg(long)]
    pub day: Option<String>,
    /// Plan weekly call coaching as a series too (otherwise it follows
    /// important calls as they come, R13).
    #[arg(long)]
    pub weekly_calls: bool,
    /// Accept a cut the planner proposes (R17): a kind of coaching, such as
    /// `call` or `account`; may be given more than once.
    #[arg(long = "cut", value_name = "KIND")]
    pub cuts: Vec<String>,
    /// Create the series and their sessions for every plan that fits;
    /// re-planning ends a manager's current series and changes only the
    /// future. Times for reading, planning and writing go to standard error.
    #[arg(long)]
    pub apply: bool,
    /// Print JSON for scripts.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The CSV file.
    pub file: PathBuf,
    /// The organization's slug.
    #[arg(long)]
    pub org: String,
    /// Where the file comes from: salesforce, hubspot or csv (recognised from
    /// the header when left out).
    #[arg(long)]
    pub format: Option<String>,
    /// What the file holds: accounts, contacts, opportunities or calls
    /// (default: the mapping file's kind, else opportunities).
    #[arg(long)]
    pub kind: Option<String>,
    /// A mapping file (TOML): columns, date format, decimal separator, time
    /// zone, currency, extra stage names.
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    /// How the file writes dates: YYYY-MM-DD, DD/MM/YYYY, MM/DD/YYYY or DD.MM.YYYY.
    #[arg(long, value_name = "FORMAT")]
    pub date_format: Option<String>,
    /// How the file writes decimals: . or ,
    #[arg(long, value_name = "SEPARATOR")]
    pub decimal_separator: Option<String>,
    /// The time zone of times written without an offset (default: the organization's).
    #[arg(long)]
    pub time_zone: Option<String>,
    /// The currency of amounts when the file has no currency column.
    #[arg(long)]
    pub currency: Option<String>,
    /// Check the whole file and say what would change, writing nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Import the valid rows and leave out the others (see --rejects),
    /// instead of importing nothing when a row is invalid.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Write the rows left out, with their reasons, to this CSV file.
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Rows written per batch.
    #[arg(long, default_value_t = 500, hide = true)]
    pub batch_size: usize,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The organization's slug.
    #[arg(long)]
    pub org: String,
    /// What to export: accounts, contacts, opportunities, calls, activities
    /// (with their quality scores), sessions (plan, life cycle and counts;
    /// never notes), action-items, call-plans, opportunity-plans, territories or account-plans.
    #[arg(long)]
    pub kind: String,
    /// csv or json.
    #[arg(long, default_value = "csv")]
    pub format: String,
    /// The file to write (standard output when left out).
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Trust X-Forwarded-For for the client address (only behind a proxy that sets it)
    #[arg(long, env = "COACH_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Delete the demo organization and create it anew
    #[arg(long)]
    pub reset: bool,
    /// Create the demo data, print the logins, and exit without serving
    #[arg(long)]
    pub no_serve: bool,
}

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Create an organization and its first admin
    Create(OrgCreateArgs),
}

#[derive(Debug, Args)]
pub struct OrgCreateArgs {
    /// Short name used on the command line, e.g. acme-sales
    #[arg(long)]
    pub slug: String,
    /// Display name, e.g. "Acme Sales"
    #[arg(long)]
    pub name: String,
    /// Default IANA time zone of its people
    #[arg(long, default_value = "UTC")]
    pub time_zone: String,
    /// Email of the first admin
    #[arg(long)]
    pub admin_email: String,
    /// Name of the first admin
    #[arg(long)]
    pub admin_name: String,
    /// Read the admin's password from the first line of standard input
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a person
    Add(UserAddArgs),
    /// List the people of an organization
    List(UserListArgs),
    /// Set a person's password (ends all their sessions)
    SetPassword(SetPasswordArgs),
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    /// The organization's slug
    #[arg(long)]
    pub org: String,
    /// Sign-in email
    #[arg(long)]
    pub email: String,
    /// Full name
    #[arg(long)]
    pub name: String,
    /// Role, repeatable: admin, director, manager, seller
    #[arg(long = "role", required = true)]
    pub roles: Vec<String>,
    /// Email of the person they report to
    #[arg(long)]
    pub manager: Option<String>,
    /// IANA time zone [default: the organization's]
    #[arg(long)]
    pub time_zone: Option<String>,
    /// Their id in the CRM
    #[arg(long)]
    pub crm_id: Option<String>,
    /// Read a first password from the first line of standard input
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct UserListArgs {
    /// The organization's slug
    #[arg(long)]
    pub org: String,
    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SetPasswordArgs {
    /// The organization's slug
    #[arg(long)]
    pub org: String,
    /// The person's email
    #[arg(long)]
    pub email: String,
    /// Read the password from the first line of standard input
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token for a person and print it (shown only this once)
    Create(TokenCreateArgs),
    /// List a person's tokens (never the secrets)
    List(TokenOwnerArgs),
    /// Revoke a token; it stops working at once
    Revoke(TokenRevokeArgs),
}

#[derive(Debug, Args)]
pub struct TokenCreateArgs {
    /// The organization's slug
    #[arg(long)]
    pub org: String,
    /// The person's email
    #[arg(long)]
    pub email: String,
    /// What the token is for
    #[arg(long, default_value = "command line")]
    pub name: String,
}

#[derive(Debug, Args)]
pub struct TokenOwnerArgs {
    /// The organization's slug
    #[arg(long)]
    pub org: String,
    /// The person's email
    #[arg(long)]
    pub email: String,
}

#[derive(Debug, Args)]
pub struct TokenRevokeArgs {
    /// The organization's slug
    #[arg(long)]
    pub org: String,
    /// The person's email
    #[arg(long)]
    pub email: String,
    /// The token's id (from `coach token list` or `create`)
    #[arg(long)]
    pub id: String,
}
