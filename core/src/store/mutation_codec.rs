//! The change feed's byte encoding of a [`Mutation`]: compact, versioned,
//! and strict when decoding. The format is documented on
//! [`MUTATION_FORMAT`].

use super::{Mutation, UserKeyRecord};
use crate::model::{KeyHash, Role};

/// The format number [`Mutation::encode`] writes, its first byte.
///
/// Format 1:
///
/// | bytes | holds |
/// |---|---|
/// | 1 | format, `1` |
/// | 1 | kind: `1` create account, `2` add user, `3` set user role, `4` set API, `5` create user key, `6` set allow list, `7` delete user key |
/// | ... | the variant's fields, in the order [`Mutation`] declares them |
///
/// Field encodings: an id is an unsigned LEB128 varint; a time (Unix
/// seconds) a zigzag LEB128 varint; a flag one byte, `0` or `1`; a text
/// its byte length (varint) then UTF-8; a role one byte (`0` owner, `1`
/// member, `2` viewer, `3` billing admin, `4` logs viewer); a key hash its
/// 32 bytes (a SHA-256 digest, never a key); an optional key hash `0`, or
/// `1` then the 32 bytes; an allow list its entry count (varint) then each
/// entry as a text. A user key is its account, owner, name, hash, allow
/// list and creation time.
///
/// [`Mutation::decode`] refuses an unknown format or kind, a truncated or
/// overlong input and invalid UTF-8: a store then reports that it cannot
/// serve the feed, and the verifier reloads fully.
pub const MUTATION_FORMAT: u8 = 1;

/// Bytes that are not a [`Mutation`] this library can decode (another
/// format, or damaged).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the stored change does not decode")]
pub struct UndecodableMutation;

const CREATE_ACCOUNT: u8 = 1;
const ADD_USER: u8 = 2;
const SET_USER_ROLE: u8 = 3;
const SET_API: u8 = 4;
const CREATE_USER_KEY: u8 = 5;
const SET_ALLOW_LIST: u8 = 6;
const DELETE_USER_KEY: u8 = 7;

impl Mutation {
    /// The change feed's encoding of this mutation (format
    /// [`MUTATION_FORMAT`]).
    ///
    /// ```
    /// use redis_cloud_auth::store::Mutation;
    ///
    /// let m = Mutation::DeleteUserKey { account_id: 7, name: "ci-deploy-key".into() };
    /// let bytes = m.encode();
    /// assert_eq!(bytes.len(), 2 + 1 + 1 + 13);
    /// assert_eq!(Mutation::decode(&bytes), Ok(m));
    /// ```
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Writer(Vec::with_capacity(64));
        out.byte(MUTATION_FORMAT);
        match self {
            Mutation::CreateAccount { name, at } => {
                out.byte(CREATE_ACCOUNT);
                out.text(name);
                out.time(*at);
            }
            Mutation::AddUser {
                account_id,
                name,
                email,
                role,
                at,
            } => {
                out.byte(ADD_USER);
                out.id(*account_id);
                out.text(name);
                out.text(email);
                out.role(*role);
                out.time(*at);
            }
            Mutation::SetUserRole { user_id, role } => {
                out.byte(SET_USER_ROLE);
                out.id(*user_id);
                out.role(*role);
            }
            Mutation::SetApi {
                account_id,
                enabled,
                account_key_hash,
                at,
            } => {
                out.byte(SET_API);
                out.id(*account_id);
                out.byte(u8::from(*enabled));
                match account_key_hash {
                    None => out.byte(0),
                    Some(hash) => {
                        out.byte(1);
                        out.0.extend_from_slice(hash.as_bytes());
                    }
                }
                out.time(*at);
            }
            Mutation::CreateUserKey(key) => {
                out.byte(CREATE_USER_KEY);
                out.id(key.account_id);
                out.id(key.owner_id);
                out.text(&key.name);
                out.0.extend_from_slice(key.secret_hash.as_bytes());
                out.list(&key.allow_list);
                out.time(key.created_at);
            }
            Mutation::SetAllowList {
                account_id,
                name,
                allow_list,
            } => {
                out.byte(SET_ALLOW_LIST);
                out.id(*account_id);
                out.text(name);
                out.list(allow_list);
            }
            Mutation::DeleteUserKey { account_id, name } => {
                out.byte(DELETE_USER_KEY);
                out.id(*account_id);
                out.text(name);
            }
        }
        out.0
    }

    /// Decodes what [`Mutation::encode`] wrote; anything else, including
    /// trailing bytes, is refused.
    pub fn decode(bytes: &[u8]) -> Result<Mutation, UndecodableMutation> {
        let mut r = Reader(bytes);
        if r.byte()? != MUTATION_FORMAT {
            return Err(UndecodableMutation);
        }
        let mutation = match r.byte()? {
            CREATE_ACCOUNT => Mutation::CreateAccount {
                name: r.text()?,
                at: r.time()?,
            },
            ADD_USER => Mutation::AddUser {
                account_id: r.id()?,
                name: r.text()?,
                email: r.text()?,
                role: r.role()?,
                at: r.time()?,
            },
            SET_USER_ROLE => Mutation::SetUserRole {
                user_id: r.id()?,
                role: r.role()?,
            },
            SET_API => Mutation::SetApi {
                account_id: r.id()?,
                enabled: r.flag()?,
                account_key_hash: if r.flag()? { Some(r.hash()?) } else { None },
                at: r.time()?,
            },
            CREATE_USER_KEY => Mutation::CreateUserKey(UserKeyRecord {
                account_id: r.id()?,
                owner_id: r.id()?,
                name: r.text()?,
                secret_hash: r.hash()?,
                allow_list: r.list()?,
                created_at: r.time()?,
            }),
            SET_ALLOW_LIST => Mutation::SetAllowList {
                account_id: r.id()?,
                name: r.text()?,
                allow_list: r.list()?,
            },
            DELETE_USER_KEY => Mutation::DeleteUserKey {
                account_id: r.id()?,
                name: r.text()?,
            },
            _ => return Err(UndecodableMutation),
        };
        if !r.0.is_empty() {
            return Err(UndecodableMutation);
        }
        Ok(mutation)
    }
}

