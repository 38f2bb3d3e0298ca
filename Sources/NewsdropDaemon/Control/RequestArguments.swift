import NewsdropControlProtocol

/// Typed access to a request's `args`, with errors that name the argument and what it needs.
extension ControlRequest {
    func string(_ key: String) throws -> String? {
        switch arguments[key] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        case let other?: throw wrongType(key, "a string", other)
        }
    }

    func requiredString(_ key: String) throws -> String {
        guard let value = try string(key), !value.isEmpty else {
            throw ControlError(.badArguments, "\"\(command)\" needs \"\(key)\" (a string)")
        }
        return value
    }

    /// A non-empty array of non-empty strings.
    func requiredStrings(_ key: String) throws -> [String] {
        let needed = ControlError(.badArguments, "\"\(command)\" needs \"\(key)\" (an array of strings)")
        guard let value = arguments[key] else { throw needed }
        guard case .array(let items) = value else { throw wrongType(key, "an array of strings", value) }
        let strings = try items.map { item -> String in
            guard case .string(let text) = item, !text.isEmpty else { throw wrongType(key, "an array of strings", item) }
            return text
        }
        guard !strings.isEmpty else { throw needed }
        return strings
    }

    func bool(_ key: String) throws -> Bool? {
        switch arguments[key] {
        case nil, .null?: return nil
        case .bool(let value)?: return value
        case let other?: throw wrongType(key, "a boolean", other)
        }
    }

    func integer(_ key: String) throws -> Int64? {
        switch arguments[key] {
        case nil, .null?: return nil
        case .integer(let value)?: return value
        case .number(let value)? where value.rounded() == value && abs(value) < 9e15: return Int64(value)
        case .string(let text)? where Int64(text) != nil: return Int64(text)
        case let other?: throw wrongType(key, "an integer", other)
        }
    }

    func requiredInteger(_ key: String) throws -> Int64 {
        guard let value = try integer(key) else {
            throw ControlError(.badArguments, "\"\(command)\" needs \"\(key)\" (an integer)")
        }
        return value
    }

    func number(_ key: String) throws -> Double? {
        switch arguments[key] {
        case nil, .null?: return nil
        case .integer(let value)?: return Double(value)
        case .number(let value)?: return value
        case let other?: throw wrongType(key, "a number", other)
        }
    }

    /// `limit`: 1 to 1,000, or `defaultLimit` when absent.
    func limit(default defaultLimit: Int) throws -> Int {
        guard let value = try integer("limit") else { return defaultLimit }
        guard (1...1_000).contains(value) else { throw ControlError(.badArguments, "\"limit\" must be 1 to 1000") }
        return Int(value)
    }

    private func wrongType(_ key: String, _ expected: String, _ got: JSONValue) -> ControlError {
        ControlError(.badArguments, "\"\(key)\" must be \(expected), got \(got.typeName)")
    }
}
