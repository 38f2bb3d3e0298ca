/// Parses the publication dates news producers write, into UTC.
///
/// Accepted, always as the whole string (so that a sentence is never mistaken for a date):
/// - ISO 8601 and its everyday variants: `2022-01-18`, `2022/01/18`, `2022-01-18T15:04:05Z`,
///   `2022-01-18 15:04:05.123+02:00`, `…+0200`, `…+02`.
/// - Compact `20220118`, optionally with `T150405Z`.
/// - RFC 2822 / HTTP: `Tue, 18 Jan 2022 15:04:05 +0000`, `… GMT`, `… EST`.
/// - Written dates: `January 18, 2022`, `Jan. 18, 2022`, `18 January 2022`, optionally with a
///   weekday and a time such as `10:30 a.m. EST`.
/// A date without a time is midnight UTC; a time without a zone is taken as UTC.
public enum DateParser {
    public static func parse(_ input: String) -> Timestamp? {
        let text = input.trimmingWhitespace()
        guard !text.isEmpty, text.utf8.count <= 64 else { return nil }
        return parseNumeric(Array(text.utf8)) ?? parseWritten(text)
    }

    // MARK: ISO 8601 and compact forms

    private static func parseNumeric(_ bytes: [UInt8]) -> Timestamp? {
        var scanner = ByteScanner(bytes)
        guard let year = scanner.digits(exactly: 4) else { return nil }
        let month: Int, day: Int
        if let separator = scanner.peek, separator == UInt8(ascii: "-") || separator == UInt8(ascii: "/") {
            scanner.advance()
            guard let m = scanner.digits(from: 1, to: 2), scanner.take(separator),
                  let d = scanner.digits(from: 1, to: 2) else { return nil }
            (month, day) = (m, d)
        } else {
            guard let m = scanner.digits(exactly: 2), let d = scanner.digits(exactly: 2) else { return nil }
            (month, day) = (m, d)
        }
        guard (1800...2200).contains(year) else { return nil }
        if scanner.isAtEnd { return Timestamp(year: year, month: month, day: day) }

        guard scanner.take(UInt8(ascii: "T")) || scanner.take(UInt8(ascii: "t")) || scanner.take(UInt8(ascii: " "))
        else { return nil }
        guard let hour = scanner.digits(exactly: 2) else { return nil }
        let extended = scanner.take(UInt8(ascii: ":"))
        guard let minute = scanner.digits(exactly: 2) else { return nil }
        var second = 0
        if extended ? scanner.take(UInt8(ascii: ":")) : scanner.peekIsDigit {
            guard let s = scanner.digits(exactly: 2) else { return nil }
            second = s
            if scanner.take(UInt8(ascii: ".")) || scanner.take(UInt8(ascii: ",")) {
                guard scanner.skipDigits() > 0 else { return nil }
            }
        }
        scanner.skipSpaces()
        guard let offset = scanner.zoneOffset(), scanner.isAtEnd else { return nil }
        return Timestamp(year: year, month: month, day: day, hour: hour, minute: minute, second: second,
                         utcOffsetSeconds: offset)
    }

    // MARK: RFC 2822 and written dates

    private static func parseWritten(_ text: String) -> Timestamp? {
        var tokens = WrittenDateToken.tokenize(text)[...]
        if case .word(let word)? = tokens.first, weekdays.contains(word) { tokens.removeFirst() }

        let year: Int, month: Int, day: Int
        switch (tokens.popFirst(), tokens.popFirst(), tokens.popFirst()) {
        case (.word(let name)?, .number(let d, _)?, .number(let y, 4)?):
            guard let m = monthNumber(name) else { return nil }
            (year, month, day) = (y, m, d)
        case (.number(let d, _)?, .word(let name)?, .number(let y, 4)?):
            guard let m = monthNumber(name) else { return nil }
            (year, month, day) = (y, m, d)
        default:
            return nil
        }
        guard (1800...2200).contains(year) else { return nil }
        if case .word("at")? = tokens.first { tokens.removeFirst() }

        var hour = 0, minute = 0, second = 0
        if case .number(let h, _)? = tokens.first, case .colon? = tokens.dropFirst().first {
            tokens.removeFirst(2)
            guard case .number(let m, 2)? = tokens.popFirst() else { return nil }
            (hour, minute) = (h, m)
            if case .colon? = tokens.first {
                tokens.removeFirst()
                guard case .number(let s, 2)? = tokens.popFirst() else { return nil }
                second = s
            }
            if case .word(let meridiem)? = tokens.first, meridiem == "am" || meridiem == "pm" {
                tokens.removeFirst()
                guard (1...12).contains(hour) else { return nil }
                hour = hour % 12 + (meridiem == "pm" ? 12 : 0)
            }
        }

        var offset = 0
        switch tokens.popFirst() {
        case nil:
            break
        case .word(let zone)?:
            guard let hours = zoneHours[zone] else { return nil }
            offset = hours * 3_600
        case .sign(let negative)?:
            guard case .number(let hhmm, 4)? = tokens.popFirst(), hhmm % 100 < 60 else { return nil }
            offset = (hhmm / 100 * 3_600 + hhmm % 100 * 60) * (negative ? -1 : 1)
        default:
            return nil
        }
        guard tokens.isEmpty else { return nil }
        return Timestamp(year: year, month: month, day: day, hour: hour, minute: minute, second: second,
                         utcOffsetSeconds: offset)
    }

