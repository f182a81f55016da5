//! Where a webhook may go: `http(s)` URLs whose host resolves only to public addresses. Loopback,
//! private, link-local (cloud metadata at 169.254.169.254 among them), unique-local, CGNAT,
//! multicast and reserved ranges are refused, in every spelling: the URL parser turns
//! `0x7f000001`, `2130706433` and `0177.0.0.1` into 127.0.0.1, and IPv4 inside IPv6 (mapped,
//! NAT64) is judged as IPv4. The check runs at registration and again at every connection, on
//! the addresses the connection then uses (see [`super::delivery`]), so DNS rebinding between
//! the two cannot slip through.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why a URL is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("not a URL: {0}")]
    Malformed(String),
    #[error("only http and https URLs take webhooks")]
    Scheme,
    #[error("credentials in the URL are not allowed")]
    Credentials,
    #[error("{0} is not a public address")]
    Private(IpAddr),
    #[error("{0} does not resolve")]
    Unresolved(String),
}

/// Parses and checks what can be checked without the network.
pub fn parse(raw: &str) -> Result<url::Url, Refused> {
    let url = url::Url::parse(raw).map_err(|e| Refused::Malformed(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Refused::Scheme);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Refused::Credentials);
    }
    match url.host() {
        None => return Err(Refused::Malformed("no host".into())),
        Some(url::Host::Ipv4(ip)) if !is_public(IpAddr::V4(ip)) => return Err(Refused::Private(IpAddr::V4(ip))),
        Some(url::Host::Ipv6(ip)) if !is_public(IpAddr::V6(ip)) => return Err(Refused::Private(IpAddr::V6(ip))),
        _ => {}
    }
    Ok(url)
}

/// Resolves the URL's host and refuses it if any address it resolves to is not public.
pub async fn check(url: &url::Url) -> Result<(), Refused> {
    let host = url.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']').to_string();
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs = tokio::net::lookup_host((host.as_str(), port)).await.map_err(|_| Refused::Unresolved(host.clone()))?;
    let mut any = false;
    for a in addrs {
        any = true;
        if !is_public(a.ip()) {
            return Err(Refused::Private(a.ip()));
        }
    }
    if any {
        Ok(())
    } else {
        Err(Refused::Unresolved(host))
    }
}

pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => public_v6(v6),
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

fn public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return public_v4(v4);
    }
    let s = ip.segments();
    // NAT64 (64:ff9b::/96) carries an IPv4 address in its last 32 bits; the local-use NAT64
    // prefix (64:ff9b:1::/48) is private in itself.
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        return public_v4(Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8));
    }
    if s[0] == 0x64 && s[1] == 0xff9b && s[2] == 1 {
        return false;
    }
    // 6to4 (2002::/16) carries an IPv4 address in bits 16 to 48.
    if s[0] == 0x2002 {
        return public_v4(Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8));
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local, cloud metadata (fd00:ec2::254) among them
        || (s[0] & 0xffc0) == 0xfe80 // link-local
        || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
        || (s[0] == 0x2001 && s[1] == 0xdb8) // documentation
        || s[0..6] == [0, 0, 0, 0, 0, 0]) // IPv4-compatible (deprecated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_a_private_address_is_refused() {
        for url in [
            "http://127.0.0.1/hook",
            "http://0x7f000001/",
            "http://2130706433/",
            "http://0177.0.0.1/",
            "http://127.1/",
            "http://0.0.0.0/",
            "http://10.1.2.3/",
            "http://172.16.0.1/",
            "http://192.168.1.1/",
            "http://169.254.169.254/latest/meta-data/",
            "http://100.64.0.1/",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:7f00:1]/",
            "http://[64:ff9b::a00:1]/",
            "http://[fd00:ec2::254]/",
            "http://[fe80::1]/",
            "http://[fc00::1]/",
            "http://[fec0::1]/",
            "http://[64:ff9b:1::a00:1]/",
            "http://[2002:a9fe:a9fe::]/",
        ] {
            assert!(matches!(parse(url), Err(Refused::Private(_))), "{url}: {:?}", parse(url));
        }
    }

    #[test]
    fn public_addresses_and_names_pass_the_offline_check() {
        for url in ["https://93.184.215.14/x", "https://[2606:4700::1111]/", "https://hooks.example.com/tollgate"] {
            assert!(parse(url).is_ok(), "{url}");
        }
        assert_eq!(parse("ftp://example.com/").unwrap_err(), Refused::Scheme);
        assert_eq!(parse("https://user:pw@example.com/").unwrap_err(), Refused::Credentials);
        assert!(matches!(parse("not a url"), Err(Refused::Malformed(_))));
    }

    #[tokio::test]
    async fn names_are_judged_by_what_they_resolve_to() {
        let local = parse("http://localhost:8080/").unwrap();
        assert!(matches!(check(&local).await, Err(Refused::Private(_))));
    }
}
