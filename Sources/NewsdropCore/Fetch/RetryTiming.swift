import Foundation

/// When to try a failed fetch again.
public enum RetryTiming {
    /// Exponential back-off with "equal jitter": attempt n (from 1) waits between half and all
    /// of `base`·2ⁿ⁻¹, capped at `maximum`. The random half spreads retries of many URLs that
    /// failed together (a host that went down) instead of bringing them back in one burst.
    /// `unitRandom` is in [0, 1); the caller passes a random one, tests a fixed one.
    public static func backoff(attempt: Int, base: Double, maximum: Double, unitRandom: Double) -> Double {
        let exponent = Double(min(max(attempt, 1) - 1, 62))
        let ceiling = min(maximum, base * pow(2, exponent))
        return ceiling / 2 + ceiling / 2 * min(max(unitRandom, 0), 1)
    }

    /// The delay a `Retry-After` header asks for, in seconds from `now`: delta-seconds or an
    /// HTTP-date (IMF-fixdate, RFC 850 or asctime form). A date in the past means 0; anything
    /// unreadable, nil.
    public static func retryAfter(_ value: String, now: Date) -> Double? {
        let text = value.trimmingWhitespace()
        if !text.isEmpty, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber) {
            return Double(text.prefix(10))  // more than ten digits: centuries, cap it
        }
        // asctime pads the day with a space ("Nov  6"): one space between fields for the formatter.
        let single = text.split(separator: " ").joined(separator: " ")
        for format in httpDateFormats {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: single) { return max(0, date.timeIntervalSince(now)) }
        }
        return nil
    }

    private static let httpDateFormats = [
        "EEE, dd MMM yyyy HH:mm:ss zzz",  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
        "EEEE, dd-MMM-yy HH:mm:ss zzz",  // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
        "EEE MMM d HH:mm:ss yyyy",  // asctime: Sun Nov  6 08:49:37 1994
    ]
}
