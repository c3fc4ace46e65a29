//! [`Secret`]: a string that is zeroized on drop and never printed.

use std::fmt;

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// What `Debug` and `Display` print in place of a secret value.
pub const REDACTED: &str = "** redacted **";

/// A secret string: zeroized on drop, redacted in `Debug` and `Display`,
/// compared in constant time, and read only through [`Secret::expose`].
///
/// ```
/// use redis_cloud_auth::Secret;
///
/// let s = Secret::new("s3cr3t-value");
/// assert_eq!(format!("{s:?}"), "Secret(** redacted **)");
/// assert_eq!(s.to_string(), "** redacted **");
/// assert_eq!(s.expose(), "s3cr3t-value");
/// assert_eq!(s, Secret::new("s3cr3t-value"));
/// ```
#[derive(Clone, Default)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Takes ownership of `value`; the string is zeroized when the secret drops.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Zeroizing::new(value.into()))
    }

    /// Reads the secret value. Every place a secret leaves its type calls this.
    pub fn expose(&self) -> &str {
        self.0.as_str()
    }

    /// Length of the value in bytes (not secret for fixed-format keys).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when the value is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}

impl PartialEq for Secret {
    /// Constant time in the contents (the length is not hidden).
    fn eq(&self, other: &Self) -> bool {
        self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
    }
}

impl Eq for Secret {}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({REDACTED})")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_are_redacted() {
        let s = Secret::new("hunter2-very-secret");
        assert!(!format!("{s:?}").contains("hunter2"));
        assert!(!format!("{s}").contains("hunter2"));
        assert!(!format!("{s:#?}").contains("hunter2"));
        assert_eq!(s.expose(), "hunter2-very-secret");
    }

    #[test]
    fn equality_compares_contents() {
        assert_eq!(Secret::new("abc"), Secret::new("abc"));
        assert_ne!(Secret::new("abc"), Secret::new("abd"));
        assert_ne!(Secret::new("abc"), Secret::new("abcd"));
        assert_ne!(Secret::new(""), Secret::new("a"));
    }

    #[test]
    fn deserializes_from_a_string() {
        let s: Secret = serde_json::from_str("\"k-123\"").unwrap();
        assert_eq!(s.expose(), "k-123");
        assert_eq!(s.len(), 5);
        assert!(!s.is_empty());
    }
}
