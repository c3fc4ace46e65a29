//! [`AllowList`]: a user key's CIDR allow list, validated when written and
//! checked in O(log n) against merged, sorted address ranges.

use std::net::IpAddr;

use ipnet::IpNet;

/// Most entries an allow list may hold.
pub const ALLOW_LIST_MAX: usize = 1000;

/// Why a list of CIDRs (an allow list, trusted proxies) was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CidrError {
    /// An entry is not a valid CIDR or IP address.
    #[error("invalid allow-list entry {entry:?}: {reason}")]
    Invalid {
        /// The entry as written.
        entry: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The list has more entries than allowed.
    #[error("an allow list holds at most {max} entries")]
    TooMany {
        /// The limit.
        max: usize,
    },
}

impl CidrError {
    /// Stable snake_case code, the same in every language (`invalid_cidr`,
    /// `allow_list_too_long`), as [`AdminError`](super::AdminError) reports it.
    pub fn code(&self) -> &'static str {
        match self {
            CidrError::Invalid { .. } => "invalid_cidr",
            CidrError::TooMany { .. } => "allow_list_too_long",
        }
    }
}

/// A validated CIDR allow list. Empty allows every source.
///
/// Entries are IPv4 or IPv6 CIDRs (`10.0.0.0/8`, `2001:db8::/32`) or bare
/// addresses (taken as `/32` or `/128`). An entry with host bits set
/// (`10.1.2.3/8`) is rejected, naming the network it probably meant, rather
/// than silently widened or narrowed. IPv4-mapped IPv6 entries
/// (`::ffff:10.0.0.0/104`) are rejected: write them as IPv4, which also
/// matches IPv4-mapped peers.
///
/// ```
/// use std::net::IpAddr;
/// use redis_cloud_auth::verify::AllowList;
///
/// let list = AllowList::parse(["10.0.0.0/8", "2001:db8::/32", "192.0.2.7"])?;
/// assert_eq!(list.entries(), ["10.0.0.0/8", "2001:db8::/32", "192.0.2.7/32"]);
/// assert!(list.allows("10.20.30.40".parse::<IpAddr>()?));
/// assert!(list.allows("::ffff:10.0.0.1".parse::<IpAddr>()?));
/// assert!(!list.allows("192.0.2.8".parse::<IpAddr>()?));
/// assert!(AllowList::parse(["10.1.2.3/8"]).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[repr(C)] // the ranges checked on every request come first
pub struct AllowList {
    v4: V4Ranges,
    v6: Vec<(u128, u128)>,
    entries: Vec<String>,
}

/// IPv4 ranges held inline up to this many, so checking a typical list
/// reads the memory the key's index entry already brought into cache.
const V4_INLINE: usize = 16;

/// Merged IPv4 ranges: inline when few, on the heap otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
enum V4Ranges {
    Inline {
        len: u8,
        ranges: [(u32, u32); V4_INLINE],
    },
    Heap(Box<[(u32, u32)]>),
}

impl Default for V4Ranges {
    fn default() -> Self {
        V4Ranges::from(Vec::new())
    }
}

impl From<Vec<(u32, u32)>> for V4Ranges {
    fn from(ranges: Vec<(u32, u32)>) -> Self {
        if ranges.len() <= V4_INLINE {
            let mut inline = [(0, 0); V4_INLINE];
            inline[..ranges.len()].copy_from_slice(&ranges);
            V4Ranges::Inline {
                len: ranges.len() as u8,
                ranges: inline,
            }
        } else {
            V4Ranges::Heap(ranges.into_boxed_slice())
        }
    }
}

impl V4Ranges {
    fn as_slice(&self) -> &[(u32, u32)] {
        match self {
            V4Ranges::Inline { len, ranges } => &ranges[..*len as usize],
            V4Ranges::Heap(ranges) => ranges,
        }
    }
}

