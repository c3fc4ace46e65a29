//! Numbers for the principals `authenticateSync` hands out, so that the
//! JavaScript layer builds the unchanging part of each one (account,
//! owner, key name) once and copies it on later calls instead of
//! creating seven properties across napi every time.
//!
//! A number is given to an (account, owner, key name) together with the
//! names and email it showed; when any of them reads differently later
//! (the store was replaced and reloaded), the principal gets a new number.
//! Numbers are never reused, so a number the JavaScript side still holds
//! always means what it meant.

use std::collections::HashMap;

use redis_cloud_auth::verify::{PrincipalRef, KEY_NAME_MAX};

/// How many principals are remembered before the table starts over.
const CAPACITY: usize = 1 << 17;

/// The unchanging part of a principal, as given a number.
pub struct Slot {
    pub account_id: u64,
    pub account_name: Box<str>,
    pub user_id: u64,
    pub owner_name: Box<str>,
    pub owner_email: Box<str>,
    pub key_name: Box<str>,
}

impl Slot {
    fn shows(&self, p: &PrincipalRef<'_>) -> bool {
        *self.account_name == *p.account_name
            && *self.owner_name == *p.owner_name
            && *self.owner_email == *p.owner_email
    }
}

/// The numbered principals of one verifier.
#[derive(Default)]
pub struct PrincipalSlots {
    /// (account, owner, key name) to the position in `slots`.
    positions: HashMap<Box<[u8]>, usize>,
    slots: Vec<Slot>,
    /// The number of `slots[0]`.
    base: u64,
}

/// (account, owner, key name) as bytes, on the stack for usual names.
struct LookupKey {
    bytes: [u8; 16 + KEY_NAME_MAX],
    len: usize,
    long: Option<Vec<u8>>,
}

impl LookupKey {
    fn of(p: &PrincipalRef<'_>) -> Self {
        let name = p.key_name.as_bytes();
        let mut key = LookupKey {
            bytes: [0; 16 + KEY_NAME_MAX],
            len: 16 + name.len(),
            long: None,
        };
        if name.len() <= KEY_NAME_MAX {
            key.bytes[..8].copy_from_slice(&p.account_id.to_le_bytes());
            key.bytes[8..16].copy_from_slice(&p.user_id.to_le_bytes());
            key.bytes[16..key.len].copy_from_slice(name);
        } else {
            let mut long = Vec::with_capacity(key.len);
            long.extend_from_slice(&p.account_id.to_le_bytes());
            long.extend_from_slice(&p.user_id.to_le_bytes());
            long.extend_from_slice(name);
            key.long = Some(long);
        }
        key
    }

    fn as_bytes(&self) -> &[u8] {
        self.long.as_deref().unwrap_or(&self.bytes[..self.len])
    }
}

impl PrincipalSlots {
    /// The number of `principal`'s unchanging part, given one if new.
    pub fn number(&mut self, principal: &PrincipalRef<'_>) -> u64 {
        let key = LookupKey::of(principal);
        if let Some(&at) = self.positions.get(key.as_bytes()) {
            if self.slots[at].shows(principal) {
                return self.base + at as u64;
            }
        }
        if self.slots.len() >= CAPACITY {
            self.base += self.slots.len() as u64;
            self.slots.clear();
            self.positions.clear();
        }
        let at = self.slots.len();
        self.slots.push(Slot {
            account_id: principal.account_id,
            account_name: principal.account_name.into(),
            user_id: principal.user_id,
            owner_name: principal.owner_name.into(),
            owner_email: principal.owner_email.into(),
            key_name: principal.key_name.into(),
        });
        self.positions.insert(key.as_bytes().into(), at);
        self.base + at as u64
    }

    /// The principal numbered `number`, while the table still holds it.
    pub fn get(&self, number: u64) -> Option<&Slot> {
        let at = usize::try_from(number.checked_sub(self.base)?).ok()?;
        self.slots.get(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal<'a>(account_name: &'a str, key_name: &'a str) -> PrincipalRef<'a> {
        PrincipalRef {
            account_id: 1,
            account_name,
            user_id: 2,
            owner_name: "Ada",
            owner_email: "ada@example.com",
            key_name,
            source_ip: "10.0.0.1".parse().unwrap(),
        }
    }

    #[test]
    fn the_same_principal_keeps_its_number() {
        let mut slots = PrincipalSlots::default();
        let a = slots.number(&principal("acme", "ci-deploy-key"));
        let b = slots.number(&principal("acme", "other-key-01"));
        assert_ne!(a, b);
        assert_eq!(slots.number(&principal("acme", "ci-deploy-key")), a);
        assert_eq!(&*slots.get(b).unwrap().key_name, "other-key-01");
    }

    #[test]
    fn a_principal_that_reads_differently_gets_a_new_number() {
        let mut slots = PrincipalSlots::default();
        let a = slots.number(&principal("acme", "ci-deploy-key"));
        let b = slots.number(&principal("renamed", "ci-deploy-key"));
        assert_ne!(a, b);
        assert_eq!(&*slots.get(b).unwrap().account_name, "renamed");
        // The old number still means the old principal.
        assert_eq!(&*slots.get(a).unwrap().account_name, "acme");
    }

    #[test]
    fn numbers_are_not_reused_when_the_table_starts_over() {
        let mut slots = PrincipalSlots::default();
        let names: Vec<String> = (0..CAPACITY + 1)
            .map(|i| format!("key-name-{i:08}"))
            .collect();
        let numbers: Vec<u64> = names
            .iter()
            .map(|n| slots.number(&principal("acme", n)))
            .collect();
        assert_eq!(numbers[CAPACITY], CAPACITY as u64);
        assert!(slots.get(0).is_none(), "the first table is gone");
        assert_eq!(
            &*slots.get(CAPACITY as u64).unwrap().key_name,
            names[CAPACITY]
        );
        let again = slots.number(&principal("acme", &names[0]));
        assert_eq!(again, CAPACITY as u64 + 1);
    }
}
