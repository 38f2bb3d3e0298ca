/// Reduces an article URL to one spelling per page, so that the same page reached through a
/// share button, a newsletter or a typed address compares equal.
///
/// The scheme and host are lower-cased, a default port is dropped, an empty path becomes `/`,
/// user information and the fragment are removed, and tracking parameters (`utm_*`, `fbclid`,
/// `gclid`, …) are dropped; the remaining parameters keep their order. Only `http` and `https`
/// URLs have a canonical form: anything else yields nil (the original is still kept).
public enum URLCanonicalizer {
    public static func canonicalize(_ input: String) -> String? {
        let url = input.trimmingWhitespace()
        guard url.utf8.count <= 8_192, !url.contains(where: { $0.isWhitespace }),
              let schemeEnd = url.range(of: "://") else { return nil }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }

        var rest = url[schemeEnd.upperBound...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        guard let hostAndPort = canonicalAuthority(String(authority), scheme: scheme) else { return nil }

        let pathAndQuery = rest[authorityEnd...]
        let queryStart = pathAndQuery.firstIndex(of: "?")
        var path = String(pathAndQuery[..<(queryStart ?? pathAndQuery.endIndex)])
        if path.isEmpty { path = "/" }
        var result = scheme + "://" + hostAndPort + path
        if let queryStart {
            let kept = pathAndQuery[pathAndQuery.index(after: queryStart)...]
                .split(separator: "&", omittingEmptySubsequences: true)
                .filter { !isTrackingParameter($0) }
            if !kept.isEmpty { result += "?" + kept.joined(separator: "&") }
        }
        return result
    }

    /// "Example.COM:443" → "example.com" for https. Nil for an empty host or a bad port.
    private static func canonicalAuthority(_ authority: String, scheme: String) -> String? {
        var host = Substring(authority), port: Substring?
        if authority.hasPrefix("[") {
            // An IPv6 literal: "[::1]:8080".
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[...close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { port = after.dropFirst() } else if !after.isEmpty { return nil }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            port = authority[authority.index(after: colon)...]
        }
        if host.hasSuffix(".") { host = host.dropLast() }  // "example.com." is the same host
        guard !host.isEmpty else { return nil }
        let lowerHost = host.lowercased()
        guard let port, !port.isEmpty else { return lowerHost }
        guard port.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(port), (1...65_535).contains(number)
        else { return nil }
        let isDefault = (scheme == "http" && number == 80) || (scheme == "https" && number == 443)
        return isDefault ? lowerHost : lowerHost + ":" + String(number)
    }

    private static func isTrackingParameter(_ parameter: Substring) -> Bool {
        let key = (parameter.split(separator: "=", maxSplits: 1).first ?? parameter).lowercased()
        return key.hasPrefix("utm_") || trackingKeys.contains(key)
    }

    /// Click identifiers and campaign tags added by ad networks, mailers and social sites.
    /// None of them changes which page is served.
    private static let trackingKeys: Set<String> = [
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
        "ttclid", "li_fat_id", "igshid", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi",
        "mkt_tok", "oly_anon_id", "oly_enc_id", "rb_clickid", "s_cid", "vero_id", "wickedid",
        "ref_src", "cmpid", "ocid", "smid", "sr_share",
    ]
}