fn role_code(role: Role) -> u8 {
    match role {
        Role::Owner => 0,
        Role::Member => 1,
        Role::Viewer => 2,
        Role::BillingAdmin => 3,
        Role::LogsViewer => 4,
    }
}

fn role_of(code: u8) -> Option<Role> {
    Some(match code {
        0 => Role::Owner,
        1 => Role::Member,
        2 => Role::Viewer,
        3 => Role::BillingAdmin,
        4 => Role::LogsViewer,
        _ => return None,
    })
}

struct Writer(Vec<u8>);

impl Writer {
    fn byte(&mut self, b: u8) {
        self.0.push(b);
    }

    fn id(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }

    fn time(&mut self, t: i64) {
        self.id(((t << 1) ^ (t >> 63)) as u64);
    }

    fn text(&mut self, s: &str) {
        self.id(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }

    fn role(&mut self, role: Role) {
        self.byte(role_code(role));
    }

    fn list(&mut self, entries: &[String]) {
        self.id(entries.len() as u64);
        for entry in entries {
            self.text(entry);
        }
    }
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], UndecodableMutation> {
        if n > self.0.len() {
            return Err(UndecodableMutation);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn byte(&mut self) -> Result<u8, UndecodableMutation> {
        Ok(self.take(1)?[0])
    }

    fn flag(&mut self) -> Result<bool, UndecodableMutation> {
        match self.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(UndecodableMutation),
        }
    }

    fn id(&mut self) -> Result<u64, UndecodableMutation> {
        let mut value: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            let bits = u64::from(b & 0x7f);
            // The tenth byte may carry only the top bit of a u64.
            if shift == 63 && bits > 1 {
                return Err(UndecodableMutation);
            }
            value |= bits << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(UndecodableMutation)
    }

    fn time(&mut self) -> Result<i64, UndecodableMutation> {
        let z = self.id()?;
        Ok(((z >> 1) as i64) ^ -((z & 1) as i64))
    }

    fn len(&mut self) -> Result<usize, UndecodableMutation> {
        let n = usize::try_from(self.id()?).map_err(|_| UndecodableMutation)?;
        // Every counted item takes at least one byte.
        if n > self.0.len() {
            return Err(UndecodableMutation);
        }
        Ok(n)
    }

    fn text(&mut self) -> Result<String, UndecodableMutation> {
        let n = self.len()?;
        let bytes = self.take(n)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| UndecodableMutation)
    }

    fn role(&mut self) -> Result<Role, UndecodableMutation> {
        role_of(self.byte()?).ok_or(UndecodableMutation)
    }

    fn hash(&mut self) -> Result<KeyHash, UndecodableMutation> {
        let bytes: [u8; 32] = self.take(32)?.try_into().map_err(|_| UndecodableMutation)?;
        Ok(KeyHash::from_bytes(bytes))
    }

