//! Password hashing with argon2id, off the async threads. The parameters are
//! the OWASP-recommended defaults; tests use the cheapest allowed.

use argon2::password_hash::{
    PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString, rand_core::OsRng,
};
use argon2::{Algorithm, Argon2, Params, Version};

/// How much work a hash takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordCost {
    /// argon2id, 19 MiB, 2 passes (OWASP Password Storage Cheat Sheet).
    Default,
    /// The cheapest parameters: for tests only.
    Cheap,
}

fn hasher(cost: PasswordCost) -> Argon2<'static> {
    let params = match cost {
        PasswordCost::Default => Params::new(19 * 1024, 2, 1, None),
        PasswordCost::Cheap => Params::new(Params::MIN_M_COST, 1, 1, None),
    };
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        params.unwrap_or_default(),
    )
}

/// Hashes a password to a PHC string.
pub async fn hash_password(password: String, cost: PasswordCost) -> Result<String, String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher(cost)
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

/// Checks a password against a PHC string. With no hash, still does the work
/// of one check, so a missing account answers as slowly as a wrong password.
pub async fn verify_password(password: String, hash: Option<String>, cost: PasswordCost) -> bool {
    tokio::task::spawn_blocking(move || {
        let argon = hasher(cost);
        match hash.as_deref().map(PasswordHash::new) {
            Some(Ok(parsed)) => argon.verify_password(password.as_bytes(), &parsed).is_ok(),
            _ => {
                let salt = SaltString::generate(&mut OsRng);
                let _ = argon.hash_password(password.as_bytes(), &salt);
                false
            }
        }
    })
    .await
    .unwrap_or(false)
}
