import CLibcrypto

/// SHA-256, computed by the system's libcrypto and written as lower-case hex.
public enum ContentHash {
    public static func sha256Hex<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        let computed = bytes.withContiguousStorageIfAvailable { buffer in
            SHA256(buffer.baseAddress, buffer.count, &digest)
        }
        if computed == nil {
            let copy = Array(bytes)
            copy.withUnsafeBufferPointer { _ = SHA256($0.baseAddress, $0.count, &digest) }
        }
        return hex(digest)
    }

    public static func sha256Hex(_ text: String) -> String {
        var text = text
        return text.withUTF8 { sha256Hex($0) }
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var output = [UInt8]()
        output.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: output, as: UTF8.self)
    }
}
