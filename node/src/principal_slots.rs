//! The principals `authenticateSync` hands out, by the core's key serial
//! (`PrincipalRef::key_serial`), so that the JavaScript layer
//! builds the unchanging part of each (account, owner, key name) once and
//! copies it on later calls instead of creating seven properties across
//! napi every time. A serial names one set of those fields for the life of
//! the process, so what the JavaScript side keeps by serial never goes
//! stale: a key deleted, created again or reloaded has a new serial.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use redis_cloud_auth::verify::PrincipalRef;

/// How many principals are kept before the table starts over.
const CAPACITY: usize = 1 << 17;

/// The unchanging part of a principal.
pub struct Slot {
    pub account_id: u64,
    pub account_name: Box<str>,
    pub user_id: u64,
    pub owner_name: Box<str>,
    pub owner_email: Box<str>,
    pub key_name: Box<str>,
}

impl From<&PrincipalRef<'_>> for Slot {
    fn from(p: &PrincipalRef<'_>) -> Self {
        Slot {
            account_id: p.account_id,
            account_name: p.account_name.into(),
            user_id: p.user_id,
            owner_name: p.owner_name.into(),
            owner_email: p.owner_email.into(),
            key_name: p.key_name.into(),
        }
    }
}

/// Spreads serials (consecutive integers) over the table.
#[derive(Default)]
pub struct SerialHasher(u64);

impl Hasher for SerialHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, serial: u64) {
        self.0 = serial.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// The principals of one verifier by key serial.
#[derive(Default)]
pub struct PrincipalSlots {
    slots: HashMap<u64, Slot, BuildHasherDefault<SerialHasher>>,
}

impl PrincipalSlots {
    /// Keeps `principal` under `serial` unless already kept.
    pub fn keep(&mut self, serial: u64, principal: &PrincipalRef<'_>) {
        if self.slots.contains_key(&serial) {
            return;
        }
        if self.slots.len() >= CAPACITY {
            self.slots.clear();
        }
        self.slots.insert(serial, Slot::from(principal));
    }

    /// The principal of key serial `serial`, while the table holds it.
    pub fn get(&self, serial: u64) -> Option<&Slot> {
        self.slots.get(&serial)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(key_name: &str) -> PrincipalRef<'_> {
        PrincipalRef {
            account_id: 1,
            account_name: "acme",
            user_id: 2,
            owner_name: "Ada",
            owner_email: "ada@example.com",
            key_name,
            source_ip: "10.0.0.1".parse().unwrap(),
            key_serial: 0,
        }
    }

    #[test]
    fn a_serial_keeps_the_fields_first_seen() {
        let mut slots = PrincipalSlots::default();
        slots.keep(7, &principal("ci-deploy-key"));
        slots.keep(7, &principal("never-stored-key"));
        slots.keep(8, &principal("other-key-01"));
        assert_eq!(&*slots.get(7).unwrap().key_name, "ci-deploy-key");
        assert_eq!(&*slots.get(8).unwrap().key_name, "other-key-01");
        assert!(slots.get(9).is_none());
    }

    #[test]
    fn a_full_table_starts_over_and_keeps_the_newest() {
        let mut slots = PrincipalSlots::default();
        for serial in 0..=CAPACITY as u64 {
            slots.keep(serial, &principal("ci-deploy-key"));
        }
        assert!(slots.get(0).is_none(), "the first table is gone");
        assert!(slots.get(CAPACITY as u64).is_some());
        assert!(slots.slots.len() == 1);
    }
}
