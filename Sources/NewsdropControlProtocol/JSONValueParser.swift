/// A strict JSON parser (RFC 8259) that reads one request line straight into `JSONValue`.
///
/// Foundation's `JSONDecoder` reached `JSONValue` only by trying each type in turn and throwing
/// a `DecodingError` for every miss: a third of a `status` round trip went into decoding
/// `{"id":1,"cmd":"status"}`. This parser makes one pass over the bytes. Numbers whose value
/// is a whole number that fits in 64 bits are integers (`1e3` too, as the decoder had it), the
/// rest doubles; strings must be
/// valid UTF-8 with escaped control characters; when a key repeats, its last value counts; and
/// nesting deeper than `maximumDepth` is refused as soon as it is reached, so hostile input
/// cannot exhaust the stack.
public enum JSONValueParser {
    public enum Failure: Error, Equatable {
        case invalid
        case tooDeep
    }

    public static func parse(_ bytes: some Collection<UInt8>, maximumDepth: Int) throws(Failure) -> JSONValue {
        let contiguous = Array(bytes)
        return try contiguous.withUnsafeBufferPointer { buffer throws(Failure) in
            var reader = Reader(bytes: buffer, maximumDepth: maximumDepth)
            let value = try reader.value(depth: 0)
            reader.skipWhitespace()
            guard reader.position == buffer.count else { throw .invalid }
            return value
        }
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        let maximumDepth: Int
        var position = 0

        init(bytes: UnsafeBufferPointer<UInt8>, maximumDepth: Int) {
            self.bytes = bytes
            self.maximumDepth = maximumDepth
        }

        mutating func skipWhitespace() {
            while position < bytes.count {
                switch bytes[position] {
                case 0x20, 0x09, 0x0A, 0x0D: position += 1
                default: return
                }
            }
        }

        private func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func value(depth: Int) throws(Failure) -> JSONValue {
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: "{"): return try object(depth: depth + 1)
            case UInt8(ascii: "["): return try array(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case let byte? where byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte):
                return try number()
            default: throw .invalid
            }
        }

        private mutating func literal(_ word: StaticString) throws(Failure) {
            let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
            guard bytes.count - position >= expected.count,
                  bytes[position..<position + expected.count].elementsEqual(expected) else { throw .invalid }
            position += expected.count
        }

        private mutating func object(depth: Int) throws(Failure) -> JSONValue {
            guard depth <= maximumDepth else { throw .tooDeep }
            position += 1
            var members: [String: JSONValue] = [:]
            skipWhitespace()
            if peek() == UInt8(ascii: "}") { position += 1; return .object(members) }
            while true {
                skipWhitespace()
                guard peek() == UInt8(ascii: "\"") else { throw .invalid }
                let key = try string()
                skipWhitespace()
                guard peek() == UInt8(ascii: ":") else { throw .invalid }
                position += 1
                members[key] = try value(depth: depth)
                skipWhitespace()
                switch peek() {
                case UInt8(ascii: ","): position += 1
                case UInt8(ascii: "}"): position += 1; return .object(members)
                default: throw .invalid
                }
            }
        }

        private mutating func array(depth: Int) throws(Failure) -> JSONValue {
            guard depth <= maximumDepth else { throw .tooDeep }
            position += 1
            var elements: [JSONValue] = []
            skipWhitespace()
            if peek() == UInt8(ascii: "]") { position += 1; return .array(elements) }
            while true {
                elements.append(try value(depth: depth))
                skipWhitespace()
                switch peek() {
                case UInt8(ascii: ","): position += 1
                case UInt8(ascii: "]"): position += 1; return .array(elements)
                default: throw .invalid
                }
            }
        }

        /// A string from its opening quote; the common case, no escapes, is one validated copy.
        private mutating func string() throws(Failure) -> String {
            position += 1
            let start = position
            while position < bytes.count, bytes[position] != UInt8(ascii: "\""), bytes[position] != UInt8(ascii: "\\") {
                guard bytes[position] >= 0x20 else { throw .invalid }
                position += 1
            }
            guard position < bytes.count else { throw .invalid }
            var utf8 = Array(bytes[start..<position])
            while bytes[position] == UInt8(ascii: "\\") {
                position += 1
                guard let escape = peek() else { throw .invalid }
                position += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"): utf8.append(contentsOf: String(try escapedScalar()).utf8)
                default: throw .invalid
                }
                while position < bytes.count, bytes[position] != UInt8(ascii: "\""), bytes[position] != UInt8(ascii: "\\") {
                    guard bytes[position] >= 0x20 else { throw .invalid }
                    utf8.append(bytes[position])
                    position += 1
                }
                guard position < bytes.count else { throw .invalid }
            }
            position += 1
            guard let text = String(validating: utf8, as: UTF8.self) else { throw .invalid }
            return text
        }

        /// The scalar of a `\u` escape (its `\u` already read), a surrogate pair taken whole.
        private mutating func escapedScalar() throws(Failure) -> Unicode.Scalar {
            let first = try hexUnit()
            if (0xD800..<0xDC00).contains(first) {
                guard literalFollows("\\u") else { throw .invalid }
                let second = try hexUnit()
                guard (0xDC00..<0xE000).contains(second) else { throw .invalid }
                return Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))!
            }
            guard let scalar = Unicode.Scalar(first) else { throw .invalid }  // a lone low surrogate
            return scalar
        }

        private mutating func literalFollows(_ text: StaticString) -> Bool {
            (try? literal(text)) != nil
        }

        private mutating func hexUnit() throws(Failure) -> UInt32 {
            guard bytes.count - position >= 4 else { throw .invalid }
            var unit: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[position]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw .invalid
                }
                unit = unit << 4 | UInt32(digit)
                position += 1
            }
            return unit
        }

        /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, as RFC 8259 has it.
        private mutating func number() throws(Failure) -> JSONValue {
            let start = position
            if peek() == UInt8(ascii: "-") { position += 1 }
            if peek() == UInt8(ascii: "0") {
                position += 1
            } else {
                guard digits() > 0 else { throw .invalid }
            }
            var integral = true
            if peek() == UInt8(ascii: ".") {
                integral = false
                position += 1
                guard digits() > 0 else { throw .invalid }
            }
            if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
                integral = false
                position += 1
                if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { position += 1 }
                guard digits() > 0 else { throw .invalid }
            }
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            if integral, let integer = Int64(text) { return .integer(integer) }
            guard let number = Double(text), number.isFinite else { throw .invalid }
            return Int64(exactly: number).map(JSONValue.integer) ?? .number(number)
        }

        private mutating func digits() -> Int {
            let start = position
            while let byte = peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { position += 1 }
            return position - start
        }
    }
}
