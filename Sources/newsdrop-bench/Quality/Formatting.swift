import Foundation

/// Scores and fractions with three decimals.
func format(_ value: Double) -> String {
    String(format: "%.3f", value)
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
