import Foundation

/// A list of 64-bit integers as a BLOB: a version byte, then little-endian values. Used for the
/// small per-story lists (posted terms, recent members).
enum IntegerBlob {
    private static let version: UInt8 = 1

    static func encode(_ values: [UInt64]) -> Data {
        var data = Data([version])
        data.reserveCapacity(1 + values.count * 8)
        for value in values {
            withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
        }
        return data
    }

    /// Nil for a blob of another version or a length that is not whole values.
    static func decode(_ data: Data) -> [UInt64]? {
        guard data.first == version, (data.count - 1) % 8 == 0 else { return nil }
        let bytes = [UInt8](data.dropFirst())
        return stride(from: 0, to: bytes.count, by: 8).map { offset in
            bytes[offset..<(offset + 8)].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        }
    }
}