    fn list(&mut self) -> Result<Vec<String>, UndecodableMutation> {
        let n = self.len()?;
        (0..n).map(|_| self.text()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One of every kind, with edge values.
    fn every_kind() -> Vec<Mutation> {
        vec![
            Mutation::CreateAccount {
                name: "acme ünïcode".into(),
                at: -1,
            },
            Mutation::AddUser {
                account_id: u64::MAX,
                name: "Ada".into(),
                email: "ada@example.com".into(),
                role: Role::LogsViewer,
                at: i64::MAX,
            },
            Mutation::SetUserRole {
                user_id: 0,
                role: Role::BillingAdmin,
            },
            Mutation::SetApi {
                account_id: 300,
                enabled: true,
                account_key_hash: Some(KeyHash::of("account key")),
                at: i64::MIN,
            },
            Mutation::SetApi {
                account_id: 1,
                enabled: false,
                account_key_hash: None,
                at: 1_700_000_000,
            },
            Mutation::CreateUserKey(UserKeyRecord {
                account_id: 7,
                owner_id: 9,
                name: "ci-deploy-key".into(),
                secret_hash: KeyHash::of("user key"),
                allow_list: vec!["10.0.0.0/8".into(), "2001:db8::/32".into()],
                created_at: 1_700_000_000,
            }),
            Mutation::SetAllowList {
                account_id: 7,
                name: "ci-deploy-key".into(),
                allow_list: vec![],
            },
            Mutation::DeleteUserKey {
                account_id: 7,
                name: "ci-deploy-key".into(),
            },
        ]
    }

    #[test]
    fn every_kind_round_trips() {
        for m in every_kind() {
            assert_eq!(Mutation::decode(&m.encode()), Ok(m.clone()), "{m:?}");
        }
        for role in Role::ALL {
            assert_eq!(role_of(role_code(role)), Some(role));
        }
    }

    #[test]
    fn every_truncation_and_any_trailing_byte_is_refused() {
        for m in every_kind() {
            let bytes = m.encode();
            for cut in 0..bytes.len() {
                assert_eq!(Mutation::decode(&bytes[..cut]), Err(UndecodableMutation));
            }
            let mut longer = bytes.clone();
            longer.push(0);
            assert_eq!(Mutation::decode(&longer), Err(UndecodableMutation));
        }
    }

    #[test]
    fn another_format_kind_or_damage_is_refused() {
        let bytes = every_kind()[0].encode();
        let mut other_format = bytes.clone();
        other_format[0] = 2;
        assert_eq!(Mutation::decode(&other_format), Err(UndecodableMutation));
        let mut other_kind = bytes.clone();
        other_kind[1] = 8;
        assert_eq!(Mutation::decode(&other_kind), Err(UndecodableMutation));
        // A role code out of range; a flag that is neither 0 nor 1.
        let mut bad_role = every_kind()[2].encode();
        *bad_role.last_mut().unwrap() = 5;
        assert_eq!(Mutation::decode(&bad_role), Err(UndecodableMutation));
        let mut bad_flag = every_kind()[4].encode();
        bad_flag[3] = 2;
        assert_eq!(Mutation::decode(&bad_flag), Err(UndecodableMutation));
        // Invalid UTF-8 in a name.
        let mut bad_text = Mutation::DeleteUserKey {
            account_id: 1,
            name: "ab".into(),
        }
        .encode();
        *bad_text.last_mut().unwrap() = 0xff;
        assert_eq!(Mutation::decode(&bad_text), Err(UndecodableMutation));
        // An overlong varint.
        assert_eq!(
            Mutation::decode(&[
                1,
                SET_USER_ROLE,
                0xff,
                0xff,
                0xff,
                0xff,
                0xff,
                0xff,
                0xff,
                0xff,
                0xff,
                0x02,
                0
            ]),
            Err(UndecodableMutation)
        );
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        // A cheap deterministic sweep (xorshift) over short inputs.
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 48) as usize;
            let mut bytes: Vec<u8> = (0..len)
                .map(|i| (seed.rotate_left(i as u32 * 5) & 0xff) as u8)
                .collect();
            if len >= 2 {
                bytes[0] = 1;
                bytes[1] = (seed % 8) as u8;
            }
            let _ = Mutation::decode(&bytes);
        }
    }

    #[test]
    fn a_key_is_never_encoded_only_its_digest() {
        let secret = "my-very-secret-user-key";
        let m = Mutation::CreateUserKey(UserKeyRecord {
            account_id: 1,
            owner_id: 1,
            name: "ci-deploy-key".into(),
            secret_hash: KeyHash::of(secret),
            allow_list: vec![],
            created_at: 0,
        });
        let bytes = m.encode();
        assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()));
        assert!(bytes
            .windows(32)
            .any(|w| w == KeyHash::of(secret).as_bytes()));
    }
}
