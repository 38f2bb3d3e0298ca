import NewsdropCore

/// Near-duplicate detection on the synthetic set (SPEC §6): each basil article and its ten
/// variants should form one duplicate group, and no group should hold two articles' inputs.
enum SyntheticBenchmark {
    struct Report: Encodable, Sendable {
        var inputs: Int
        var groups: Int
        /// Distinct articles in the store: exact copies (and variants that differ only in case,
        /// spacing and punctuation) become sightings of an existing article.
        var articles: Int
        /// Pairs of inputs in the same duplicate group vs from the same source article.
        var duplicatePairs: PairScore
        var recallByKind: [KindRecall]
        /// Duplicate groups holding inputs of more than one source article.
        var mixedGroups: Int
        var failures: [String]
        var seconds: Double
        var checks: [Check]
    }

    /// How often a kind of variant landed in its source's duplicate group.
    struct KindRecall: Encodable, Sendable {
        var kind: VariantKind
        var recalled: Int
        var of: Int
        var recall: Double { of == 0 ? 1 : Double(recalled) / Double(of) }
        /// The lowest alignment score with which a variant of this kind joined its group: the
        /// margin above the duplicate threshold that recall alone does not show. Nil when every
        /// recalled variant was the same text as an earlier input (a sighting, not scored).
        var lowestScore: Double?
        /// The source articles (basil ids) whose variant of this kind was missed.
        var missed: [String]

        private enum CodingKeys: String, CodingKey { case kind, recalled, of, recall, lowestScore = "lowest_score", missed }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(kind, forKey: .kind)
            try container.encode(recalled, forKey: .recalled)
            try container.encode(of, forKey: .of)
            try container.encode(recall, forKey: .recall)
            try container.encode(lowestScore, forKey: .lowestScore)
            try container.encode(missed, forKey: .missed)
        }
    }

    private static let fallbackReceivedAt = Timestamp(year: 2013, month: 1, day: 15)!

    static func run(_ basil: [BasilArticle], seed: UInt64, similarity: SimilaritySettings) throws -> Report {
        let start = ContinuousClock.now
        let set = SyntheticSet.build(from: basil, seed: seed)
        let problems = SyntheticSet.problems(in: set)
        guard problems.isEmpty else {
            throw BenchError("the synthetic set fails its self-check:\n  " + problems.prefix(20).joined(separator: "\n  "))
        }
        // Variants are whole texts without a separate title, as synth.py hands them to the prototype.
        let inputs = try set.map { input in
            try BenchInput.json(name: "synthetic-\(input.group)-\(input.role.name)", text: input.text,
                                published: input.date, outlet: input.outlet)
        }
        let landings = try PipelineRun.ingest(inputs, fallbackReceivedAt: fallbackReceivedAt, similarity: similarity)
        let placements = landings.map { try? $0.get() }
        // An input that failed is a group of its own.
        let groups = placements.enumerated().map { index, placement in placement?.duplicateGroup ?? -Int64(index + 1) }
        let score = PairScore(predicted: groups, truth: set.map(\.group))

        var sourceGroup: [Int: Int64] = [:]
        for (input, group) in zip(set, groups) where input.role == .source { sourceGroup[input.group] = group }
        let recallByKind = VariantKind.allCases.map { kind in
            let variants = zip(set, groups).filter { $0.0.role == .variant(kind) }
            let missed = variants.filter { sourceGroup[$0.0.group] != $0.1 }.map { basil[$0.0.group].id }
            let scores = zip(set, placements).filter { input, placement in
                input.role == .variant(kind) && placement.map { sourceGroup[input.group] == $0.duplicateGroup } == true
            }.compactMap { $0.1?.duplicateSimilarity }
            return KindRecall(kind: kind, recalled: variants.count - missed.count, of: variants.count,
                              lowestScore: scores.min(), missed: missed)
        }
        let sourcesPerGroup = Dictionary(zip(groups, set).map { ($0, Set([$1.group])) }, uniquingKeysWith: { $0.union($1) })

        return Report(
            inputs: set.count, groups: basil.count,
            articles: Set(placements.compactMap { $0?.article }).count,
            duplicatePairs: score, recallByKind: recallByKind,
            mixedGroups: sourcesPerGroup.values.filter { $0.count > 1 }.count,
            failures: zip(set, landings).compactMap { input, landing in
                if case .failure(let failure) = landing { "\(input.id): \(failure)" } else { nil }
            },
            seconds: start.duration(to: .now).seconds,
            checks: [
                .atLeast("near-duplicate precision", score.precision, 0.99),
                .atLeast("near-duplicate recall", score.recall, 0.97),
            ])
    }
}
