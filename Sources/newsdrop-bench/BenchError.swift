/// A failure that stops the benchmark: the message says what went wrong and where.
struct BenchError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
