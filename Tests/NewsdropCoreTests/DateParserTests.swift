import Foundation
import XCTest
@testable import NewsdropCore

final class DateParserTests: XCTestCase {
    private func assertParses(_ input: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(DateParser.parse(input)?.iso8601, expected, "input: \(input.debugDescription)", file: file, line: line)
    }

    private func assertRejects(_ input: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNil(DateParser.parse(input), "input: \(input.debugDescription)", file: file, line: line)
    }

    // MARK: the documented forms

    func testISODateOnlyIsMidnightUTC() {
        assertParses("2022-01-18", "2022-01-18T00:00:00Z")
        assertParses("2022/01/18", "2022-01-18T00:00:00Z")
        assertParses("2022-1-8", "2022-01-08T00:00:00Z")
    }

    func testISODateTimeForms() {
        assertParses("2022-01-18T15:04:05Z", "2022-01-18T15:04:05Z")
        assertParses("2022-01-18t15:04:05z", "2022-01-18T15:04:05Z")
        assertParses("2022-01-18 15:04:05.123+02:00", "2022-01-18T13:04:05Z")
        assertParses("2022-01-18 15:04:05.123+0200", "2022-01-18T13:04:05Z")
        assertParses("2022-01-18 15:04:05.123+02", "2022-01-18T13:04:05Z")
        assertParses("2022-01-18T15:04:05,5Z", "2022-01-18T15:04:05Z")
        assertParses("2022-01-18T15:04", "2022-01-18T15:04:00Z")
        assertParses("2022-01-18T15:04:05", "2022-01-18T15:04:05Z")  // no zone → UTC
        assertParses("2022-01-18T15:04:05 UTC", "2022-01-18T15:04:05Z")
        assertParses("2022-01-18T15:04:05 GMT", "2022-01-18T15:04:05Z")
    }

    func testISOZoneOffsets() {
        assertParses("2022-01-18T15:04:05+02:00", "2022-01-18T13:04:05Z")
        assertParses("2022-01-18T15:04:05-0500", "2022-01-18T20:04:05Z")
        assertParses("2022-01-18T15:04:05-05:30", "2022-01-18T20:34:05Z")
        assertParses("2022-01-18T23:30:00-02:00", "2022-01-19T01:30:00Z")  // crosses midnight
        assertParses("2022-01-01T01:00:00+05:00", "2021-12-31T20:00:00Z")  // crosses a year
        assertRejects("2022-01-18T15:04:05+15:00")  // no zone is 15 hours away
        assertRejects("2022-01-18T15:04:05+02:60")
        assertRejects("2022-01-18T15:04:05 EST")  // zone names belong to the written forms
    }

    func testCompactForms() {
        assertParses("20220118", "2022-01-18T00:00:00Z")
        assertParses("20220118T150405Z", "2022-01-18T15:04:05Z")
        assertParses("20230314", "2023-03-14T00:00:00Z")
    }

    func testRFC2822AndHTTPForms() {
        assertParses("Tue, 18 Jan 2022 15:04:05 +0000", "2022-01-18T15:04:05Z")
        assertParses("Tue, 18 Jan 2022 15:04:05 GMT", "2022-01-18T15:04:05Z")
        assertParses("Tue, 18 Jan 2022 15:04:05 EST", "2022-01-18T20:04:05Z")
        assertParses("Tue, 18 Jan 2022 15:04:05 -0500", "2022-01-18T20:04:05Z")
        assertParses("Tue, 18 Jan 2022 15:04:05 +0200", "2022-01-18T13:04:05Z")
        assertParses("18 Jan 2022 15:04:05 Z", "2022-01-18T15:04:05Z")
    }

    func testWrittenForms() {
        assertParses("January 18, 2022", "2022-01-18T00:00:00Z")
        assertParses("Jan. 18, 2022", "2022-01-18T00:00:00Z")
        assertParses("18 January 2022", "2022-01-18T00:00:00Z")
        assertParses("January 18th, 2022", "2022-01-18T00:00:00Z")
        assertParses("March 1st, 2022", "2022-03-01T00:00:00Z")
        assertParses("Sept. 2, 2021", "2021-09-02T00:00:00Z")
        assertParses("Tuesday, January 18, 2022", "2022-01-18T00:00:00Z")
        assertParses("JANUARY 18, 2022", "2022-01-18T00:00:00Z")
    }

