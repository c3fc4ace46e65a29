//! The in-memory store's system log of one account: its newest entries,
//! each kept in one allocation.

use std::collections::VecDeque;

use crate::api::SystemLogEntry;

/// One account's newest system-log entries, oldest first.
#[derive(Debug, Default)]
pub(super) struct PackedLog(VecDeque<PackedEntry>);

/// An entry's id and its texts end to end in one allocation: a sixth of
/// the allocations of a [`SystemLogEntry`], and about half its memory.
#[derive(Debug)]
struct PackedEntry {
    id: u64,
    /// `time`, `originator`, `api_key_name`, `resource`, `kind` and
    /// `description`, end to end.
    texts: Box<str>,
    /// Where each text but the last ends in `texts`.
    ends: [usize; 5],
    has_key_name: bool,
}

impl PackedLog {
    /// Appends `entry` under `id`, dropping the oldest entry when the log
    /// already holds `capacity`.
    pub(super) fn push(&mut self, id: u64, entry: &SystemLogEntry, capacity: usize) {
        while self.0.len() >= capacity.max(1) {
            self.0.pop_front();
        }
        self.0.push_back(PackedEntry::pack(id, entry));
    }

    /// At most `limit` entries, newest first, after the `offset` newest.
    pub(super) fn page(&self, offset: usize, limit: usize) -> Vec<SystemLogEntry> {
        let newest_first = self.0.iter().rev().skip(offset).take(limit);
        newest_first.map(PackedEntry::unpack).collect()
    }
}

impl PackedEntry {
    fn pack(id: u64, e: &SystemLogEntry) -> Self {
        let key_name = e.api_key_name.as_deref();
        let parts = [
            &*e.time,
            &*e.originator,
            key_name.unwrap_or_default(),
            &*e.resource,
            &*e.kind,
            &*e.description,
        ];
        let mut texts = String::with_capacity(parts.iter().map(|p| p.len()).sum());
        let mut ends = [0; 5];
        for (part, end) in parts.iter().zip(ends.iter_mut()) {
            texts.push_str(part);
            *end = texts.len();
        }
        texts.push_str(parts[5]);
        PackedEntry {
            id,
            texts: texts.into_boxed_str(),
            ends,
            has_key_name: key_name.is_some(),
        }
    }

    fn unpack(&self) -> SystemLogEntry {
        let [a, b, c, d, e] = self.ends;
        let text = |start: usize, end: usize| self.texts[start..end].to_owned();
        SystemLogEntry {
            id: self.id,
            time: text(0, a),
            originator: text(a, b),
            api_key_name: self.has_key_name.then(|| text(b, c)),
            resource: text(c, d),
            kind: text(d, e),
            description: text(e, self.texts.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(key_name: Option<&str>, description: &str) -> SystemLogEntry {
        SystemLogEntry {
            id: 0,
            time: "2026-12-07T12:00:00Z".into(),
            originator: "Ada".into(),
            api_key_name: key_name.map(str::to_owned),
            resource: "GET /v1/".into(),
            kind: "authentication".into(),
            description: description.into(),
        }
    }

    #[test]
    fn an_entry_reads_back_as_it_was_given_with_its_id() {
        let mut log = PackedLog::default();
        let with_key = entry(Some("ci-key-0001"), "authenticated from 10.0.0.1");
        // Empty texts, and one with a multi-byte character, keep their bounds.
        let without = SystemLogEntry {
            originator: String::new(),
            resource: "GET /v1/caf\u{e9}".into(),
            ..entry(None, "")
        };
        log.push(7, &with_key, 10);
        log.push(8, &without, 10);
        assert_eq!(
            log.page(0, 10),
            [
                SystemLogEntry { id: 8, ..without },
                SystemLogEntry { id: 7, ..with_key }
            ]
        );
    }

    #[test]
    fn the_oldest_entries_go_first_and_pages_count_from_the_newest() {
        let mut log = PackedLog::default();
        for id in 1..=5 {
            log.push(id, &entry(None, &format!("entry {id}")), 3);
        }
        let ids = |page: Vec<SystemLogEntry>| page.iter().map(|e| e.id).collect::<Vec<_>>();
        assert_eq!(ids(log.page(0, 10)), [5, 4, 3]);
        assert_eq!(ids(log.page(1, 1)), [4]);
        assert_eq!(log.page(0, 10)[2].description, "entry 3");
        assert!(log.page(3, 10).is_empty());
    }
}
