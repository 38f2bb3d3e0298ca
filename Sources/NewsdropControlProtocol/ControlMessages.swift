import Foundation
import NewsdropCore

/// The control protocol, version 1: newline-delimited JSON over a Unix stream socket.
/// `docs/control-protocol.md` is its specification; this file is its single implementation,
/// shared by the daemon and `newsdropctl`.
///
///     → {"id": 7, "cmd": "status", "args": {}}
///     ← {"id": 7, "ok": true, "result": {…}}
///     ← {"id": 7, "ok": false, "error": {"code": "unknown_command", "message": "…"}}
///
/// A streamed command (`export`) answers with any number of `{"id": 7, "ok": true, "item": …}`
/// lines, then one final `result` line.
public enum ControlProtocol {
    public static let version = 1
    /// A request line longer than this is answered with `line_too_long`, then the connection closes.
    public static let maximumLineLength = 1 << 20
    /// Requests nested deeper than this are refused before decoding.
    public static let maximumDepth = 32
}

/// A decoded request.
public struct ControlRequest: Sendable, Equatable {
    public var id: JSONValue
    public var command: String
    public var arguments: [String: JSONValue]

    public init(id: JSONValue, command: String, arguments: [String: JSONValue] = [:]) {
        self.id = id
        self.command = command
        self.arguments = arguments
    }

    /// The request as one protocol line, newline included.
    public func encoded() -> [UInt8] {
        var object: [String: JSONValue] = ["id": id, "cmd": .string(command)]
        if !arguments.isEmpty { object["args"] = .object(arguments) }
        return JSONLine.encode(JSONValue.object(object))
    }
}

/// Why a request failed. `code` is stable for scripts; `message` is for people.
public struct ControlError: Error, Sendable, Equatable, Codable {
    public enum Code: String, Sendable, Codable {
        case badRequest = "bad_request"
        case lineTooLong = "line_too_long"
        case unknownCommand = "unknown_command"
        case badArguments = "bad_arguments"
        case notFound = "not_found"
        case forbidden
        case invalidConfiguration = "invalid_configuration"
        case unavailable
        case timeout
        case busy
        case `internal`
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}

/// Request decoding: every malformed line gets an error that says what is wrong with it.
public enum ControlRequestDecoder {
    /// Decodes one line (without its newline). On failure, returns the request's `id` when it
    /// could be read, so the error response still names it.
    public static func decode(_ line: some Collection<UInt8>) -> Result<ControlRequest, RejectedRequest> {
        let value: JSONValue
        do throws(JSONValueParser.Failure) {
            value = try JSONValueParser.parse(line, maximumDepth: ControlProtocol.maximumDepth)
        } catch .tooDeep {
            return .failure(RejectedRequest(id: .null, error: ControlError(.badRequest, "request nested deeper than \(ControlProtocol.maximumDepth) levels")))
        } catch {
            return .failure(RejectedRequest(id: .null, error: ControlError(.badRequest, "the line is not valid JSON")))
        }
        guard case .object(let object) = value else {
            return .failure(RejectedRequest(id: .null, error: ControlError(.badRequest, "a request is a JSON object, got \(value.typeName)")))
        }
        let id = object["id"] ?? .null
        guard case .string(let command)? = object["cmd"] else {
            let got = object["cmd"].map { "got \($0.typeName)" } ?? "it is missing"
            return .failure(RejectedRequest(id: id, error: ControlError(.badRequest, "\"cmd\" must be a string naming the command; \(got)")))
        }
        switch object["args"] {
        case nil, .null?:
            return .success(ControlRequest(id: id, command: command))
        case .object(let arguments)?:
            return .success(ControlRequest(id: id, command: command, arguments: arguments))
        case let other?:
            return .failure(RejectedRequest(id: id, error: ControlError(.badRequest, "\"args\" must be an object, got \(other.typeName)")))
        }
    }
}

/// A request line that could not be decoded, with its `id` when that much could be read.
public struct RejectedRequest: Error, Sendable {
    public var id: JSONValue
    public var error: ControlError
}

/// One response line, as the daemon writes it and the client reads it.
public struct ControlResponse: Sendable, Decodable {
    public var id: JSONValue
    public var ok: Bool
    public var result: JSONValue?
    public var item: JSONValue?
    public var error: ControlError?

    /// True for the line that ends the answer to a request (everything but a streamed item).
    public var isFinal: Bool { item == nil }

    public static func success(id: JSONValue, result: some Encodable) -> [UInt8] {
        envelope(id: id, ok: true, key: "result", body: JSONLine.encodeBody(result))
    }

    public static func streamedItem(id: JSONValue, item: some Encodable) -> [UInt8] {
        envelope(id: id, ok: true, key: "item", body: JSONLine.encodeBody(item))
    }

    public static func failure(id: JSONValue, error: ControlError) -> [UInt8] {
        envelope(id: id, ok: false, key: "error", body: JSONLine.encodeBody(error))
    }

    private static func envelope(id: JSONValue, ok: Bool, key: String, body: [UInt8]) -> [UInt8] {
        var line = Array(#"{"id":"#.utf8)
        line += JSONLine.encodeBody(id)
        line += Array(#","ok":\#(ok),"\#(key)":"#.utf8)
        line += body
        line += Array("}\n".utf8)
        return line
    }
}

/// JSON encoding helpers for one-line messages.
public enum JSONLine {
    public static func encode(_ value: some Encodable) -> [UInt8] {
        encodeBody(value) + [UInt8(ascii: "\n")]
    }

    /// Compact JSON with sorted keys and unescaped slashes; never fails for the protocol's types.
    public static func encodeBody(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? Array(encoder.encode(value))) ?? Array("null".utf8)
    }

}

/// The release both executables report.
public enum NewsdropVersion {
    public static let current = "0.1.0"
}