impl AllowList {
    /// Validates and normalises `entries`; exact duplicates are dropped.
    pub fn parse<I, S>(entries: I) -> Result<Self, CidrError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut nets: Vec<IpNet> = Vec::new();
        for raw in entries {
            let net = parse_entry(raw.as_ref())?;
            if !nets.contains(&net) {
                nets.push(net);
            }
            if nets.len() > ALLOW_LIST_MAX {
                return Err(CidrError::TooMany {
                    max: ALLOW_LIST_MAX,
                });
            }
        }
        let mut v4 = Vec::new();
        let mut v6 = Vec::new();
        for net in &nets {
            match net {
                IpNet::V4(n) => v4.push((u32::from(n.network()), u32::from(n.broadcast()))),
                IpNet::V6(n) => v6.push((u128::from(n.network()), u128::from(n.broadcast()))),
            }
        }
        Ok(AllowList {
            v4: merged(v4).into(),
            v6: merged(v6),
            entries: nets.iter().map(IpNet::to_string).collect(),
        })
    }

    /// The normalised entries, in the order written.
    pub fn entries(&self) -> &[String] {
        &self.entries
    }

    /// True when the list has no entries (every source allowed).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether `ip` may use the key. An IPv4-mapped IPv6 address is checked
    /// as the IPv4 address it carries.
    pub fn allows(&self, ip: IpAddr) -> bool {
        if self.entries.is_empty() {
            return true;
        }
        match canonical(ip) {
            IpAddr::V4(v4) => in_ranges(self.v4.as_slice(), u32::from(v4)),
            IpAddr::V6(v6) => in_ranges(&self.v6, u128::from(v6)),
        }
    }
}

/// The address itself, or the IPv4 address an IPv4-mapped IPv6 address carries.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    }
}

fn parse_entry(raw: &str) -> Result<IpNet, CidrError> {
    let text = raw.trim();
    let invalid = |reason: String| CidrError::Invalid {
        entry: raw.to_string(),
        reason,
    };
    if text.is_empty() {
        return Err(invalid("empty entry".into()));
    }
    let net = if text.contains('/') {
        let net: IpNet = text.parse().map_err(|_| {
            let (addr, prefix) = text.split_once('/').unwrap_or((text, ""));
            if addr.parse::<IpAddr>().is_err() {
                invalid("not an IP address".into())
            } else {
                invalid(format!("bad prefix length {prefix:?}"))
            }
        })?;
        if net.trunc() != net {
            return Err(invalid(format!(
                "host bits are set; the network is {}",
                net.trunc()
            )));
        }
        net
    } else {
        let addr: IpAddr = text
            .parse()
            .map_err(|_| invalid("not an IP address or CIDR".into()))?;
        IpNet::from(addr)
    };
    if let IpNet::V6(v6) = net {
        if v6.network().to_ipv4_mapped().is_some() && v6.prefix_len() >= 96 {
            return Err(invalid("IPv4-mapped IPv6; write it as IPv4".into()));
        }
    }
    Ok(net)
}

fn merged<T: Ord + Copy + One>(mut ranges: Vec<(T, T)>) -> Vec<(T, T)> {
    ranges.sort_unstable();
    let mut out: Vec<(T, T)> = Vec::with_capacity(ranges.len());
    for (start, end) in ranges {
        match out.last_mut() {
            Some(last) if last.1 == T::MAX || start <= last.1.plus_one() => {
                if end > last.1 {
                    last.1 = end;
                }
            }
            _ => out.push((start, end)),
        }
    }
    out
}

fn in_ranges<T: Ord + Copy>(ranges: &[(T, T)], ip: T) -> bool {
    // The last range starting at or below `ip` is the only candidate.
    let after = ranges.partition_point(|r| r.0 <= ip);
    after > 0 && ip <= ranges[after - 1].1
}

trait One: Sized {
    const MAX: Self;
    fn plus_one(self) -> Self;
}

impl One for u32 {
    const MAX: Self = u32::MAX;
    fn plus_one(self) -> Self {
        self + 1
    }
}

