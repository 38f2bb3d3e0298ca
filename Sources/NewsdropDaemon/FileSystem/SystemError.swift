import Glibc

/// A failed system call: which operation, on what, and the `errno` it returned.
public struct SystemError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let subject: String
    public let code: Int32

    public init(_ operation: String, _ subject: String, code: Int32 = errno) {
        self.operation = operation
        self.subject = subject
        self.code = code
    }

    public var description: String { "\(operation) \(subject): \(String(cString: strerror(code)))" }
}