    func testWrittenFormsWithTimeAndZone() {
        assertParses("January 18, 2022 10:30 a.m. EST", "2022-01-18T15:30:00Z")
        assertParses("Tuesday, January 18, 2022 at 3:04 p.m.", "2022-01-18T15:04:00Z")
        assertParses("Jan. 18, 2022 12:15 a.m. GMT", "2022-01-18T00:15:00Z")
        assertParses("Jan. 18, 2022 12:15 p.m. GMT", "2022-01-18T12:15:00Z")
        assertParses("January 18, 2022 10:30 PM EDT", "2022-01-19T02:30:00Z")
        assertParses("18 January 2022 09:00 CET", "2022-01-18T08:00:00Z")
        assertParses("January 18, 2022 15:04:05 -0500", "2022-01-18T20:04:05Z")
    }

    // MARK: invalid

    func testImpossibleCalendarDatesAreRejected() {
        assertRejects("2022-02-30")
        assertRejects("2022-02-29")  // 2022 is not a leap year
        assertRejects("20221340")
        assertRejects("2022-13-01")
        assertRejects("2022-00-10")
        assertRejects("February 30, 2022")
        assertRejects("2022-01-18T25:00:00Z")
        assertRejects("2022-01-18T12:60:00Z")
        assertRejects("January 18, 2022 25:00")
        assertRejects("January 18, 2022 13:00 p.m.")
        assertParses("2024-02-29", "2024-02-29T00:00:00Z")
        assertParses("2000-02-29", "2000-02-29T00:00:00Z")
        assertRejects("1900-02-29")
    }

    func testNonDatesAreRejected() {
        assertRejects("")
        assertRejects("   ")
        assertRejects("hello")
        assertRejects("25:00")
        assertRejects("18 January")  // no year
        assertRejects("January 2022")  // no day
        assertRejects("The bridge closed on January 18, 2022.")
        assertRejects("January 18, 2022 was the day the bridge closed")
        assertRejects("Published 2022-01-18 by the city")
        assertRejects("2022-01-18 and more")
        assertRejects("2022-01/18")
        assertRejects("202201181")
        assertRejects("1700-01-01")  // outside the accepted years
        assertRejects("Foo 18, 2022")
        assertRejects(String(repeating: "2022-01-18 ", count: 10))  // longer than 64 bytes
    }

    func testSurroundingWhitespaceIsIgnored() {
        assertParses("  2022-01-18\t", "2022-01-18T00:00:00Z")
        assertParses("\u{00A0}January 18, 2022\u{00A0}", "2022-01-18T00:00:00Z")
    }

    // MARK: Timestamp

    func testTimestampEpochAndKnownValues() {
        XCTAssertEqual(Timestamp(secondsSinceEpoch: 0).iso8601, "1970-01-01T00:00:00Z")
        XCTAssertEqual(Timestamp(year: 1970, month: 1, day: 1)?.secondsSinceEpoch, 0)
        XCTAssertEqual(Timestamp(year: 2022, month: 1, day: 18, hour: 15, minute: 4, second: 5)?.secondsSinceEpoch,
                       1_642_518_245)
        XCTAssertEqual(Timestamp(secondsSinceEpoch: 1_642_518_245).iso8601, "2022-01-18T15:04:05Z")
        XCTAssertEqual(Timestamp(secondsSinceEpoch: 1_642_518_245).utcDay, "2022-01-18")
        XCTAssertEqual(Timestamp(secondsSinceEpoch: 1_642_518_245).description, "2022-01-18T15:04:05Z")
    }

    func testTimestampBefore1970() {
        XCTAssertEqual(Timestamp(secondsSinceEpoch: -1).iso8601, "1969-12-31T23:59:59Z")
        XCTAssertEqual(Timestamp(secondsSinceEpoch: -86_400).iso8601, "1969-12-31T00:00:00Z")
        XCTAssertEqual(Timestamp(year: 1969, month: 7, day: 20, hour: 20, minute: 17)?.secondsSinceEpoch, -14_182_980)
        XCTAssertEqual(DateParser.parse("1812-06-18")?.iso8601, "1812-06-18T00:00:00Z")
    }

