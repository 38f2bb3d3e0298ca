/// A file name exactly as the file system holds it. Names are bytes on Linux and need not be
/// UTF-8; newsdrop renames files by these bytes, so an odd name can never make it lose track
/// of a file. `display` is for logs and the database only.
public struct FileName: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    public init(_ string: String) {
        bytes = Array(string.utf8)
    }

    /// The name as text (invalid UTF-8 shown as U+FFFD).
    public var display: String { String(decoding: bytes, as: UTF8.self) }

    /// The name quoted and escaped for a log line, so a name holding a newline stays on one line.
    public var description: String { String(reflecting: display) }

    public func hasSuffix(_ suffix: String) -> Bool { bytes.reversed().starts(with: suffix.utf8.reversed()) }

    /// A path relative to a directory handle: `parent/self`.
    public func inside(_ parent: FileName) -> FileName {
        FileName(bytes: parent.bytes + [UInt8(ascii: "/")] + bytes)
    }

    public func withCString<Result>(_ body: (UnsafePointer<CChar>) throws -> Result) rethrows -> Result {
        try (bytes + [0]).withUnsafeBufferPointer { buffer in
            try buffer.withMemoryRebound(to: CChar.self) { try body($0.baseAddress!) }
        }
    }

    public static func < (lhs: FileName, rhs: FileName) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }
}
