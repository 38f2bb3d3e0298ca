/// Which addresses the fetcher may connect to. Public unicast only, by default: a URL (or a
/// DNS name, or a redirect) must not turn the daemon into a probe of its own host, its LAN or
/// a cloud metadata service. Networks on the allowlist are let through whatever they are.
public struct AddressPolicy: Sendable {
    public let allowed: [IPNetwork]

    public init(allowed: [IPNetwork] = []) {
        self.allowed = allowed
    }

    /// Why connecting to `address` is refused, or nil when it is allowed.
    public func refusal(for address: IPAddress) -> String? {
        let target = address.unmapped
        if allowed.contains(where: { $0.contains(target) || $0.contains(address) }) { return nil }
        guard let blocked = Self.blocked.first(where: { $0.network.contains(target) }) else { return nil }
        let mapped = target == address ? "" : " (as \(address))"
        return "\(target)\(mapped) is a \(blocked.kind) address (\(blocked.network))"
    }

    /// The special-purpose ranges (RFC 6890 and its successors) that are not the public Internet.
    static let blocked: [(network: IPNetwork, kind: String)] = [
        ("0.0.0.0/8", "unspecified (\"this network\")"), ("10.0.0.0/8", "private"), ("100.64.0.0/10", "CGNAT shared"),
        ("127.0.0.0/8", "loopback"), ("169.254.0.0/16", "link-local"), ("172.16.0.0/12", "private"),
        ("192.0.0.0/24", "IETF protocol-assignment"), ("192.0.2.0/24", "documentation"), ("192.168.0.0/16", "private"),
        ("198.18.0.0/15", "benchmarking"), ("198.51.100.0/24", "documentation"), ("203.0.113.0/24", "documentation"),
        ("224.0.0.0/4", "multicast"), ("240.0.0.0/4", "reserved"),
        ("::/128", "unspecified"), ("::1/128", "loopback"), ("100::/64", "discard-only"),
        ("2001:db8::/32", "documentation"), ("fc00::/7", "unique local (ULA)"), ("fe80::/10", "link-local"),
        ("fec0::/10", "site-local (deprecated)"), ("ff00::/8", "multicast"),
    ].map { (IPNetwork($0.0)!, $0.1) }
}
