//! Cursor pagination: `?limit=&cursor=`, answered with `next_cursor`. The
//! cursor is opaque to clients (the last id seen, encoded).

use crate::error::AppError;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use coach_core::FieldError;

/// The default page size.
pub const DEFAULT_LIMIT: usize = 50;
/// The largest page size.
pub const MAX_LIMIT: usize = 200;

/// A decoded cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor(pub String);

impl Cursor {
    /// Encodes the last id of a page.
    pub fn encode(last_id: &str) -> String {
        URL_SAFE_NO_PAD.encode(last_id.as_bytes())
    }

    /// Decodes a cursor from a request.
    pub fn decode(raw: Option<&str>) -> Result<Option<String>, AppError> {
        let Some(raw) = raw.filter(|r| !r.is_empty()) else {
            return Ok(None);
        };
        let bad = || {
            AppError::Invalid(FieldError::new(
                "cursor",
                "not a cursor from this API; pass next_cursor back unchanged",
            ))
        };
        let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| bad())?;
        let id = String::from_utf8(bytes).map_err(|_| bad())?;
        if id.len() > 64 || id.chars().any(|c| !(c.is_ascii_hexdigit() || c == '-')) {
            return Err(bad());
        }
        Ok(Some(id))
    }
}

/// Checks a requested page size.
pub fn limit(raw: Option<usize>) -> Result<usize, AppError> {
    match raw {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(AppError::Invalid(FieldError::new(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}"),
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_and_garbage_is_refused() {
        let id = "0193a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b";
        assert_eq!(
            Cursor::decode(Some(&Cursor::encode(id)))
                .ok()
                .flatten()
                .as_deref(),
            Some(id)
        );
        assert!(Cursor::decode(Some("%%%")).is_err());
        assert!(Cursor::decode(Some(&Cursor::encode("x' OR 1=1"))).is_err());
        assert!(limit(Some(0)).is_err());
        assert!(limit(Some(201)).is_err());
    }
}
