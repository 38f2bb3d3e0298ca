/// Measures how deeply a JSON text nests arrays and objects, without parsing it, so that
/// hostile input can be refused before a recursive parser sees it.
public enum JSONNesting {
    /// The deepest nesting of `[` and `{`, counted outside strings.
    public static func depth<Bytes: Sequence>(of bytes: Bytes) -> Int where Bytes.Element == UInt8 {
        var depth = 0, deepest = 0, inString = false, escaped = false
        for byte in bytes {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            default:
                break
            }
        }
        return deepest
    }
}
