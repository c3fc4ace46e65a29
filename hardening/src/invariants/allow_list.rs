//! [`AllowList::parse`] and [`AllowList::allows`] on arbitrary entries.
//!
//! Input: one allow-list entry per line.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;
use redis_cloud_auth::verify::{canonical, AllowList, CidrError};

/// Addresses worth probing around a network: its ends and their neighbours,
/// and the IPv4-mapped IPv6 form of each IPv4 probe.
fn probes(nets: &[IpNet]) -> Vec<IpAddr> {
    let mut out: Vec<IpAddr> = vec![
        Ipv4Addr::UNSPECIFIED.into(),
        Ipv4Addr::BROADCAST.into(),
        Ipv6Addr::UNSPECIFIED.into(),
        Ipv6Addr::from(u128::MAX).into(),
        "::ffff:0.0.0.0".parse().unwrap(),
        "::ffff:255.255.255.255".parse().unwrap(),
    ];
    for net in nets {
        match net {
            IpNet::V4(n) => {
                let (lo, hi) = (u32::from(n.network()), u32::from(n.broadcast()));
                for v in [lo, hi, lo.wrapping_sub(1), hi.wrapping_add(1)] {
                    let v4 = Ipv4Addr::from(v);
                    out.push(v4.into());
                    out.push(v4.to_ipv6_mapped().into());
                }
            }
            IpNet::V6(n) => {
                let (lo, hi) = (u128::from(n.network()), u128::from(n.broadcast()));
                for v in [lo, hi, lo.wrapping_sub(1), hi.wrapping_add(1)] {
                    out.push(Ipv6Addr::from(v).into());
                }
            }
        }
    }
    out
}

/// The check: no panic; a refusal is `invalid_cidr` naming an input entry
/// (or `allow_list_too_long`); an accepted list re-parses to itself, holds
/// no IPv4-mapped entry, and `allows` agrees with a linear scan of its
/// networks at every network's edges.
pub fn check(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let entries: Vec<&str> = text.split('\n').collect();
    match AllowList::parse(&entries) {
        Ok(list) => {
            let again = AllowList::parse(list.entries()).expect("normalised entries parse");
            assert_eq!(again, list, "normalising is not idempotent");
            let nets: Vec<IpNet> = list
                .entries()
                .iter()
                .map(|e| e.parse().expect("a normalised entry is a CIDR"))
                .collect();
            for net in &nets {
                assert_eq!(net.trunc(), *net, "accepted an entry with host bits");
                if let IpNet::V6(v6) = net {
                    assert!(
                        v6.network().to_ipv4_mapped().is_none() || v6.prefix_len() < 96,
                        "accepted an IPv4-mapped entry {net}"
                    );
                }
            }
            for ip in probes(&nets) {
                let expected = nets.is_empty() || nets.iter().any(|n| n.contains(&canonical(ip)));
                assert_eq!(
                    list.allows(ip),
                    expected,
                    "allows({ip}) disagrees with a scan of {:?}",
                    list.entries()
                );
            }
        }
        Err(CidrError::Invalid { entry, reason }) => {
            assert!(entries.contains(&entry.as_str()), "error names {entry:?}");
            assert!(!reason.is_empty());
        }
        Err(CidrError::TooMany { .. }) => assert!(entries.len() > 1000),
    }
}
