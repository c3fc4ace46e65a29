//! [`TrustedProxies::source_ip`] on arbitrary `X-Forwarded-For` values.
//!
//! Input: the first line is the peer address; the second holds trusted
//! networks separated by spaces; every further line is one
//! `X-Forwarded-For` header value. Lines that do not parse fall back to
//! `127.0.0.1` (peer) or are skipped (networks).

use std::net::{IpAddr, SocketAddr};

use ipnet::IpNet;
use redis_cloud_auth::verify::{canonical, AuthRequest, TrustedProxies};

/// A reference hop parser: an address, a socket address's IP, or a
/// bracketed IPv6 address.
fn reference_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            hop.strip_prefix('[')?
                .strip_suffix(']')?
                .parse::<std::net::Ipv6Addr>()
                .ok()
                .map(IpAddr::V6)
        })
}

/// The walk as documented, written independently: right to left while the
/// current address is trusted; an entry it needs that is not an address
/// makes the source unknown, named by the trusted address that appended it
/// and its position from the right (`Err((proxy, position))`).
fn reference(
    proxies: &TrustedProxies,
    peer: IpAddr,
    values: &[&str],
) -> Result<IpAddr, (IpAddr, usize)> {
    let trusted = |ip: IpAddr| proxies.nets().iter().any(|n| n.contains(&canonical(ip)));
    let mut current = canonical(peer);
    if !trusted(current) {
        return Ok(current);
    }
    let joined = values.join(",");
    for (index, hop) in joined.split(',').rev().enumerate() {
        if !trusted(current) {
            break;
        }
        match reference_hop(hop) {
            Some(ip) => current = canonical(ip),
            None => return Err((current, index + 1)),
        }
    }
    Ok(current)
}

/// The check: no panic; the answer is never an IPv4-mapped address; an
/// untrusted peer is always the source; an unknown source is never
/// reported as an address; the answer equals the reference walk; the
/// request path gives the same answer.
pub fn check(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let peer: IpAddr = lines
        .next()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let nets: Vec<IpNet> = lines
        .next()
        .unwrap_or("")
        .split(' ')
        .filter_map(|n| n.parse().ok())
        .collect();
    let values: Vec<&str> = lines.collect();
    let proxies = TrustedProxies::new(nets);

    let source = proxies.source_ip(peer, values.iter().copied());
    if let Ok(IpAddr::V6(v6)) = source {
        assert!(v6.to_ipv4_mapped().is_none(), "mapped source {v6}");
    }
    if !proxies.trusts(peer) {
        assert_eq!(
            source,
            Ok(canonical(peer)),
            "an untrusted peer was overridden"
        );
    }
    if let Err(unknown) = source {
        assert!(
            proxies.trusts(unknown.proxy),
            "unknown behind an untrusted hop"
        );
        assert!(unknown.position >= 1, "position counts from 1");
    }
    assert_eq!(
        source.map_err(|u| (u.proxy, u.position)),
        reference(&proxies, peer, &values),
        "peer {peer}, proxies {:?}, values {values:?}",
        proxies.nets()
    );

    let headers: Vec<(&str, &[u8])> = values
        .iter()
        .map(|v| ("X-Forwarded-For", v.as_bytes()))
        .collect();
    let request = AuthRequest::from_pairs("GET", "/v1/", &headers, peer);
    assert_eq!(request.forwarded_for(), values);
}
