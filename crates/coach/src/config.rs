//! One typed configuration, layered: defaults, then an optional TOML file,
//! then `COACH_*` environment, then flags. Secrets never print.

use crate::cli::Global;
use anyhow::Context as _;
use serde::Deserialize;
use std::fmt;
use std::path::PathBuf;

/// The settings of one run.
#[derive(Clone)]
pub struct Config {
    pub database_url: String,
    pub data_dir: PathBuf,
    pub bind: String,
    pub base_url: String,
    /// Whether the base URL was given (otherwise it follows the bound address).
    pub base_url_given: bool,
    pub smtp_url: Option<String>,
    /// The sender of email; `Coach <coach@HOST>` from the base URL by default.
    pub smtp_from: String,
    pub log: String,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redact(&self.database_url))
            .field("data_dir", &self.data_dir)
            .field("bind", &self.bind)
            .field("base_url", &self.base_url)
            .field("smtp_url", &self.smtp_url.as_deref().map(redact))
            .field("smtp_from", &self.smtp_from)
            .field("log", &self.log)
            .finish()
    }
}

/// The settings a TOML file may hold.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    data_dir: Option<PathBuf>,
    bind: Option<String>,
    base_url: Option<String>,
    smtp_url: Option<String>,
    smtp_from: Option<String>,
    log: Option<String>,
}

impl Config {
    /// Layers the sources; flags and environment arrive together through clap.
    pub fn resolve(flags: &Global) -> anyhow::Result<Config> {
        let file = match &flags.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read config file {}", path.display()))?;
                toml::from_str::<FileConfig>(&text)
                    .with_context(|| format!("config file {} is not valid", path.display()))?
            }
            None => FileConfig::default(),
        };
        let data_dir = flags
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("./coach-data"));
        let bind = flags
            .bind
            .clone()
            .or(file.bind)
            .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
        let database_url = flags
            .database_url
            .clone()
            .or(file.database_url)
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("coach.db").display()));
        let given = flags.base_url.clone().or(file.base_url);
        let base_url_given = given.is_some();
        let base_url = given.unwrap_or_else(|| format!("http://{bind}"));
        let host = base_url
            .split_once("://")
            .map_or(base_url.as_str(), |(_, rest)| rest)
            .split([':', '/'])
            .next()
            .filter(|h| h.contains('.') && !h.chars().all(|c| c.is_ascii_digit() || c == '.'))
            .unwrap_or("localhost")
            .to_owned();
        let smtp_from = flags
            .smtp_from
            .clone()
            .or(file.smtp_from)
            .unwrap_or_else(|| format!("Coach <coach@{host}>"));
        Ok(Config {
            database_url,
            data_dir,
            base_url: base_url.trim_end_matches('/').to_owned(),
            base_url_given,
            bind,
            smtp_url: flags.smtp_url.clone().or(file.smtp_url),
            smtp_from,
            log: flags
                .log
                .clone()
                .or(file.log)
                .unwrap_or_else(|| "info".to_owned()),
        })
    }
}

/// A URL with its password replaced, for logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_urls_are_redacted() {
        assert_eq!(
            redact("postgres://coach:s3cret@db:5432/coach"),
            "postgres://coach:***@db:5432/coach"
        );
        assert_eq!(
            redact("sqlite://./coach-data/coach.db"),
            "sqlite://./coach-data/coach.db"
        );
    }

    #[test]
    fn flags_win_over_the_file_which_wins_over_defaults() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("coach.toml");
        std::fs::write(&path, "bind = \"0.0.0.0:9000\"\nlog = \"debug\"\n")?;
        let flags = Global {
            config: Some(path),
            log: Some("warn".into()),
            ..Global::default()
        };
        let c = Config::resolve(&flags)?;
        assert_eq!(c.bind, "0.0.0.0:9000");
        assert_eq!(c.log, "warn");
        assert_eq!(c.base_url, "http://0.0.0.0:9000");
        assert_eq!(c.database_url, "sqlite://./coach-data/coach.db");
        Ok(())
    }

    #[test]
    fn an_unknown_setting_in_the_file_is_an_error() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("coach.toml");
        std::fs::write(&path, "bnd = \"x\"\n")?;
        let flags = Global {
            config: Some(path),
            ..Global::default()
        };
        assert!(Config::resolve(&flags).is_err());
        Ok(())
    }
}
