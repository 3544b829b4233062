//! Who is asking: passwords (argon2id, off the async runtime), the signed-in
//! session, and the client's address.

use std::net::{IpAddr, SocketAddr};

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use tower_sessions::Session;

use crate::error::AppError;
use crate::i18n::Key;
use crate::policy::Actor;

/// Session keys.
pub const SESSION_USER: &str = "uid";
pub const SESSION_STARTED_MS: &str = "started_ms";
/// When the session was last extended by activity (ms).
pub const SESSION_SEEN_MS: &str = "seen_ms";

/// Passwords need at least this many characters.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Checks a new password against the rule (12–1024 characters).
pub fn check_new_password(field: &str, password: &str) -> Result<(), AppError> {
    let n = password.chars().count();
    if !(MIN_PASSWORD_CHARS..=1024).contains(&n) {
        return Err(AppError::field(field, Key::ErrPasswordLength));
    }
    Ok(())
}

/// Hashes with argon2id on a blocking thread (it is deliberately slow).
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await
    .map_err(|_| AppError::Internal)?
    .map_err(|e| {
        tracing::error!(error = %e, "password hashing failed");
        AppError::Internal
    })
}

/// Verifies on a blocking thread; a malformed stored hash never matches.
pub async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A random password for the first administrator: 20 characters from an
/// alphabet without look-alikes.
pub fn random_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..20)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// Session lifetime limits, from configuration.
#[derive(Clone, Copy, Debug)]
pub struct SessionLimits {
    /// Signed out after this long since sign-in, however active.
    pub absolute_ms: i64,
}

/// The signed-in actor of this session, if any and still valid.
pub async fn session_actor(
    pool: &sqlx::SqlitePool,
    session: &Session,
    limits: SessionLimits,
) -> Result<Option<Actor>, AppError> {
    let uid: Option<i64> = session.get(SESSION_USER).await.map_err(session_error)?;
    let Some(uid) = uid else { return Ok(None) };
    let started: i64 = session
        .get(SESSION_STARTED_MS)
        .await
        .map_err(session_error)?
        .unwrap_or(0);
    let now = now_ms();
    if now - started > limits.absolute_ms {
        session.flush().await.map_err(session_error)?;
        return Ok(None);
    }
    let actor = crate::store::users::actor(pool, uid, started).await?;
    if actor.is_none() {
        session.flush().await.map_err(session_error)?;
        return Ok(None);
    }
    // Activity extends the idle limit: a changed session is saved with a new
    // expiry (and its cookie re-sent), at most once a minute. The store
    // only updates a session that still exists, so this never brings back
    // one signed out meanwhile.
    let seen: Option<i64> = session.get(SESSION_SEEN_MS).await.map_err(session_error)?;
    if now - seen.unwrap_or(started) >= TOUCH_EVERY_MS {
        session
            .insert(SESSION_SEEN_MS, now)
            .await
            .map_err(session_error)?;
    }
    Ok(actor)
}

/// Whether a session read at the start of a long request (an event stream)
/// is still signed in now: stored and unexpired (not signed out elsewhere),
/// and still valid for its user (not ended by a password change, the user
/// not disabled).
pub async fn still_signed_in(
    pool: &sqlx::SqlitePool,
    session: &Session,
    limits: SessionLimits,
) -> bool {
    let Some(id) = session.id() else {
        return false;
    };
    if !crate::store::sessions::alive(pool, &id.to_string())
        .await
        .unwrap_or(false)
    {
        return false;
    }
    matches!(session_actor(pool, session, limits).await, Ok(Some(_)))
}

/// How often activity extends a session's idle limit.
const TOUCH_EVERY_MS: i64 = 60_000;

fn session_error(e: tower_sessions::session::Error) -> AppError {
    tracing::error!(error = %e, "session store");
    AppError::Internal
}

/// Marks the session as signed in, with a new id (no fixation).
pub async fn sign_in(session: &Session, user_id: i64) -> Result<(), AppError> {
    session.cycle_id().await.map_err(session_error)?;
    session
        .insert(SESSION_USER, user_id)
        .await
        .map_err(session_error)?;
    session
        .insert(SESSION_STARTED_MS, now_ms())
        .await
        .map_err(session_error)?;
    Ok(())
}

/// Deletes the session server-side.
pub async fn sign_out(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(session_error)
}

/// The client's address for a request, set once by the server's outermost
/// layer (see [`forwarded_client`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

/// The client's address from a request's extensions: the [`ClientAddress`]
/// the server set, else the socket's peer (`unknown` without connect info).
/// The one place that reads it.
pub fn client_address(extensions: &http::Extensions) -> String {
    if let Some(ClientAddress(ip)) = extensions.get::<ClientAddress>() {
        return ip.to_string();
    }
    extensions
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// The client behind the socket's `peer`. Only a trusted proxy's
/// `X-Forwarded-For` counts, read from the right: each trusted proxy
/// appends the address it was called from, so the right-most entry that is
/// not itself a trusted proxy is the client; entries to its left are
/// whatever the client claimed. A malformed entry ends the walk there.
pub fn forwarded_client(peer: IpAddr, forwarded_for: &[&str], trusted: &[IpAddr]) -> IpAddr {
    let mut client = peer;
    let entries = forwarded_for
        .iter()
        .rev()
        .flat_map(|header| header.rsplit(','));
    for entry in entries {
        if !trusted.contains(&client) {
            break;
        }
        match entry.trim().parse::<IpAddr>() {
            Ok(ip) => client = ip,
            Err(_) => break,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn argon2id_round_trip() {
        let hash = hash_password("correct horse battery".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse battery".into(), hash.clone()).await);
        assert!(!verify_password("wrong".into(), hash).await);
        assert!(!verify_password("x".into(), "not a hash".into()).await);
    }

    #[test]
    fn only_trusted_proxies_name_the_client() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let proxy = [ip("10.0.0.1"), ip("10.0.0.2")];
        let from = |peer: &str, xff: &[&str]| forwarded_client(ip(peer), xff, &proxy).to_string();
        assert_eq!(
            from("192.0.2.7", &["198.51.100.1"]),
            "192.0.2.7",
            "untrusted peer"
        );
        assert_eq!(from("10.0.0.1", &[]), "10.0.0.1", "no header");
        assert_eq!(from("10.0.0.1", &["198.51.100.1"]), "198.51.100.1");
        assert_eq!(
            from("10.0.0.1", &["203.0.113.9, 198.51.100.1, 10.0.0.2"]),
            "198.51.100.1",
            "a claimed address left of the client is ignored"
        );
        assert_eq!(
            from("10.0.0.1", &["203.0.113.9", "198.51.100.1"]),
            "198.51.100.1"
        );
        assert_eq!(from("10.0.0.1", &["nonsense"]), "10.0.0.1");
        assert_eq!(from("10.0.0.1", &["2001:db8::1"]), "2001:db8::1");
    }

    #[test]
    fn password_rule_and_generator() {
        assert!(check_new_password("password", "short").is_err());
        assert!(check_new_password("password", "twelve chars").is_ok());
        let p = random_password();
        assert_eq!(p.len(), 20);
        assert_ne!(p, random_password());
    }
}
