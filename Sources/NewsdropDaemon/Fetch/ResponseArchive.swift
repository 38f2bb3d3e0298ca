import CZlib

/// The raw response kept for re-processing (`fetch.archive`): status line, headers, a blank
/// line, then the body as received (decoded from any Content-Encoding), zlib-compressed as a
/// whole. HTML compresses about 5:1, so archiving costs a fraction of the pages' size.
enum ResponseArchive {
    static func compressed(_ response: FetchResponse) -> [UInt8]? {
        var raw = Array((([response.statusLine] + response.headers.map { "\($0.name): \($0.value)" }).joined(separator: "\r\n")
            + "\r\n\r\n").utf8)
        raw += response.body
        var length = compressBound(uLong(raw.count))
        var output = [UInt8](repeating: 0, count: Int(length))
        guard compress2(&output, &length, raw, uLong(raw.count), 6) == Z_OK else { return nil }
        return Array(output.prefix(Int(length)))
    }
}
