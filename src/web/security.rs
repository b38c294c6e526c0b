//! Web stage: the server's secrets. A per-process access token (required when listening beyond
//! loopback), session ids, and CSRF tokens tied to the session.
//!
//! In: cookies and form fields of a request. Out: yes/no answers and fresh tokens.
//!
//! These are the only random values in codifica that are *not* seeded: a token must not be
//! predictable, so they come from the operating system's generator.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;

use rand::RngCore;
use rand::rngs::OsRng;

/// Cookie holding the session id (one per browser).
pub const SESSION_COOKIE: &str = "codifica_sesion";
/// Cookie holding the access token after a first `?token=` visit.
pub const TOKEN_COOKIE: &str = "codifica_token";

/// What a handler knows about the browser it serves: its session id, the session's CSRF token,
/// and a fresh nonce for this page's inline script.
/// Set by the server's middleware, read by the pages (it lives here, below both).
#[derive(Debug, Clone)]
pub struct Session {
    pub sid: String,
    pub csrf: String,
    pub nonce: String,
}

/// A fresh random token: 32 lowercase hex digits (128 bits from the OS).
pub fn random_token() -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares two secrets in time independent of where they differ.
pub fn ct_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The process's secrets.
pub struct Secrets {
    /// Token asked for when listening beyond loopback.
    access_token: String,
    /// Two independently keyed SipHash functions (keys drawn at random per process): the CSRF
    /// token of a session is their 128-bit output on the session id.
    k1: RandomState,
    k2: RandomState,
}

impl Secrets {
    /// Fresh secrets for this process.
    pub fn new() -> Secrets {
        Secrets {
            access_token: random_token(),
            k1: RandomState::new(),
            k2: RandomState::new(),
        }
    }

    /// The access token `serve` prints.
    pub fn access_token(&self) -> &str {
        &self.access_token
    }

    /// True when `candidate` is the access token.
    pub fn token_ok(&self, candidate: &str) -> bool {
        ct_eq(candidate, &self.access_token)
    }

    /// The CSRF token of session `sid`.
    pub fn csrf_for(&self, sid: &str) -> String {
        let a = self.k1.hash_one(("csrf", sid));
        let b = self.k2.hash_one(("csrf", sid));
        format!("{a:016x}{b:016x}")
    }

    /// True when `token` is the CSRF token of session `sid` (a non-empty, well-formed id).
    pub fn csrf_ok(&self, sid: &str, token: &str) -> bool {
        valid_sid(sid) && ct_eq(token, &self.csrf_for(sid))
    }
}

impl Default for Secrets {
    fn default() -> Self {
        Secrets::new()
    }
}

/// A session id as this server issues them: 32 hex digits.
pub fn valid_sid(sid: &str) -> bool {
    sid.len() == 32 && sid.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The value of cookie `name` in a `Cookie:` header, if present.
pub fn cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').find_map(|part| {
        let (k, v) = part.trim().split_once('=')?;
        (k.trim() == name).then(|| v.trim())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_hex() {
        let a = random_token();
        let b = random_token();
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert!(valid_sid(&a));
    }

    #[test]
    fn constant_time_compare() {
        assert!(ct_eq("abc", "abc"));
        assert!(!ct_eq("abc", "abd"));
        assert!(!ct_eq("abc", "abcd"));
        assert!(ct_eq("", ""));
    }

    #[test]
    fn csrf_is_tied_to_the_session() {
        let s = Secrets::new();
        let sid = random_token();
        let other = random_token();
        let t = s.csrf_for(&sid);
        assert!(s.csrf_ok(&sid, &t));
        assert!(!s.csrf_ok(&other, &t));
        assert!(!s.csrf_ok("", &s.csrf_for("")));
        assert!(
            !Secrets::new().csrf_ok(&sid, &t),
            "another process has other keys"
        );
    }

    #[test]
    fn cookie_parsing() {
        let h = "a=1; codifica_sesion=abc ; b=2";
        assert_eq!(cookie(h, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(h, "zz"), None);
    }
}