    /// 1–12 for a lower-case month name or its abbreviation ("jan", "sept", "september").
    static func monthNumber(_ name: String) -> Int? {
        guard name.count >= 3 else { return nil }
        if let index = monthNames.firstIndex(where: { $0 == name || ($0.hasPrefix(name) && name.count <= 4) }) {
            return index + 1
        }
        return name == "sept" ? 9 : nil
    }

    private static let monthNames = [
        "january", "february", "march", "april", "may", "june",
        "july", "august", "september", "october", "november", "december",
    ]
    private static let weekdays: Set<String> = [
        "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    ]
    /// Zone names seen in news datelines. The US "ET"/"PT" family is read as standard time:
    /// an hour off in summer is better than no date at all.
    private static let zoneHours: [String: Int] = [
        "z": 0, "ut": 0, "utc": 0, "gmt": 0,
        "est": -5, "edt": -4, "et": -5, "cst": -6, "cdt": -5, "ct": -6,
        "mst": -7, "mdt": -6, "mt": -7, "pst": -8, "pdt": -7, "pt": -8,
        "bst": 1, "cet": 1, "cest": 2,
    ]
}

/// The pieces of a written date: words (lower-cased, dots dropped), numbers, a colon, a sign.
private enum WrittenDateToken: Equatable {
    case word(String)
    case number(Int, digits: Int)
    case colon
    case sign(negative: Bool)

    static func tokenize(_ text: String) -> [WrittenDateToken] {
        let characters = Array(text.lowercased())
        var tokens: [WrittenDateToken] = []
        var index = 0
        func run(from start: Int, while belongs: (Character) -> Bool) -> Int {
            var end = start
            while end < characters.count, characters[end].isASCII, belongs(characters[end]) { end += 1 }
            return end
        }
        while index < characters.count {
            let character = characters[index]
            if character.isASCII, character.isNumber {
                var end = run(from: index, while: \.isNumber)
                let digits = String(characters[index..<end])
                tokens.append(.number(digits.count <= 9 ? Int(digits)! : -1, digits: digits.count))
                // An ordinal suffix ("18th") belongs to its number.
                let suffixEnd = run(from: end, while: \.isLetter)
                if ["st", "nd", "rd", "th"].contains(String(characters[end..<suffixEnd])) { end = suffixEnd }
                index = end
            } else if character.isASCII, character.isLetter {
                let end = run(from: index, while: \.isLetter)
                tokens.append(.word(String(characters[index..<end])))
                index = end
            } else {
                switch character {
                case ":": tokens.append(.colon)
                case "+": tokens.append(.sign(negative: false))
                case "-", "−": tokens.append(.sign(negative: true))
                default: break  // spaces, commas and the dots of "Jan." or "a.m." separate tokens
                }
                index += 1
            }
        }
        return mergeMeridiem(tokens)
    }

    /// "a.m." tokenizes as "a", "m": join them back into one word.
    private static func mergeMeridiem(_ tokens: [WrittenDateToken]) -> [WrittenDateToken] {
        var merged: [WrittenDateToken] = []
        for token in tokens {
            if case .word("m") = token, case .word(let first)? = merged.last, first == "a" || first == "p" {
                merged[merged.count - 1] = .word(first + "m")
            } else {
                merged.append(token)
            }
        }
        return merged
    }
}

/// A cursor over ASCII bytes for the fixed-width numeric date forms.
private struct ByteScanner {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { index == bytes.count }
    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }
    var peekIsDigit: Bool { peek.map(Self.isDigit) ?? false }

    mutating func advance() { index += 1 }

    mutating func take(_ byte: UInt8) -> Bool {
        guard peek == byte else { return false }
        index += 1
        return true
    }

    mutating func digits(exactly count: Int) -> Int? { digits(from: count, to: count) }

    mutating func digits(from minimum: Int, to maximum: Int) -> Int? {
        var value = 0, taken = 0
        while taken < maximum, let byte = peek, Self.isDigit(byte) {
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            index += 1
            taken += 1
        }
        return taken >= minimum ? value : nil
    }

    mutating func skipDigits() -> Int {
        var skipped = 0
        while peekIsDigit { index += 1; skipped += 1 }
        return skipped
    }

    mutating func skipSpaces() {
        while peek == UInt8(ascii: " ") { index += 1 }
    }

    /// `Z`, `UTC`, `GMT`, `+hh:mm`, `+hhmm`, `+hh`, or nothing (UTC). Nil when malformed.
    mutating func zoneOffset() -> Int? {
        guard let byte = peek else { return 0 }
        switch byte {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
            return 0
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            index += 1
            guard let hours = digits(exactly: 2), hours <= 14 else { return nil }
            _ = take(UInt8(ascii: ":"))
            let minutes = digits(exactly: 2) ?? 0
            guard minutes < 60 else { return nil }
            let offset = hours * 3_600 + minutes * 60
            return byte == UInt8(ascii: "-") ? -offset : offset
        default:
            let rest = String(decoding: bytes[index...], as: UTF8.self).uppercased()
            guard rest == "UTC" || rest == "GMT" else { return nil }
            index = bytes.count
            return 0
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
}
