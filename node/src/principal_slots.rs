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

/// (account, owner, key name), inline: looking one up reads no pointer.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Identity {
    account_id: u64,
    user_id: u64,
    name_len: u8,
    name: [u8; KEY_NAME_MAX],
}

impl Identity {
    /// `None` for a key name longer than any valid one.
    fn of(p: &PrincipalRef<'_>) -> Option<Self> {
        let name = p.key_name.as_bytes();
        let mut identity = Identity {
            account_id: p.account_id,
            user_id: p.user_id,
            name_len: u8::try_from(name.len()).ok()?,
            name: [0; KEY_NAME_MAX],
        };
        identity.name.get_mut(..name.len())?.copy_from_slice(name);
        Some(identity)
    }
}

/// A numbered identity and the names it showed, in one allocation.
struct Known {
    number: u64,
    /// Account name, owner name and owner email, back to back.
    shown: Box<str>,
    /// Where the owner name and the email start in `shown`.
    cuts: (usize, usize),
}

impl Known {
    fn new(number: u64, p: &PrincipalRef<'_>) -> Self {
        let a = p.account_name.len();
        let b = a + p.owner_name.len();
        Known {
            number,
            shown: [p.account_name, p.owner_name, p.owner_email]
                .concat()
                .into(),
            cuts: (a, b),
        }
    }

    fn shows(&self, p: &PrincipalRef<'_>) -> bool {
        let (a, b) = self.cuts;
        self.shown.len() == b + p.owner_email.len()
            && a == p.account_name.len()
            && b == a + p.owner_name.len()
            && self.shown[..a] == *p.account_name
            && self.shown[a..b] == *p.owner_name
            && self.shown[b..] == *p.owner_email
    }
}

/// The numbered principals of one verifier.
#[derive(Default)]
pub struct PrincipalSlots {
    known: HashMap<Identity, Known>,
    /// The principals by number, from `base`.
    slots: Vec<Slot>,
    /// The number of `slots[0]`; a multiple of `CAPACITY`.
    base: u64,
}

impl PrincipalSlots {
    /// The number of `principal`'s unchanging part, given one if new.
    pub fn number(&mut self, principal: &PrincipalRef<'_>) -> u64 {
        let identity = Identity::of(principal);
        if let Some(known) = identity.and_then(|i| self.known.get(&i)) {
            if known.shows(principal) {
                return known.number;
            }
        }
        if self.slots.len() >= CAPACITY {
            self.base += self.slots.len() as u64;
            self.slots.clear();
            self.known.clear();
        }
        let number = self.base + self.slots.len() as u64;
        self.slots.push(Slot {
            account_id: principal.account_id,
            account_name: principal.account_name.into(),
            user_id: principal.user_id,
            owner_name: principal.owner_name.into(),
            owner_email: principal.owner_email.into(),
            key_name: principal.key_name.into(),
        });
        if let Some(identity) = identity {
            self.known.insert(identity, Known::new(number, principal));
        }
        number
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
    fn names_are_compared_whole_not_run_together() {
        let mut slots = PrincipalSlots::default();
        let mut p = principal("ab", "ci-deploy-key");
        p.owner_name = "c";
        let a = slots.number(&p);
        p.account_name = "a";
        p.owner_name = "bc";
        assert_ne!(slots.number(&p), a);
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