    func testTimestampsOutsideFourDigitYearsStillFormat() {
        XCTAssertEqual(Timestamp(secondsSinceEpoch: 253_402_300_799).iso8601, "9999-12-31T23:59:59Z")
        XCTAssertEqual(Timestamp(secondsSinceEpoch: 253_402_300_800).iso8601, "10000-01-01T00:00:00Z")
        XCTAssertEqual(Timestamp(secondsSinceEpoch: -62_167_219_200).iso8601, "0000-01-01T00:00:00Z")
    }

    func testTimestampRoundTripsThroughISO8601() {
        let samples: [(Int, Int, Int, Int, Int, Int)] = [
            (1800, 1, 1, 0, 0, 0), (1899, 12, 31, 23, 59, 59), (1900, 3, 1, 12, 0, 0),
            (1960, 2, 29, 6, 30, 0), (1969, 12, 31, 23, 59, 59), (1970, 1, 1, 0, 0, 1),
            (2000, 2, 29, 0, 0, 0), (2000, 12, 31, 23, 59, 59), (2020, 2, 29, 12, 34, 56),
            (2022, 1, 18, 15, 4, 5), (2024, 12, 31, 0, 0, 0), (2100, 3, 1, 0, 0, 0), (2200, 12, 31, 23, 59, 59),
        ]
        for (year, month, day, hour, minute, second) in samples {
            guard let stamp = Timestamp(year: year, month: month, day: day, hour: hour, minute: minute, second: second) else {
                XCTFail("no timestamp for \(year)-\(month)-\(day)"); continue
            }
            let text = stamp.iso8601
            XCTAssertEqual(DateParser.parse(text), stamp, text)
            let expected = String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", year, month, day, hour, minute, second)
            XCTAssertEqual(text, expected)
        }
    }

    func testEveryDayOfALeapAndACommonYearRoundTrips() {
        for year in [1900, 1969, 1970, 2000, 2023, 2024] {
            var previous: Timestamp?
            var days = 0
            for month in 1...12 {
                for day in 1...31 {
                    guard let stamp = Timestamp(year: year, month: month, day: day) else { continue }
                    days += 1
                    if let previous { XCTAssertEqual(stamp.secondsSinceEpoch - previous.secondsSinceEpoch, 86_400) }
                    previous = stamp
                    XCTAssertEqual(stamp.iso8601, String(format: "%04d-%02d-%02dT00:00:00Z", year, month, day))
                }
            }
            XCTAssertEqual(days, CivilCalendar.isLeap(year) ? 366 : 365, "days in \(year)")
        }
    }

    func testLeapYearRules() {
        XCTAssertTrue(CivilCalendar.isLeap(2000))
        XCTAssertTrue(CivilCalendar.isLeap(2024))
        XCTAssertFalse(CivilCalendar.isLeap(1900))
        XCTAssertFalse(CivilCalendar.isLeap(2100))
        XCTAssertFalse(CivilCalendar.isLeap(2023))
        XCTAssertNil(Timestamp(year: 2100, month: 2, day: 29))
        XCTAssertNotNil(Timestamp(year: 2400, month: 2, day: 29))
    }

    func testTimestampRejectsOutOfRangeFields() {
        XCTAssertNil(Timestamp(year: 2022, month: 13, day: 1))
        XCTAssertNil(Timestamp(year: 2022, month: 4, day: 31))
        XCTAssertNil(Timestamp(year: 2022, month: 1, day: 1, hour: 24))
        XCTAssertNil(Timestamp(year: 2022, month: 1, day: 1, minute: 60))
        XCTAssertNil(Timestamp(year: 2022, month: 1, day: 1, second: 61))
        // A leap second folds into :59.
        XCTAssertEqual(Timestamp(year: 2016, month: 12, day: 31, hour: 23, minute: 59, second: 60)?.iso8601,
                       "2016-12-31T23:59:59Z")
    }

    func testTimestampOrdering() {
        let earlier = DateParser.parse("2022-01-18T15:04:05+02:00")!
        let later = DateParser.parse("2022-01-18T14:00:00Z")!
        XCTAssertLessThan(earlier, later)
        XCTAssertEqual(DateParser.parse("Tue, 18 Jan 2022 15:04:05 +0000"), DateParser.parse("2022-01-18T15:04:05Z"))
    }
}
