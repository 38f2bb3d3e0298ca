/// A moment in UTC with one-second precision, stored and shown as ISO 8601 ("2022-01-18T00:00:00Z").
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var secondsSinceEpoch: Int64

    public init(secondsSinceEpoch: Int64) {
        self.secondsSinceEpoch = secondsSinceEpoch
    }

    /// Builds a timestamp from a civil date and time given at `utcOffsetSeconds` east of UTC.
    /// Returns nil when a field is out of range (month 13, 30 February, 25 o'clock).
    public init?(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0,
                 utcOffsetSeconds: Int = 0) {
        guard (1...12).contains(month), (1...CivilCalendar.daysIn(month: month, year: year)).contains(day),
              (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        let days = CivilCalendar.daysSinceEpoch(year: year, month: month, day: day)
        // A leap second (:60) is folded into the following second's neighbour, as POSIX time does.
        let seconds = days * 86_400 + Int64(hour * 3_600 + minute * 60 + min(second, 59))
        self.init(secondsSinceEpoch: seconds - Int64(utcOffsetSeconds))
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.secondsSinceEpoch < rhs.secondsSinceEpoch
    }

    /// "YYYY-MM-DDThh:mm:ssZ", the form every timestamp takes in the database.
    public var iso8601: String {
        let (days, secondOfDay) = secondsSinceEpoch.floorDivided(by: 86_400)
        let (year, month, day) = CivilCalendar.date(daysSinceEpoch: days)
        let hour = Int(secondOfDay / 3_600), minute = Int(secondOfDay % 3_600 / 60), second = Int(secondOfDay % 60)
        guard (0...9_999).contains(year) else {
            return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))Z"
        }
        // Digits written into the string's own 20 bytes: every article's row, sighting and story
        // carries a timestamp, and formatting through interpolation was 3% of recording (callgrind).
        return String(unsafeUninitializedCapacity: 20) { text in
            var offset = 0
            func append(_ value: Int, width: Int, then separator: Unicode.Scalar) {
                var value = value
                for index in (offset..<(offset + width)).reversed() {
                    text[index] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
                text[offset + width] = UInt8(ascii: separator)
                offset += width + 1
            }
            append(year, width: 4, then: "-")
            append(month, width: 2, then: "-")
            append(day, width: 2, then: "T")
            append(hour, width: 2, then: ":")
            append(minute, width: 2, then: ":")
            append(second, width: 2, then: "Z")
            return offset
        }
    }

    /// Whole days since 1970-01-01 (UTC): the unit of the story time window.
    public var daysSinceEpoch: Int64 { secondsSinceEpoch.floorDivided(by: 86_400).quotient }

    /// "YYYY-MM-DD" in UTC: the name of the day's folder under `processed/`.
    public var utcDay: String { String(iso8601.prefix(10)) }

    public var description: String { iso8601 }

    private func pad(_ value: some BinaryInteger, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

/// Proleptic Gregorian calendar arithmetic on plain integers, so that dates never depend on
/// the process's time zone or locale.
enum CivilCalendar {
    static func isLeap(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from 1970-01-01 to the given date (negative before it). The year is shifted to start
    /// in March so that the leap day falls at the end, which keeps the month lengths regular.
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let monthFromMarch = Int64(month > 2 ? month - 3 : month + 9)
        let dayOfYear = (153 * monthFromMarch + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The inverse of `daysSinceEpoch`.
    static func date(daysSinceEpoch: Int64) -> (year: Int, month: Int, day: Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }
}

extension Int64 {
    /// Division rounding toward negative infinity, with a remainder that is never negative.
    func floorDivided(by divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let quotient = self >= 0 ? self / divisor : -((-self + divisor - 1) / divisor)
        return (quotient, self - quotient * divisor)
    }
}
