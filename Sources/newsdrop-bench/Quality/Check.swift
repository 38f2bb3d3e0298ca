/// A figure beside its target, printed PASS or FAIL.
struct Check: Encodable, Sendable {
    var name: String
    var value: String
    var target: String
    var passed: Bool

    /// A score that must reach `minimum`.
    static func atLeast(_ name: String, _ value: Double, _ minimum: Double) -> Check {
        Check(name: name, value: format(value), target: "≥ \(minimum)", passed: value >= minimum)
    }

    /// A yes/no property that must hold; `detail` says what was found when it does not.
    static func holds(_ name: String, _ holds: Bool, detail: String) -> Check {
        Check(name: name, value: holds ? "yes" : "no: \(detail)", target: "yes", passed: holds)
    }
}
