import XCTest
@testable import NewsdropCore

final class TextDecodingTests: XCTestCase {
    /// Decodes `bytes`, failing the test (and returning nil) when decoding throws.
    private func decoded(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> String? {
        do throws(IngestFailure) {
            return try TextDecoding.decode(bytes)
        } catch {
            XCTFail("unexpected failure: \(error)", file: file, line: line)
            return nil
        }
    }

    /// The failure that decoding `bytes` throws, failing the test when it succeeds.
    private func failure(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> IngestFailure? {
        do throws(IngestFailure) {
            let text = try TextDecoding.decode(bytes)
            XCTFail("expected a failure, got text \(text.debugDescription)", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    private func utf16(_ text: String, bigEndian: Bool, bom: Bool = true) -> [UInt8] {
        var bytes: [UInt8] = bom ? (bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE]) : []
        for unit in text.utf16 {
            let high = UInt8(unit >> 8), low = UInt8(unit & 0xFF)
            bytes += bigEndian ? [high, low] : [low, high]
        }
        return bytes
    }

    // MARK: UTF-8

    func testPlainUTF8WithoutBOM() {
        let text = "Bridge to close — “cracks” found in Portland’s span; Kyiv/Київ, café 🚧\n"
        XCTAssertEqual(decoded(Array(text.utf8)), text)
    }

    func testUTF8BOMIsStripped() {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("Grüße aus Portland".utf8)
        let text = decoded(bytes)
        XCTAssertEqual(text, "Grüße aus Portland")
        XCTAssertEqual(text?.unicodeScalars.first, "G", "the byte-order mark must not survive as U+FEFF")
    }

    func testInvalidUTF8AfterBOMReportsAbsoluteOffset() {
        // BOM (3 bytes) + "é" (2 bytes) + "a" + 0xFF → the bad byte is at absolute offset 6.
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF, 0xC3, 0xA9, 0x61, 0xFF, 0x62]
        let error = failure(bytes)
        XCTAssertEqual(error?.stage, .decode)
        XCTAssertEqual(error?.reason, "invalid UTF-8 at byte 6 after a UTF-8 byte-order mark")
    }

    func testInvalidUTF8MixedWithValidMultiByteFailsWithOffset() {
        // "héllo " is h(0) C3 A9(1-2) l(3) l(4) o(5) space(6); 0xFF sits at byte 7.
        let bytes: [UInt8] = Array("héllo ".utf8) + [0xFF] + Array(" world".utf8)
        let error = failure(bytes)
        XCTAssertEqual(error?.stage, .decode)
        XCTAssertEqual(error?.reason, "invalid UTF-8 at byte 7")
    }

    func testTruncatedMultiByteSequenceIsInvalidAtItsLeadByte() {
        // A valid "é", then a 3-byte lead (E2 80) cut short by a space.
        let bytes: [UInt8] = Array("né ".utf8) + [0xE2, 0x80, 0x20] + Array("x".utf8)
        XCTAssertEqual(failure(bytes)?.reason, "invalid UTF-8 at byte 4")
    }

    func testOverlongAndSurrogateEncodingsCountAsInvalid() {
        // Overlong "/" (C0 AF) next to a valid "é": invalid at byte 3, not windows-1252.
        XCTAssertEqual(failure(Array("aé".utf8) + [0xC0, 0xAF])?.reason, "invalid UTF-8 at byte 3")
        // CESU-style surrogate (ED A0 80) is not UTF-8.
        XCTAssertEqual(failure(Array("é".utf8) + [0xED, 0xA0, 0x80])?.reason, "invalid UTF-8 at byte 2")
    }

    // MARK: UTF-16

    func testUTF16LittleEndianWithBOM() {
        let text = "Harbor bridge — “closed” 🌉 Київ"
        XCTAssertEqual(decoded(utf16(text, bigEndian: false)), text)
    }

    func testUTF16BigEndianWithBOM() {
        let text = "Harbor bridge — “closed” 🌉 Київ"
        XCTAssertEqual(decoded(utf16(text, bigEndian: true)), text)
    }

    func testUTF16SurrogatePairDecodesToOneScalar() {
        // U+1F309 BRIDGE AT NIGHT is D83C DF09 in UTF-16.
        let le: [UInt8] = [0xFF, 0xFE, 0x41, 0x00, 0x3C, 0xD8, 0x09, 0xDF, 0x42, 0x00]
        let be: [UInt8] = [0xFE, 0xFF, 0x00, 0x41, 0xD8, 0x3C, 0xDF, 0x09, 0x00, 0x42]
        for bytes in [le, be] {
            let text = decoded(bytes)
            XCTAssertEqual(text, "A\u{1F309}B")
            XCTAssertEqual(text?.unicodeScalars.count, 3)
        }
    }

    func testUTF16UnpairedHighSurrogateFails() {
        // "A", then a high surrogate D83C followed by "B" instead of a low surrogate.
        let bytes: [UInt8] = [0xFF, 0xFE, 0x41, 0x00, 0x3C, 0xD8, 0x42, 0x00]
        let error = failure(bytes)
        XCTAssertEqual(error?.stage, .decode)
        XCTAssertEqual(error?.reason, "invalid UTF-16: unpaired surrogate at byte 4")
    }

    func testUTF16LoneLowSurrogateFailsWithItsOffset() {
        // A surrogate pair (4 bytes from byte 2), then a lone low surrogate at byte 6.
        let bytes: [UInt8] = [0xFE, 0xFF, 0xD8, 0x3C, 0xDF, 0x09, 0xDF, 0x09, 0x00, 0x41]
        XCTAssertEqual(failure(bytes)?.reason, "invalid UTF-16: unpaired surrogate at byte 6")
    }

    func testUTF16HighSurrogateAtEndFails() {
        let bytes: [UInt8] = [0xFF, 0xFE, 0x41, 0x00, 0x3C, 0xD8]
        XCTAssertEqual(failure(bytes)?.reason, "invalid UTF-16: unpaired surrogate at byte 4")
    }

    func testUTF16OddByteCountFails() {
        let bytes: [UInt8] = [0xFF, 0xFE, 0x41, 0x00, 0x42]
        let error = failure(bytes)
        XCTAssertEqual(error?.stage, .decode)
        XCTAssertEqual(error?.reason, "invalid UTF-16: odd number of bytes (5)")
    }

    func testUTF16WithoutBOMIsBinaryBecauseOfNUL() {
        let error = failure(utf16("Hi", bigEndian: false, bom: false))
        XCTAssertEqual(error?.stage, .decode)
        XCTAssertEqual(error?.reason, "binary content: NUL byte at offset 1 (UTF-16 text needs a byte-order mark)")
    }

    // MARK: windows-1252

    func testWindows1252Fallback() {
        let bytes: [UInt8] = Array("caf".utf8) + [0xE9, 0x20, 0x93] + Array("quoted".utf8) + [0x94]
        XCTAssertEqual(decoded(bytes), "café “quoted”")
    }

    func testWindows1252HighRangeMapsToTypography() {
        // 0x80 euro, 0x85 ellipsis, 0x91/0x92 single quotes, 0x96/0x97 en/em dash, 0xA0 NBSP.
        let bytes: [UInt8] = [0x80, 0x35, 0x85, 0x20, 0x91, 0x61, 0x92, 0x20, 0x96, 0x20, 0x97, 0xA0, 0x62]
        XCTAssertEqual(decoded(bytes), "€5… ‘a’ – —\u{00A0}b")
    }

    func testUndefinedWindows1252ByteFails() {
        // 0x81 is neither UTF-8 nor defined in windows-1252.
        let bytes: [UInt8] = Array("abc".utf8) + [0xE9, 0x81]
        let error = failure(bytes)
        XCTAssertEqual(error?.stage, .decode)
        XCTAssertEqual(error?.reason, "invalid UTF-8 at byte 4, and byte 0x81 is not windows-1252 either")
    }

    // MARK: not text

    func testEmptyFileFails() {
        let error = failure([])
        XCTAssertEqual(error?.stage, .decode)
        XCTAssertEqual(error?.reason, "empty file")
    }

    func testNULByteIsBinary() {
        let bytes: [UInt8] = Array("Hello".utf8) + [0x00] + Array("world".utf8)
        let error = failure(bytes)
        XCTAssertEqual(error?.stage, .decode)
        XCTAssertEqual(error?.reason, "binary content: NUL byte at offset 5 (UTF-16 text needs a byte-order mark)")
    }

    func testControlCharacterHeavyContentIsBinary() {
        // 10 bytes: 4 letters and 6 control characters (no NUL, valid ASCII).
        let bytes: [UInt8] = [0x01, 0x41, 0x02, 0x42, 0x03, 0x1B, 0x43, 0x7F, 0x44, 0x08]
        let error = failure(bytes)
        XCTAssertEqual(error?.stage, .decode)
        XCTAssertEqual(error?.reason, "binary content: 6 control characters in 10")
    }

    func testFewControlCharactersAndLayoutControlsAreAccepted() {
        // One stray control in 200 characters is 0.5%: text. Tabs, CR, LF and FF never count.
        let body = String(repeating: "a", count: 195) + "\u{01}\t\r\n\u{0C}"
        XCTAssertEqual(decoded(Array(body.utf8))?.count, 199, "CR LF is one Character")
        // Exactly 1% is still text; just above it is binary.
        let onePercent = String(repeating: "b", count: 99) + "\u{02}"
        XCTAssertNotNil(decoded(Array(onePercent.utf8)))
        let above = String(repeating: "b", count: 98) + "\u{02}\u{02}"
        XCTAssertEqual(failure(Array(above.utf8))?.reason, "binary content: 2 control characters in 100")
    }

    func testBinaryGarbageInWindows1252RangeIsRejected() {
        // Bytes without NUL or multi-byte UTF-8 go to windows-1252, then the control check.
        let bytes: [UInt8] = (0..<64).map { UInt8(($0 * 37) % 31 + 1) }  // all C0 controls 0x01–0x1F
        let error = failure(bytes)
        XCTAssertEqual(error?.stage, .decode)
        XCTAssertTrue(error?.reason.hasPrefix("binary content: ") ?? false, error?.reason ?? "")
    }
}
