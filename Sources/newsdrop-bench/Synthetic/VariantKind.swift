/// The near-duplicate variants of SPEC §6, in the order synth.py makes them (the order fixes which
/// random draws each one gets).
enum VariantKind: String, CaseIterable, Codable, Sendable {
    case exact, typo, boiler, trunc60, drop10, ins10, parashuf, sub10, sub25, synonym
}

/// What one input of the synthetic set is: an article's original text, or one of its variants.
enum SyntheticRole: Hashable, Sendable {
    case source
    case variant(VariantKind)

    /// The name synth.py gives it in ids ("src", "typo", …).
    var name: String {
        switch self {
        case .source: "src"
        case .variant(let kind): kind.rawValue
        }
    }
}
