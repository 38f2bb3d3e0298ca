import Foundation
import NewsdropControlProtocol
import XCTest

/// The request parser against Foundation's JSON decoder, which it replaced: the same values for
/// valid JSON, and a refusal for everything RFC 8259 does not allow.
final class RequestDecodingTests: XCTestCase {
    private func parse(_ text: String) throws(JSONValueParser.Failure) -> JSONValue {
        try JSONValueParser.parse(Array(text.utf8), maximumDepth: ControlProtocol.maximumDepth)
    }

    func testValidJSONGivesTheValuesFoundationDecodes() throws {
        let documents = [
            #"{"id":1,"cmd":"status"}"#,
            #" { "id" : "a-7" , "cmd" : "search", "args" : { "query" : "flood \"warning\"", "limit" : 20 } } "#,
            #"{"id":null,"cmd":"fetch","args":{"urls":["https:\/\/a.example\/1","https://b.example/\u00e9"],"force":true}}"#,
            #"{"id":-0.5,"cmd":"why","args":{"a":1e3,"b":12.25E-1,"c":-9223372036854775808,"d":false}}"#,
            #"{"id":[1,[2,[3,{}]],[]],"cmd":"x","args":{"emoji":"\ud83d\udcf0 ok","tab":"a\tb\n\r\b\f\\"}}"#,
            "{\"id\":\"caf\u{E9} \u{1F4F0}\",\"cmd\":\"hello\"}",
            "[]", "0", "-12", "3.5", "2.0", "-0", "\"text\"", "true", "null",
        ]
        for document in documents {
            let expected = try JSONDecoder().decode(JSONValue.self, from: Data(document.utf8))
            XCTAssertEqual(try parse(document), expected, document)
        }
    }

    func testWholeNumbersAreIntegersAndTheRestDoubles() throws {
        XCTAssertEqual(try parse("9223372036854775807"), .integer(.max))
        XCTAssertEqual(try parse("9223372036854775808"), .number(9_223_372_036_854_775_808))
        XCTAssertEqual(try parse("2.0"), .integer(2))
        XCTAssertEqual(try parse("1E2"), .integer(100))
        XCTAssertEqual(try parse("2.5"), .number(2.5))
    }

    func testInvalidJSONIsRefused() {
        let invalid = [
            "", " ", "{", "}", "{\"id\":1", "{\"id\":1,}", "[1,]", "[1 2]", "{id:1}", "{'id':1}", "{\"id\" 1}",
            "01", "-", "1.", ".5", "1e", "+1", "0x10", "NaN", "Infinity", "1e999", "tru", "nul", "truex",
            "\"unterminated", "\"bad \\x escape\"", "\"\\u12\"", "\"\\ud83d alone\"", "\"\\udcf0 low\"",
            "\"tab\tinside\"", "{\"a\":1} trailing", "[1]]",
        ]
        for text in invalid {
            XCTAssertThrowsError(try parse(text), "accepted: \(text)") { error in
                XCTAssertEqual(error as? JSONValueParser.Failure, .invalid, text)
            }
        }
        XCTAssertThrowsError(try JSONValueParser.parse([0x22, 0xC3, 0x28, 0x22], maximumDepth: 4), "invalid UTF-8 in a string")
    }

    func testNestingIsRefusedAtTheLimitBeforeTheRestIsRead() {
        XCTAssertNoThrow(try parse(String(repeating: "[", count: 32) + String(repeating: "]", count: 32)))
        for deep in [String(repeating: "[", count: 33) + String(repeating: "]", count: 33),
                     String(repeating: "{\"a\":", count: 100_000)] {
            XCTAssertThrowsError(try parse(deep)) { XCTAssertEqual($0 as? JSONValueParser.Failure, .tooDeep) }
        }
    }

    func testRequestErrorsNameWhatIsWrong() {
        func message(_ line: String) -> String? {
            if case .failure(let rejected) = ControlRequestDecoder.decode(Array(line.utf8)) { rejected.error.message } else { nil }
        }
        XCTAssertEqual(message("{\"id\":1,\"cmd\":\"status\""), "the line is not valid JSON")
        XCTAssertEqual(message(String(repeating: "[", count: 40)), "request nested deeper than 32 levels")
        XCTAssertEqual(message("[1]"), "a request is a JSON object, got an array")
        XCTAssertEqual(message("{\"id\":3,\"cmd\":7}"), "\"cmd\" must be a string naming the command; got a number")
        guard case .success(let request) = ControlRequestDecoder.decode(Array(#"{"id":"x","cmd":"show","args":{"id":4}}"#.utf8)) else {
            return XCTFail("a valid request was refused")
        }
        XCTAssertEqual(request, ControlRequest(id: .string("x"), command: "show", arguments: ["id": .integer(4)]))
    }
}
