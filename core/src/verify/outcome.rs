//! [`Outcome`]: the result of [`Verifier::authenticate`](super::Verifier::authenticate)
//! reduced to what a binding's fast path moves across its boundary, and its
//! encoding as one integer. Defined once here; the C entry points of
//! `bindings/ffi` and the napi entry of `node/` only encode and transport it.
//!
//! - Success: the key's serial ([`PrincipalRef::key_serial`], which names
//!   the account, owner and key fields for the life of the verifier) and
//!   whether the source IP the verifier saw differs from the peer text as
//!   given (a trusted proxy's `X-Forwarded-For`, an IPv4-mapped IPv6 peer,
//!   padding). A binding that kept the principal of that serial, from that
//!   verifier and that peer, needs nothing else.
//! - Failure: the [`AuthFailure::ordinal`], an index in [`AuthFailure::ALL`].
//!
//! As an `i64` ([`Outcome::encode`]): a failure is `-1 - ordinal`
//! (negative), a success `2 * key_serial + source_ip_differs`
//! (non-negative; serials stay far below 2^62).
//!
//! ```
//! use redis_cloud_auth::verify::{AuthFailure, Outcome};
//!
//! let ok = Outcome::Authenticated { key_serial: 7, source_ip_differs: true };
//! assert_eq!(ok.encode(), 15);
//! assert_eq!(Outcome::decode(15), Some(ok));
//! let denied = Outcome::Failed { ordinal: AuthFailure::InvalidUserKey.ordinal() };
//! assert_eq!(denied.encode(), -5);
//! assert_eq!(Outcome::decode(-5).and_then(|o| o.failure()).map(|k| k.code), Some("invalid_user_key"));
//! ```

use super::authenticate::PrincipalRef;
use super::failure::{AuthFailure, FailureKind};
use std::net::IpAddr;

/// The result of `authenticate`, as a fast path transports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The request authenticated.
    Authenticated {
        /// [`PrincipalRef::key_serial`].
        key_serial: u64,
        /// Whether the principal's source IP differs from the peer text as given.
        source_ip_differs: bool,
    },
    /// The request did not authenticate.
    Failed {
        /// [`AuthFailure::ordinal`].
        ordinal: u8,
    },
}

impl Outcome {
    /// The outcome of a success, for the request whose peer was `peer` (as text).
    pub fn authenticated(principal: &PrincipalRef<'_>, peer: &str) -> Self {
        Outcome::Authenticated {
            key_serial: principal.key_serial,
            source_ip_differs: !is_text_of(principal.source_ip, peer),
        }
    }

    /// The outcome of a failure.
    pub fn failed(failure: &AuthFailure) -> Self {
        Outcome::Failed {
            ordinal: failure.ordinal(),
        }
    }

    /// The failure's kind (code, status, public code), for a failed outcome.
    pub fn failure(&self) -> Option<FailureKind> {
        match self {
            Outcome::Failed { ordinal } => AuthFailure::ALL.get(usize::from(*ordinal)).copied(),
            Outcome::Authenticated { .. } => None,
        }
    }

    /// The outcome as one integer (see the module documentation).
    pub fn encode(self) -> i64 {
        match self {
            Outcome::Authenticated {
                key_serial,
                source_ip_differs,
            } => ((key_serial as i64) << 1) | i64::from(source_ip_differs),
            Outcome::Failed { ordinal } => -1 - i64::from(ordinal),
        }
    }

    /// The outcome an integer of [`Outcome::encode`] stands for; `None` for
    /// a negative value that is no failure's ordinal.
    pub fn decode(value: i64) -> Option<Self> {
        if value >= 0 {
            return Some(Outcome::Authenticated {
                key_serial: (value >> 1) as u64,
                source_ip_differs: value & 1 == 1,
            });
        }
        let ordinal = u8::try_from(-1 - value).ok()?;
        (usize::from(ordinal) < AuthFailure::ALL.len()).then_some(Outcome::Failed { ordinal })
    }
}

/// Whether `peer` is exactly `ip` as `Display` writes it. IPv4 text that
/// parses is canonical unless padded (the parser refuses leading zeros);
/// IPv6 text may spell an address several ways, so it is formatted.
fn is_text_of(ip: IpAddr, peer: &str) -> bool {
    match ip {
        IpAddr::V4(v4) => peer.parse() == Ok(v4),
        IpAddr::V6(v6) => {
            use std::fmt::Write;
            let mut text = InlineAddr {
                bytes: [0; 48],
                len: 0,
            };
            write!(text, "{v6}").is_ok() && text.as_str() == peer
        }
    }
}

/// A stack buffer long enough for any IPv6 address's text.
struct InlineAddr {
    bytes: [u8; 48],
    len: usize,
}

impl InlineAddr {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }
}

impl std::fmt::Write for InlineAddr {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        self.bytes
            .get_mut(self.len..end)
            .ok_or(std::fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_failure_round_trips() {
        for ordinal in 0..AuthFailure::ALL.len() as u8 {
            let outcome = Outcome::Failed { ordinal };
            assert!(outcome.encode() < 0);
            assert_eq!(Outcome::decode(outcome.encode()), Some(outcome));
        }
        assert_eq!(Outcome::decode(-1 - AuthFailure::ALL.len() as i64), None);
        assert_eq!(Outcome::decode(i64::MIN), None);
    }

    #[test]
    fn successes_round_trip() {
        for (key_serial, source_ip_differs) in [(0, false), (0, true), (1 << 40, true)] {
            let outcome = Outcome::Authenticated {
                key_serial,
                source_ip_differs,
            };
            assert!(outcome.encode() >= 0);
            assert_eq!(Outcome::decode(outcome.encode()), Some(outcome));
        }
    }

    #[test]
    fn peer_text_is_compared_as_written() {
        let v4: IpAddr = "10.0.0.1".parse().unwrap();
        assert!(is_text_of(v4, "10.0.0.1"));
        assert!(!is_text_of(v4, " 10.0.0.1"));
        assert!(!is_text_of(v4, "::ffff:10.0.0.1"));
        let v6: IpAddr = "2001:db8::1".parse().unwrap();
        assert!(is_text_of(v6, "2001:db8::1"));
        assert!(!is_text_of(v6, "2001:db8:0::1"));
    }
}
