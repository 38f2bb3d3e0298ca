import Foundation
import XCTest
@testable import NewsdropCore

/// The Swift features against the Python reference (simlab) on real and fixture articles. Each file is
/// split into title = first line and body = the rest, exactly as the reference values were produced.
final class SimilarityGoldenTests: XCTestCase {
    private static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // NewsdropCoreTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root

    private static let fixtureFolder = packageRoot.appendingPathComponent("Tests/Fixtures/story", isDirectory: true)
    private static let seedFolder = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/seeds", isDirectory: true)

    /// Articles of a folder keyed by the first three characters of their file names (".txt" files only).
    private func articles(in folder: URL) throws -> [String: (title: String, body: String)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".txt") }
        var articles: [String: (title: String, body: String)] = [:]
        for name in names {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            let parts = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
            articles[String(name.prefix(3))] = (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
        return articles
    }

    private func seeds() throws -> [String: (title: String, body: String)] {
        guard FileManager.default.fileExists(atPath: Self.seedFolder.path) else {
            throw XCTSkip("../shared is absent: no seeds at \(Self.seedFolder.path)")
        }
        return try articles(in: Self.seedFolder)
    }

    private func fixtures() throws -> [String: (title: String, body: String)] {
        try articles(in: Self.fixtureFolder)
    }

    private func features(_ articles: [String: (title: String, body: String)]) -> [String: SimilarityFeatures] {
        articles.mapValues { SimilarityFeatures(title: $0.title, body: $0.body) }
    }

    private func assertMatchesReference(_ features: [String: SimilarityFeatures], _ reference: [String: ReferenceArticle],
                                        file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(Set(features.keys), Set(reference.keys), file: file, line: line)
        for (name, expected) in reference {
            guard let actual = features[name] else { continue }
            XCTAssertEqual(actual.minhash.count, 64, name, file: file, line: line)
            XCTAssertEqual(actual.bandKeys, expected.bandKeys, "band keys of \(name)", file: file, line: line)
            XCTAssertEqual(actual.units.count, expected.unitCount, "units of \(name)", file: file, line: line)
            XCTAssertEqual(actual.units.reduce(0) { $0 + $1.terms.count }, expected.unitTermTotal, name, file: file, line: line)
            XCTAssertEqual(actual.sentenceKeys, expected.sentenceKeys, "sentence keys of \(name)", file: file, line: line)
            XCTAssertEqual(actual.sentenceKeys.count, expected.sentenceKeyCount, name, file: file, line: line)
            XCTAssertEqual(actual.termWeights.count, expected.termCount, "story terms of \(name)", file: file, line: line)
            for (term, weight) in expected.topTerms {
                let actualWeight = actual.termWeights[SimilarityHash.term(term)] ?? .nan
                XCTAssertEqual(actualWeight, weight, accuracy: 1e-12, "\(name): weight of \(term)", file: file, line: line)
            }
        }
    }

    private func assertPairsMatchReference(_ features: [String: SimilarityFeatures], _ pairs: [ReferencePair],
                                           file: StaticString = #filePath, line: UInt = #line) throws -> [Set<String>: Double] {
        var scores: [Set<String>: Double] = [:]
        for pair in pairs {
            let a = try XCTUnwrap(features[pair.a], file: file, line: line)
            let b = try XCTUnwrap(features[pair.b], file: file, line: line)
            let alignment = Alignment.align(a.units, b.units, sentenceDice: SimilaritySettings().sentenceDice)
            let label = "\(pair.a)–\(pair.b)"
            XCTAssertEqual(alignment.coverageAToB, pair.coverageAToB, accuracy: 1e-9, label, file: file, line: line)
            XCTAssertEqual(alignment.coverageBToA, pair.coverageBToA, accuracy: 1e-9, label, file: file, line: line)
            XCTAssertEqual(alignment.score, pair.score, accuracy: 1e-9, label, file: file, line: line)
            // The reverse alignment mirrors the coverages.
            let reverse = Alignment.align(b.units, a.units, sentenceDice: SimilaritySettings().sentenceDice)
            XCTAssertEqual(reverse.coverageAToB, alignment.coverageBToA, label, file: file, line: line)
            XCTAssertEqual(reverse.coverageBToA, alignment.coverageAToB, label, file: file, line: line)
            scores[[pair.a, pair.b]] = alignment.score
        }
        return scores
    }

    /// Story cosine with the IDF of just these documents (every one counted in N and df), as the reference.
    private func assertCosinesMatchReference(_ features: [String: SimilarityFeatures], _ cosines: [(String, String, Double)],
                                             file: StaticString = #filePath, line: UInt = #line) {
        var documentFrequency: [UInt64: Int] = [:]
        for article in features.values {
            for term in article.termWeights.terms { documentFrequency[term, default: 0] += 1 }
        }
        let idf = { (term: UInt64) in
            InverseDocumentFrequency.weight(documentFrequency: documentFrequency[term] ?? 0, documents: features.count,
                                            pseudoDocuments: SimilaritySettings().idfPseudoDocuments)
        }
        for (a, b, expected) in cosines {
            let vectorA = StoryVector.weighted(features[a]?.termWeights ?? [:], idf: idf)
            let vectorB = StoryVector.weighted(features[b]?.termWeights ?? [:], idf: idf)
            XCTAssertEqual(StoryVector.cosine(vectorA, vectorB), expected, accuracy: 1e-9, "cosine \(a)–\(b)", file: file, line: line)
        }
    }

    func testSeedFeaturesMatchReference() throws {
        assertMatchesReference(features(try seeds()), SimilarityReference.seeds)
    }

    func testSeedDuplicateScoresMatchReference() throws {
        let features = features(try seeds())
        let scores = try assertPairsMatchReference(features, SimilarityReference.seedsPairs)
        let threshold = SimilaritySettings().duplicateThreshold
        // 001 (AP wire), 002 (its paraphrase) and 003 (a later AP revision) are one near-duplicate group.
        for pair: Set<String> in [["001", "002"], ["001", "003"], ["002", "003"]] {
            XCTAssertGreaterThanOrEqual(scores[pair] ?? 0, threshold, "\(pair)")
        }
        // 000 (another outlet's own article) is a duplicate of none; neither is 004 (a rewrite citing AP).
        for other in ["001", "002", "003", "004"] {
            XCTAssertLessThan(scores[["000", other]] ?? 1, threshold, "000–\(other)")
        }
        XCTAssertLessThan(scores[["001", "004"]] ?? 1, threshold)
    }

    func testSeedStoryCosinesMatchReference() throws {
        assertCosinesMatchReference(features(try seeds()), SimilarityReference.seedsCosines)
    }

    func testFixtureFeaturesMatchReference() throws {
        assertMatchesReference(features(try fixtures()), SimilarityReference.fixtures)
    }

    func testFixtureDuplicateScoresMatchReference() throws {
        let features = features(try fixtures())
        let scores = try assertPairsMatchReference(features, SimilarityReference.fixturesPairs)
        let threshold = SimilaritySettings().duplicateThreshold
        // The wire story, its paraphrase and its later revision are mutual near-duplicates.
        for pair: Set<String> in [["100", "101"], ["100", "102"], ["101", "102"]] {
            XCTAssertGreaterThanOrEqual(scores[pair] ?? 0, threshold, "\(pair)")
        }
        // Another outlet's own article on the same event is not, nor is the rewrite citing AP.
        XCTAssertLessThan(scores[["100", "104"]] ?? 1, threshold)
        XCTAssertLessThan(scores[["100", "103"]] ?? 1, threshold)
    }

    func testFixtureStoryCosinesMatchReference() throws {
        assertCosinesMatchReference(features(try fixtures()), SimilarityReference.fixturesCosines)
    }

    func testExplainTextIsParallelToUnits() throws {
        let wire = try XCTUnwrap(try fixtures()["100"])
        let features = SimilarityFeatures(title: wire.title, body: wire.body)
        let text = SimilarityText(title: wire.title, body: wire.body)
        XCTAssertEqual(text.unitSentences.count, features.units.count)
        XCTAssertEqual(text.unitSentences.first, "Harbor bridge to close for repairs as engineers find deeper cracks")
        // Folded text: curly quotes are straight, the dateline dash is a hyphen.
        XCTAssertTrue(text.unitSentences.contains { $0.hasPrefix("PORTLAND, Maine (AP) - The Casco Harbor Bridge") })
        XCTAssertFalse(text.unitSentences.joined().unicodeScalars.contains { $0 == "\u{2019}" || $0 == "\u{201C}" })
        XCTAssertEqual(Set(text.termNames.keys), Set(features.termWeights.terms))
        for (hash, name) in text.termNames {
            XCTAssertEqual(SimilarityHash.term(name), hash, name)
        }
        XCTAssertEqual(text.termNames[SimilarityHash.term("casco_harbor")], "casco_harbor")
    }
}