impl One for u128 {
    const MAX: Self = u128::MAX;
    fn plus_one(self) -> Self {
        self + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn empty_list_allows_everything() {
        let list = AllowList::parse(Vec::<String>::new()).unwrap();
        assert!(list.is_empty());
        assert!(list.allows(ip("203.0.113.9")));
        assert!(list.allows(ip("2001:db8::1")));
    }

    #[test]
    fn ipv4_ipv6_and_mapped_peers() {
        let list = AllowList::parse(["10.0.0.0/8", "2001:db8:1::/48"]).unwrap();
        assert!(list.allows(ip("10.0.0.0")));
        assert!(list.allows(ip("10.255.255.255")));
        assert!(!list.allows(ip("11.0.0.0")));
        assert!(!list.allows(ip("9.255.255.255")));
        assert!(list.allows(ip("::ffff:10.0.0.1")));
        assert!(!list.allows(ip("::ffff:11.0.0.1")));
        assert!(list.allows(ip("2001:db8:1:ffff::1")));
        assert!(!list.allows(ip("2001:db8:2::1")));
        // An IPv4 list never matches an IPv6 peer outside the mapped range.
        assert!(!list.allows(ip("::a00:1")));
    }

    #[test]
    fn bad_entries_are_rejected_with_a_reason() {
        for (entry, reason) in [
            ("10.0.0.0/33", "bad prefix length"),
            ("2001:db8::/129", "bad prefix length"),
            ("10.0.0.0/", "bad prefix length"),
            ("banana", "not an IP address"),
            ("banana/8", "not an IP address"),
            ("10.1.2.3/8", "host bits are set; the network is 10.0.0.0/8"),
            ("", "empty entry"),
            ("::ffff:10.0.0.0/104", "IPv4-mapped"),
        ] {
            match AllowList::parse([entry]) {
                Err(CidrError::Invalid {
                    entry: e,
                    reason: r,
                }) => {
                    assert_eq!(e, entry);
                    assert!(r.starts_with(reason), "{entry}: {r}");
                }
                other => panic!("{entry}: {other:?}"),
            }
        }
    }

    #[test]
    fn entries_are_normalised_and_deduplicated() {
        let list = AllowList::parse([" 192.0.2.1 ", "192.0.2.1/32", "::1"]).unwrap();
        assert_eq!(list.entries(), ["192.0.2.1/32", "::1/128"]);
    }

    #[test]
    fn adjacent_and_nested_ranges_merge() {
        let list =
            AllowList::parse(["10.0.0.0/9", "10.128.0.0/9", "10.1.0.0/16", "0.0.0.0/0"]).unwrap();
        assert_eq!(list.v4.as_slice(), [(0, u32::MAX)]);
        let list = AllowList::parse(["10.0.0.0/24", "10.0.1.0/24", "10.0.3.0/24"]).unwrap();
        assert_eq!(list.v4.as_slice().len(), 2);
        assert!(list.allows(ip("10.0.1.255")));
        assert!(!list.allows(ip("10.0.2.0")));
        assert!(list.allows(ip("10.0.3.0")));
    }

    #[test]
    fn a_thousand_entries_check_like_a_few() {
        let entries: Vec<String> = (0..1000)
            .map(|i| format!("10.{}.{}.0/24", i / 256, i % 256))
            .collect();
        let list = AllowList::parse(&entries).unwrap();
        assert_eq!(list.entries().len(), 1000);
        assert!(list.allows(ip("10.3.231.9")));
        assert!(!list.allows(ip("10.3.232.9")));
        assert_eq!(list.v4.as_slice().len(), 1, "adjacent /24s merge");
        let sparse: Vec<String> = (0..40).map(|i| format!("10.0.{}.0/24", i * 2)).collect();
        let sparse = AllowList::parse(&sparse).unwrap();
        assert!(matches!(sparse.v4, V4Ranges::Heap(_)));
        assert!(sparse.allows(ip("10.0.78.1")) && !sparse.allows(ip("10.0.79.1")));
        let small: Vec<String> = (0..16).map(|i| format!("10.0.{}.0/24", i * 2)).collect();
        let small = AllowList::parse(&small).unwrap();
        assert!(matches!(small.v4, V4Ranges::Inline { len: 16, .. }));

        let too_many: Vec<String> = (0..1001)
            .map(|i| format!("10.{}.{}.0/24", i / 256, i % 256))
            .collect();
        assert_eq!(
            AllowList::parse(&too_many).unwrap_err().code(),
            "allow_list_too_long"
        );
    }
}
