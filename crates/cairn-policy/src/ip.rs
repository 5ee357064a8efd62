//! CIDR matching for `IpAddress`/`NotIpAddress` (IPv4 and IPv6, RFC 4632 /
//! RFC 4291 notation). A bare address means a single-host range.

use std::net::IpAddr;

/// Whether `address` (a request value such as `aws:SourceIp`) lies in `cidr`.
/// Unreadable values and mixed address families never match.
pub fn in_range(cidr: &str, address: &str) -> bool {
    let Some((network, prefix)) = parse_cidr(cidr) else {
        return false;
    };
    let Ok(address) = address.trim().parse::<IpAddr>() else {
        return false;
    };
    match (network, address) {
        (IpAddr::V4(n), IpAddr::V4(a)) => same_prefix(
            u128::from(u32::from(n)) << 96,
            u128::from(u32::from(a)) << 96,
            prefix,
        ),
        (IpAddr::V6(n), IpAddr::V6(a)) => same_prefix(u128::from(n), u128::from(a), prefix),
        _ => false,
    }
}

/// `(network, prefix length)`; the prefix of a bare address is its full width.
pub(crate) fn parse_cidr(cidr: &str) -> Option<(IpAddr, u32)> {
    let (addr, prefix) = match cidr.trim().split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (cidr.trim(), None),
    };
    let addr: IpAddr = addr.parse().ok()?;
    let width = if addr.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix {
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => p.parse().ok()?,
        Some(_) => return None,
        None => width,
    };
    (prefix <= width).then_some((addr, prefix))
}

/// Compares the top `prefix` bits of two left-aligned 128-bit values.
fn same_prefix(a: u128, b: u128, prefix: u32) -> bool {
    if prefix == 0 {
        return true;
    }
    let mask = u128::MAX << (128 - prefix);
    a & mask == b & mask
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_rows() {
        // Values from the IpAddress examples of the condition operators page.
        let rows: &[(&str, &str, bool)] = &[
            ("203.0.113.0/24", "203.0.113.7", true),
            ("203.0.113.0/24", "203.0.114.7", false),
            ("203.0.113.7", "203.0.113.7", true),
            ("203.0.113.7/32", "203.0.113.8", false),
            ("0.0.0.0/0", "198.51.100.1", true),
            ("10.0.0.0/8", "10.255.255.255", true),
            ("2001:DB8:1234:5678::/64", "2001:db8:1234:5678::1", true),
            ("2001:DB8:1234:5678::/64", "2001:db8:1234:5679::1", false),
            ("::/0", "::1", true),
            ("203.0.113.0/24", "2001:db8::1", false),
            ("203.0.113.0/33", "203.0.113.1", false),
            ("not-an-ip", "203.0.113.1", false),
            ("203.0.113.0/24", "garbage", false),
        ];
        for (cidr, addr, want) in rows {
            assert_eq!(in_range(cidr, addr), *want, "{cidr} ∋ {addr}");
        }
    }
}
