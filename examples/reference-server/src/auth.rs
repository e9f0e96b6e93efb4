//! HS256 JWTs: the claims every product shares, signing and verification.

use jsonwebtoken::{errors::ErrorKind, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// Longest token accepted; anything larger is refused before decoding.
pub const MAX_TOKEN_LEN: usize = 4096;

/// Roles a token can grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// An ordinary user.
    User,
    /// Full access: every room, the `/admin` namespace and the HTTP admin API.
    Admin,
    /// Marketplace moderator: may join every dispute chat.
    Moderator,
}

impl Role {
    /// The lowercase name used in tokens and payloads.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Admin => "admin",
            Role::Moderator => "moderator",
        }
    }
}

/// Claims carried by every token the server accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// User id, e.g. `user_12345`.
    pub sub: String,
    /// Display name.
    pub username: String,
    /// Granted role.
    pub role: Role,
    /// Expiry, seconds since the Unix epoch.
    pub exp: i64,
    /// License keys the user holds.
    #[serde(default)]
    pub licenses: Vec<String>,
    /// Not valid before, seconds since the Unix epoch (checked when present).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    /// No token was given.
    Missing,
    /// The token is past its `exp`.
    Expired,
    /// Bad signature, wrong algorithm, malformed, oversized, or not valid yet (`nbf`).
    Invalid,
    /// An admin token signed with the public development secret, refused
    /// unless the server runs with `--dev`.
    DevAdmin,
}

impl TokenError {
    /// The wire error code (`TOKEN_EXPIRED` or `INVALID_TOKEN`).
    pub fn code(self) -> &'static str {
        match self {
            TokenError::Expired => "TOKEN_EXPIRED",
            TokenError::Missing | TokenError::Invalid | TokenError::DevAdmin => "INVALID_TOKEN",
        }
    }

    /// A human-readable explanation.
    pub fn message(self) -> &'static str {
        match self {
            TokenError::Missing => "Authentication token is missing",
            TokenError::Expired => "Token expired",
            TokenError::Invalid => "Token is invalid",
            TokenError::DevAdmin => {
                "The development secret grants no admin role: configure a secret or start with --dev"
            }
        }
    }
}

/// Signs and verifies tokens with one shared secret.
#[derive(Clone)]
pub struct Jwt {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    /// False when the secret is the public development one and `--dev` was not given.
    admin_allowed: bool,
}

impl Jwt {
    /// Builds the signer/verifier for `secret`; with `admin_allowed` false,
    /// tokens granting the admin role are refused.
    pub fn new(secret: &str, admin_allowed: bool) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        // Expiry is exact: a test or a client relying on "expired" must see it at once.
        validation.leeway = 0;
        validation.validate_exp = true;
        // A token issued for later is not valid yet.
        validation.validate_nbf = true;
        validation.required_spec_claims = ["exp", "sub"].iter().map(|s| s.to_string()).collect();
        Self {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            validation,
            admin_allowed,
        }
    }

    /// Signs `claims` as an HS256 token.
    pub fn sign(&self, claims: &Claims) -> String {
        // Encoding a plain struct with an HMAC key cannot fail; an empty
        // string would simply be refused later as an invalid token.
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .unwrap_or_default()
    }

    /// Verifies a token given raw or as `Bearer <token>` (the scheme in any
    /// case, once: `Bearer Bearer <token>` is refused).
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let token = token.trim();
        let token = bearer(token).unwrap_or(token);
        self.verify_raw(token)
    }

    /// Verifies a bare token (no scheme).
    pub fn verify_raw(&self, token: &str) -> Result<Claims, TokenError> {
        if token.is_empty() {
            return Err(TokenError::Missing);
        }
        if token.len() > MAX_TOKEN_LEN {
            return Err(TokenError::Invalid);
        }
        match jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation) {
            Ok(data) if !valid_user_id(&data.claims.sub) => Err(TokenError::Invalid),
            Ok(data) if data.claims.role == Role::Admin && !self.admin_allowed => {
                Err(TokenError::DevAdmin)
            }
            Ok(data) => Ok(data.claims),
            Err(e) if matches!(e.kind(), ErrorKind::ExpiredSignature) => Err(TokenError::Expired),
            Err(_) => Err(TokenError::Invalid),
        }
    }
}

/// The credentials of an `Authorization`-style value `Bearer <token>`: the
/// scheme is case-insensitive (RFC 7235) and the token is one word.
pub fn bearer(value: &str) -> Option<&str> {
    let value = value.trim();
    let (scheme, rest) = value.split_once(|c: char| c.is_ascii_whitespace())?;
    let token = rest.trim();
    (scheme.eq_ignore_ascii_case("bearer")
        && !token.is_empty()
        && !token.contains(|c: char| c.is_ascii_whitespace()))
    .then_some(token)
}

/// User ids end up in room names, so they are restricted to a safe alphabet.
pub fn valid_user_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::now_secs;

    fn claims(exp: i64) -> Claims {
        Claims {
            sub: "user_1".into(),
            username: "u".into(),
            role: Role::User,
            exp,
            licenses: vec![],
            nbf: None,
        }
    }

    #[test]
    fn round_trip_with_and_without_bearer() {
        let jwt = Jwt::new("s", true);
        let t = jwt.sign(&claims(now_secs() + 60));
        assert_eq!(jwt.verify(&t).unwrap().sub, "user_1");
        for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
            assert_eq!(jwt.verify(&format!("{scheme} {t}")).unwrap().sub, "user_1");
        }
        assert_eq!(
            jwt.verify(&format!("Bearer Bearer {t}")),
            Err(TokenError::Invalid)
        );
        assert_eq!(bearer(&format!("Bearer Bearer {t}")), None);
        assert_eq!(bearer("Basic abc"), None);
    }

    #[test]
    fn refuses_tokens_not_valid_yet() {
        let jwt = Jwt::new("s", true);
        let mut c = claims(now_secs() + 7200);
        c.nbf = Some(now_secs() + 3600);
        assert_eq!(jwt.verify(&jwt.sign(&c)), Err(TokenError::Invalid));
        c.nbf = Some(now_secs() - 10);
        assert!(jwt.verify(&jwt.sign(&c)).is_ok());
    }

    #[test]
    fn admin_needs_a_real_secret_or_dev() {
        let mut c = claims(now_secs() + 60);
        c.role = Role::Admin;
        let strict = Jwt::new("s", false);
        assert_eq!(strict.verify(&strict.sign(&c)), Err(TokenError::DevAdmin));
        c.role = Role::Moderator;
        assert!(strict.verify(&strict.sign(&c)).is_ok());
    }

    #[test]
    fn refuses_expired_forged_and_missing() {
        let jwt = Jwt::new("s", true);
        let expired = jwt.sign(&claims(now_secs() - 10));
        assert_eq!(jwt.verify(&expired), Err(TokenError::Expired));
        let forged = Jwt::new("other", true).sign(&claims(now_secs() + 60));
        assert_eq!(jwt.verify(&forged), Err(TokenError::Invalid));
        assert_eq!(jwt.verify("  "), Err(TokenError::Missing));
        assert_eq!(jwt.verify(&"a".repeat(5000)), Err(TokenError::Invalid));
    }

    #[test]
    fn refuses_unsafe_user_ids() {
        let jwt = Jwt::new("s", true);
        let mut c = claims(now_secs() + 60);
        c.sub = "user_1 admin_dashboard".into();
        assert_eq!(jwt.verify(&jwt.sign(&c)), Err(TokenError::Invalid));
    }
}
