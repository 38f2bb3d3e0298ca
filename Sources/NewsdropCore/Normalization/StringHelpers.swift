extension StringProtocol {
    /// The text without leading and trailing white space (Unicode-aware, including NBSP).
    func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }),
              let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }

    /// Runs `body` on the text's UTF-8 as one buffer: in place for native strings and their
    /// substrings (walking a `UTF8View` by index costs several times more per byte), from a copy
    /// otherwise.
    func withUTF8Buffer<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        if let result = try utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = String(self)
        return try copy.withUTF8(body)
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// True when every byte is ASCII.
    var isASCII: Bool {
        var combined: UInt8 = 0
        for byte in self { combined |= byte }
        return combined < 0x80
    }
}
