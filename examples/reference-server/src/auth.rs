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
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    /// No token was given.
    Missing,
    /// The token is past its `exp`.
    Expired,
    /// Bad signature, wrong algorithm, malformed or oversized.
    Invalid,
}

impl TokenError {
    /// The wire error code (`TOKEN_EXPIRED` or `INVALID_TOKEN`).
    pub fn code(self) -> &'static str {
        match self {
            TokenError::Expired => "TOKEN_EXPIRED",
            TokenError::Missing | TokenError::Invalid => "INVALID_TOKEN",
        }
    }

    /// A human-readable explanation.
    pub fn message(self) -> &'static str {
        match self {
            TokenError::Missing => "Authentication token is missing",
            TokenError::Expired => "Token expired",
            TokenError::Invalid => "Token is invalid",
        }
    }
}

/// Signs and verifies tokens with one shared secret.
#[derive(Clone)]
pub struct Jwt {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl Jwt {
    /// Builds the signer/verifier for `secret`.
    pub fn new(secret: &str) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        // Expiry is exact: a test or a client relying on "expired" must see it at once.
        validation.leeway = 0;
        validation.validate_exp = true;
        validation.required_spec_claims = ["exp", "sub"].iter().map(|s| s.to_string()).collect();
        Self {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            validation,
        }
    }

    /// Signs `claims` as an HS256 token.
    pub fn sign(&self, claims: &Claims) -> String {
        // Encoding a plain struct with an HMAC key cannot fail; an empty
        // string would simply be refused later as an invalid token.
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .unwrap_or_default()
    }

    /// Verifies a token, accepting an optional `Bearer ` prefix.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let token = token.trim();
        let token = token.strip_prefix("Bearer ").unwrap_or(token).trim();
        if token.is_empty() {
            return Err(TokenError::Missing);
        }
        if token.len() > MAX_TOKEN_LEN {
            return Err(TokenError::Invalid);
        }
        match jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation) {
            Ok(data) if valid_user_id(&data.claims.sub) => Ok(data.claims),
            Ok(_) => Err(TokenError::Invalid),
            Err(e) if matches!(e.kind(), ErrorKind::ExpiredSignature) => Err(TokenError::Expired),
            Err(_) => Err(TokenError::Invalid),
        }
    }
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
        }
    }

    #[test]
    fn round_trip_with_and_without_bearer() {
        let jwt = Jwt::new("s");
        let t = jwt.sign(&claims(now_secs() + 60));
        assert_eq!(jwt.verify(&t).unwrap().sub, "user_1");
        assert_eq!(jwt.verify(&format!("Bearer {t}")).unwrap().sub, "user_1");
    }

    #[test]
    fn refuses_expired_forged_and_missing() {
        let jwt = Jwt::new("s");
        let expired = jwt.sign(&claims(now_secs() - 10));
        assert_eq!(jwt.verify(&expired), Err(TokenError::Expired));
        let forged = Jwt::new("other").sign(&claims(now_secs() + 60));
        assert_eq!(jwt.verify(&forged), Err(TokenError::Invalid));
        assert_eq!(jwt.verify("  "), Err(TokenError::Missing));
        assert_eq!(jwt.verify(&"a".repeat(5000)), Err(TokenError::Invalid));
    }

    #[test]
    fn refuses_unsafe_user_ids() {
        let jwt = Jwt::new("s");
        let mut c = claims(now_secs() + 60);
        c.sub = "user_1 admin_dashboard".into();
        assert_eq!(jwt.verify(&jwt.sign(&c)), Err(TokenError::Invalid));
    }
}
