//! Secret values are never stored: only an HMAC-SHA256 of them, keyed by a salt that is
//! random per snapshot, so two values can be compared without either being kept.
//!
//! The salt sits in the snapshot beside the hashes (a later plan must hash the desired
//! value the same way), so a snapshot resists lookup tables but not a guess at a weak
//! secret: treat snapshots as internal documents, never as public ones.

use std::fmt;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

const HASH_PREFIX: &str = "hmac-sha256:";

/// The key for every secret hash in one snapshot, hex encoded.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Salt(String);

impl Salt {
    /// A salt from random bytes the caller drew (this crate does no I/O).
    pub fn from_bytes(bytes: &[u8]) -> Self {
        Self(hex::encode(bytes))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn key(&self) -> Vec<u8> {
        hex::decode(&self.0).unwrap_or_else(|_| self.0.as_bytes().to_vec())
    }
}

impl fmt::Debug for Salt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Salt({})", self.0)
    }
}

/// The salted hash of a secret value. The only way to make one is from the value, and
/// nothing turns it back.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretHash(String);

impl SecretHash {
    pub fn of(salt: &Salt, value: &str) -> Self {
        let mut mac = Hmac::<Sha256>::new_from_slice(&salt.key()).expect("HMAC takes a key of any length");
        mac.update(value.as_bytes());
        Self(format!("{HASH_PREFIX}{}", hex::encode(mac.finalize().into_bytes())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretHash({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_value_and_salt_give_the_same_hash_and_another_salt_does_not() {
        let salt = Salt::from_bytes(b"0123456789abcdef");
        let other = Salt::from_bytes(b"fedcba9876543210");
        assert_eq!(SecretHash::of(&salt, "s3cr3t"), SecretHash::of(&salt, "s3cr3t"));
        assert_ne!(SecretHash::of(&salt, "s3cr3t"), SecretHash::of(&salt, "s3cr3T"));
        assert_ne!(SecretHash::of(&salt, "s3cr3t"), SecretHash::of(&other, "s3cr3t"));
        assert!(!SecretHash::of(&salt, "s3cr3t").as_str().contains("s3cr3t"));
    }

    #[test]
    fn hash_matches_a_known_hmac_sha256_vector() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let salt = Salt::from_bytes(b"Jefe");
        let hash = SecretHash::of(&salt, "what do ya want for nothing?");
        assert_eq!(hash.as_str(), "hmac-sha256:5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }
}
