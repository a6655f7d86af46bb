//! Checks on what people type: emails, names, passwords, time zones. Each
//! failure names the field and says what was expected.

use serde::Serialize;

/// A field that failed a check, with a message a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    /// The field's name as in the form or the API.
    pub field: &'static str,
    /// What was wrong and what is expected.
    pub message: String,
}

impl FieldError {
    /// A new error on `field`.
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        FieldError {
            field,
            message: message.into(),
        }
    }
}

/// The shortest password accepted (OWASP ASVS 5.0, V6.2.1).
pub const MIN_PASSWORD_CHARS: usize = 8;
/// The longest password accepted, to bound hashing work.
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Trims and lower-cases an email address and checks its shape.
pub fn normalize_email(raw: &str) -> Result<String, FieldError> {
    let email = raw.trim().to_lowercase();
    let bad = || {
        FieldError::new(
            "email",
            "expected an email address such as name@company.com",
        )
    };
    if email.is_empty()
        || email.len() > 254
        || email.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(bad());
    }
    let (local, domain) = email.split_once('@').ok_or_else(bad)?;
    if local.is_empty()
        || domain.contains('@')
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
    {
        return Err(bad());
    }
    Ok(email)
}

/// Trims a person's or organization's name and checks it is sensible.
pub fn validate_name(field: &'static str, raw: &str) -> Result<String, FieldError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    if name.chars().count() > 120 {
        return Err(FieldError::new(field, "must be at most 120 characters"));
    }
    if name.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        return Err(FieldError::new(
            field,
            "must not contain control or text-direction characters",
        ));
    }
    Ok(name.to_owned())
}

/// Checks a line of text a person wrote (a name, a title): trimmed, 1 to
/// `max` characters, no control or text-direction characters. The message
/// says `what` was expected.
pub fn validate_line(
    field: &'static str,
    raw: &str,
    max: usize,
    what: &str,
) -> Result<String, FieldError> {
    let t = raw.trim();
    if t.is_empty()
        || t.chars().count() > max
        || t.chars().any(|c| c.is_control() || is_bidi_control(c))
    {
        return Err(FieldError::new(
            field,
            format!("expected {what}: 1–{max} printable characters"),
        ));
    }
    Ok(t.to_owned())
}

/// Whether `c` overrides or isolates text direction (U+202A–U+202E,
/// U+2066–U+2069): such characters can make a name display as something else.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Checks a new password's length; anything else is the person's choice.
pub fn validate_password(field: &'static str, password: &str) -> Result<(), FieldError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(FieldError::new(
            field,
            format!("must be at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(FieldError::new(
            field,
            format!("must be at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    Ok(())
}

/// Checks an IANA time zone name such as `Europe/Berlin`.
pub fn validate_time_zone(raw: &str) -> Result<String, FieldError> {
    let tz = raw.trim();
    tz.parse::<chrono_tz::Tz>()
        .map(|_| tz.to_owned())
        .map_err(|_| {
            FieldError::new(
                "time_zone",
                "expected an IANA time zone such as Europe/Berlin or America/New_York",
            )
        })
}

/// Checks an id from a CRM: printable, at most 100 characters, trimmed.
pub fn validate_crm_id(raw: &str) -> Result<String, FieldError> {
    let id = raw.trim();
    if id.is_empty()
        || id.chars().count() > 100
        || id.chars().any(|c| c.is_control() || is_bidi_control(c))
    {
        return Err(FieldError::new(
            "crm_id",
            "expected the person's id in the CRM: 1–100 printable characters",
        ));
    }
    Ok(id.to_owned())
}

/// Checks an organization slug: lower-case letters, digits and dashes.
pub fn validate_slug(raw: &str) -> Result<String, FieldError> {
    let slug = raw.trim();
    let ok = (2..=40).contains(&slug.len())
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if ok {
        Ok(slug.to_owned())
    } else {
        Err(FieldError::new(
            "slug",
            "expected 2–40 lower-case letters, digits or dashes, such as acme-sales",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(
            normalize_email("  Ana.Lopez@Example.COM "),
            Ok("ana.lopez@example.com".to_owned())
        );
    }

    #[test]
    fn malformed_emails_are_refused_with_the_field_named() {
        for bad in [
            "",
            "ana",
            "ana@",
            "@x.com",
            "a b@x.com",
            "a@b@c.com",
            "a@localhost",
            "a\u{0}b@x.com",
        ] {
            let err = normalize_email(bad).err();
            assert_eq!(
                err.map(|e| e.field),
                Some("email"),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn passwords_need_eight_to_128_characters() {
        assert!(validate_password("password", "short").is_err());
        assert!(validate_password("password", "coach-demo").is_ok());
        assert!(validate_password("password", &"x".repeat(129)).is_err());
    }

    #[test]
    fn names_must_not_be_blank_or_carry_control_characters() {
        assert_eq!(
            validate_name("name", "  Ana Lopez "),
            Ok("Ana Lopez".to_owned())
        );
        assert!(validate_name("name", "   ").is_err());
        assert!(validate_name("name", "Ana\u{0007}").is_err());
        assert!(validate_name("name", "Ana \u{202E}zepoL").is_err());
    }

    #[test]
    fn time_zones_and_slugs_are_checked() {
        assert!(validate_time_zone("Europe/Berlin").is_ok());
        assert!(validate_time_zone("Mars/Olympus").is_err());
        assert!(validate_slug("acme-sales").is_ok());
        assert!(validate_slug("Acme Sales").is_err());
        assert!(validate_slug("-x").is_err());
        assert_eq!(
            validate_crm_id(" 0053000000AbCdE "),
            Ok("0053000000AbCdE".to_owned())
        );
        assert!(validate_crm_id("a\u{c}b").is_err());
    }
}
