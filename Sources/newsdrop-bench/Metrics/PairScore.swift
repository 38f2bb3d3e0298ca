/// Pairwise clustering quality: of all pairs of items placed together, how many belong together
/// (precision), and of all pairs that belong together, how many were placed together (recall).
/// Counted from cluster sizes, so it costs O(n) rather than O(n²).
struct PairScore: Encodable, Sendable {
    var truePositives: Int
    var predictedPairs: Int
    var truePairs: Int

    /// 1 when nothing was placed together: no pair was wrongly joined.
    var precision: Double { predictedPairs == 0 ? 1 : Double(truePositives) / Double(predictedPairs) }
    /// 1 when nothing belongs together: no pair was missed.
    var recall: Double { truePairs == 0 ? 1 : Double(truePositives) / Double(truePairs) }
    var f1: Double { precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall) }

    /// `predicted[i]` and `truth[i]` are item i's cluster labels.
    init<Predicted: Hashable, Truth: Hashable>(predicted: [Predicted], truth: [Truth]) {
        precondition(predicted.count == truth.count, "one predicted and one true label per item")
        truePositives = Self.pairs(in: zip(predicted, truth).map { Pair(predicted: $0, truth: $1) })
        predictedPairs = Self.pairs(in: predicted)
        truePairs = Self.pairs(in: truth)
    }

    private struct Pair<Predicted: Hashable, Truth: Hashable>: Hashable {
        var predicted: Predicted
        var truth: Truth
    }

    /// The number of unordered pairs of items that share a label.
    private static func pairs<Label: Hashable>(in labels: [Label]) -> Int {
        Dictionary(labels.map { ($0, 1) }, uniquingKeysWith: +).values.reduce(0) { $0 + $1 * ($1 - 1) / 2 }
    }

    private enum CodingKeys: String, CodingKey {
        case truePositives, predictedPairs, truePairs, precision, recall, f1
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(truePositives, forKey: .truePositives)
        try container.encode(predictedPairs, forKey: .predictedPairs)
        try container.encode(truePairs, forKey: .truePairs)
        try container.encode(precision, forKey: .precision)
        try container.encode(recall, forKey: .recall)
        try container.encode(f1, forKey: .f1)
    }
}

extension PairScore {
    /// A worked example checked before any figure is trusted: items predicted {a b} {c d} {e} but
    /// truly {a b c} {d e} share one pair (a b) of the 2 predicted and the 4 true pairs.
    static var workedExampleHolds: Bool {
        let score = PairScore(predicted: [1, 1, 2, 2, 3], truth: ["x", "x", "x", "y", "y"])
        return (score.truePositives, score.predictedPairs, score.truePairs) == (1, 2, 4)
            && score.precision == 0.5 && score.recall == 0.25
    }
}
