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
/// current address is trusted, stopping at anything that is not an address.
fn reference(proxies: &TrustedProxies, peer: IpAddr, values: &[&str]) -> IpAddr {
    let trusted = |ip: IpAddr| proxies.nets().iter().any(|n| n.contains(&canonical(ip)));
    let mut current = canonical(peer);
    if !trusted(current) {
        return current;
    }
    let joined = values.join(",");
    for hop in joined.split(',').rev() {
        if !trusted(current) {
            break;
        }
        match reference_hop(hop) {
            Some(ip) => current = canonical(ip),
            None => break,
        }
    }
    current
}

/// The check: no panic; the answer is never an IPv4-mapped address; an
/// untrusted peer is always the source; the answer equals the reference
/// walk; the request path gives the same answer.
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
    if let IpAddr::V6(v6) = source {
        assert!(v6.to_ipv4_mapped().is_none(), "mapped source {source}");
    }
    if !proxies.trusts(peer) {
        assert_eq!(source, canonical(peer), "an untrusted peer was overridden");
    }
    assert_eq!(
        source,
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
