import Foundation

/// A list of 64-bit integers as a BLOB: a version byte, then little-endian values. Used for the
/// small per-story lists (posted terms, recent members).
enum IntegerBlob {
    private static let version: UInt8 = 1

    static func encode(_ values: [UInt64]) -> Data {
        // Sized once and filled in place: appending eight bytes at a time to a `Data` was a
        // seventh of saving a story (`perf record` of `newsdrop-bench stages`).
        var data = Data(count: 1 + values.count * 8)
        data.withUnsafeMutableBytes { bytes in
            bytes[0] = version
            for (index, value) in values.enumerated() {
                bytes.storeBytes(of: value.littleEndian, toByteOffset: 1 + 8 * index, as: UInt64.self)
            }
        }
        return data
    }

    /// Nil for a blob of another version or a length that is not whole values.
    static func decode(_ data: Data) -> [UInt64]? {
        guard data.first == version, (data.count - 1) % 8 == 0 else { return nil }
        return data.withUnsafeBytes { bytes in
            stride(from: 1, to: bytes.count, by: 8).map { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: $0, as: UInt64.self)) }
        }
    }
}
