//! New keys from the operating system's CSPRNG, and the hasher of the
//! verifier's [`KeyHash`] maps.

use std::hash::Hasher;

pub use crate::model::KeyHash;
use crate::secret::Secret;

/// Characters of a generated key: letters and digits, safe in any header,
/// shell or URL.
const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// Length of a generated account key: about 238 bits of entropy.
pub const ACCOUNT_KEY_LEN: usize = 40;
/// Length of a generated user key: about 297 bits of entropy.
pub const USER_KEY_LEN: usize = 50;

/// A new random key of `len` letters and digits.
///
/// Bytes from the OS CSPRNG are mapped by rejection sampling, so every
/// character is uniform. Fails only when the OS has no randomness to give.
pub fn generate_key(len: usize) -> Result<Secret, getrandom::Error> {
    let mut out = zeroize::Zeroizing::new(String::with_capacity(len));
    let mut pool = zeroize::Zeroizing::new([0u8; 64]);
    while out.len() < len {
        getrandom::fill(pool.as_mut())?;
        for &b in pool.iter() {
            // 248 = 4 * 62: values above would favour the first characters.
            if b < 248 && out.len() < len {
                out.push(ALPHABET[(b % 62) as usize] as char);
            }
        }
    }
    Ok(Secret::new(out.as_str()))
}

/// A [`Hasher`] for [`KeyHash`] keys: passes the digest's first 8 bytes
/// through instead of hashing them again.
#[derive(Default, Clone, Copy)]
pub(crate) struct DigestHasher(u64);

impl Hasher for DigestHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only reached for keys other than KeyHash; fold the bytes in.
        for chunk in bytes.chunks(8) {
            let mut buf = [0u8; 8];
            buf[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(buf))
                .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

/// Builds [`DigestHasher`]s for the verifier's hash maps.
pub(crate) type DigestState = std::hash::BuildHasherDefault<DigestHasher>;

/// A [`Hasher`] for the verifier's own integer ids (not attacker-chosen):
/// one multiplication instead of SipHash.
#[derive(Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, value: u64) {
        // Fibonacci hashing spreads consecutive ids over the high bits too.
        self.0 = (self.0 ^ value).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// Builds [`IdHasher`]s.
pub(crate) type IdState = std::hash::BuildHasherDefault<IdHasher>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_have_the_length_and_alphabet() {
        let key = generate_key(USER_KEY_LEN).unwrap();
        assert_eq!(key.len(), USER_KEY_LEN);
        assert!(key.expose().bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(key, generate_key(USER_KEY_LEN).unwrap());
    }

    #[test]
    fn generated_characters_are_spread_over_the_alphabet() {
        let mut seen = [0usize; 128];
        for _ in 0..200 {
            for b in generate_key(ACCOUNT_KEY_LEN).unwrap().expose().bytes() {
                seen[b as usize] += 1;
            }
        }
        // 8,000 characters over 62 symbols: each about 129 times.
        for &c in ALPHABET {
            assert!(
                seen[c as usize] > 60,
                "{} seen {}",
                c as char,
                seen[c as usize]
            );
        }
    }

    #[test]
    fn hashes_compare_by_value_and_print_no_more_than_a_prefix() {
        let a = KeyHash::of("UserKey0123456");
        assert_eq!(a, KeyHash::of("UserKey0123456"));
        assert_ne!(a, KeyHash::of("UserKey0123457"));
        let shown = format!("{a:?}");
        assert!(shown.len() < 24, "{shown}");
        assert_eq!(KeyHash::from_bytes(*a.as_bytes()), a);
    }
}
