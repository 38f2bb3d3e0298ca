import ArgumentParser

/// One input of the synthetic near-duplicate set.
struct SyntheticInput: Sendable {
    /// The index of the source article: every input with the same group is a near-duplicate of the others.
    var group: Int
    var role: SyntheticRole
    var story: String
    var outlet: String
    /// The source's publication day, "YYYY-MM-DD".
    var date: String
    var text: String

    /// synth.py's id: "12:src", "12:typo", …
    var id: String { "\(group):\(role.name)" }
}

/// SPEC §6's synthetic set: every basil article (title, blank line, text) followed by its ten
/// variants, a group of eleven per article, in synth.py's order.
enum SyntheticSet {
    /// synth.py's seed: the set the targets are calibrated on. Other seeds draw other variants
    /// of the same articles, a check that the figures are not fitted to one draw.
    static let defaultSeed: UInt64 = 20_240_601

    static func build(from basil: [BasilArticle], seed: UInt64 = defaultSeed) -> [SyntheticInput] {
        let sources = basil.map { ($0.title + "\n\n" + $0.text).codePoints }
        let maker = VariantMaker(sources: sources, stories: basil.map(\.storyID))
        var rng = SplitMix64(seed: seed)
        return basil.indices.flatMap { index in
            let article = basil[index]
            func input(_ role: SyntheticRole, _ text: CodePoints) -> SyntheticInput {
                SyntheticInput(group: index, role: role, story: article.storyID, outlet: article.outlet,
                               date: String(article.published.prefix(10)), text: text.string)
            }
            return [input(.source, sources[index])]
                + maker.variants(ofSource: index, rng: &rng).map { input(.variant($0.kind), $0.text) }
        }
    }

    /// Checks the set's shape and the variants that can be checked without re-deriving them, so a
    /// broken generator stops the benchmark instead of producing plausible figures. Returns the
    /// problems found; empty when the set is sound.
    static func problems(in inputs: [SyntheticInput]) -> [String] {
        let roles = [SyntheticRole.source] + VariantKind.allCases.map(SyntheticRole.variant)
        let groups = Dictionary(grouping: inputs, by: \.group)
        var problems: [String] = []
        for (group, members) in groups.sorted(by: { $0.key < $1.key }) {
            guard members.map(\.role) == roles else {
                problems.append("group \(group): members \(members.map(\.role.name)), expected \(roles.map(\.name))")
                continue
            }
            let source = members[0].text
            func text(_ kind: VariantKind) -> String { members[1 + VariantKind.allCases.firstIndex(of: kind)!].text }
            func check(_ holds: Bool, _ what: String) {
                if !holds { problems.append("group \(group): \(what)") }
            }
            check(text(.exact) == source, "exact differs from its source")
            check(text(.typo) != source, "typo equals its source")
            check(text(.boiler).contains(source), "boiler does not contain its source")
            check(source.codePoints.starts(with: text(.trunc60).codePoints) && text(.trunc60).count < source.count,
                  "trunc60 is not a shorter prefix of its source")
            check(sortedParagraphs(text(.parashuf)) == sortedParagraphs(source), "parashuf does not hold the source's paragraphs")
            check(Sentences(of: text(.drop10).codePoints).bodyPositions.count
                  < Sentences(of: source.codePoints).bodyPositions.count, "drop10 has no fewer sentences")
            for kind in [VariantKind.sub10, .sub25] {
                check(text(kind) != source, "\(kind.rawValue) equals its source")
            }
            for kind in VariantKind.allCases {
                check(!text(kind).isEmpty, "\(kind.rawValue) is empty")
            }
        }
        return problems
    }

    private static func sortedParagraphs(_ text: String) -> [CodePoints] {
        text.codePoints.paragraphs.map { $0.strippingSpace() }.sorted { $0.lexicographicallyPrecedes($1) { $0.value < $1.value } }
    }
}

/// The option that chooses which draw of the synthetic set a command builds.
struct SyntheticOptions: ParsableArguments {
    @Option(name: .customLong("synthetic-seed"),
            help: "Draw the synthetic set's variants with this seed instead of synth.py's (\(SyntheticSet.defaultSeed)): the same articles, other edits, as a check on data the figures were not tuned on.")
    var seed = SyntheticSet.defaultSeed
}
