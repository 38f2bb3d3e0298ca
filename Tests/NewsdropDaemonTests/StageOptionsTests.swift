import Foundation
import GRDB
import XCTest

/// The optional recording stages (`dedup.similarity`, `search.full_text`), turned off and on
/// again on the real daemon and its database.
final class StageOptionsTests: XCTestCase {
    private var daemon: DaemonHarness!

    override func setUpWithError() throws {
        daemon = try DaemonHarness()
    }

    override func tearDown() {
        daemon = nil
    }

    private static let articles = [
        ("harbor.txt", "Harbor ferry service resumes\n\nThe harbor ferry resumed service on Monday after a two-week strike by deckhands."),
        ("orchard.txt", "Orchard frost losses counted\n\nGrowers in the valley counted losses after a late frost hit the apple orchards."),
    ]

    private func dropAndWait(_ files: [(String, String)]) throws -> ControlTestClient {
        for (name, text) in files { try daemon.dropByRename(name, Data(text.utf8)) }
        let client = try daemon.controlClient()
        XCTAssertTrue(try client.waitIdle(timeout: 60))
        return client
    }

    func testWithoutSimilarityArticlesAreStoredWithoutGroupsOrStories() throws {
        try daemon.start(environment: ["NEWSDROP_DEDUP_SIMILARITY": "false"])
        _ = try dropAndWait(Self.articles)
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM articles"), 2)
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM articles WHERE duplicate_group IS NULL AND story_id IS NULL"), 2)
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM article_features"), 0)
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM stories"), 0)
        XCTAssertTrue(daemon.log.contains("harbor.txt"), daemon.log)
        let status = try XCTUnwrap(try daemon.controlClient().call("status").result)
        XCTAssertNil(status["posted_key_filter"], "no placement, so no filter of posted keys: \(status)")
    }

    /// `dedup.key_filter_size`: 0 keeps no filter of posted keys, and a size whose memory cannot
    /// be mapped is logged with the reason; either way every key is looked up and a revision
    /// still joins its original's group.
    func testWithoutAFilterOfPostedKeysNearDuplicatesAreStillFound() throws {
        let sentences = (1...10).map { "Crews counted \($0 * 3) broken panes in hall \($0) of the Lakeside Library." }
        func story(_ sentences: ArraySlice<String>) -> String {
            "Library storm damage\n\n" + sentences.joined(separator: " ")
        }
        let drops = [("0", "off", [("storm.txt", story(sentences[...])), ("revision.txt", story(sentences.dropLast()))]),
                     ("1048576G", "failed", [("second-revision.txt", story(sentences.dropFirst()))])]
        for (size, word, files) in drops {
            try daemon.start(environment: ["NEWSDROP_DEDUP_KEY_FILTER_SIZE": size])
            let client = try dropAndWait(files)
            XCTAssertEqual(try client.call("status").result?["posted_key_filter"] as? String, word, "size \(size)")
            try daemon.stop()
        }
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM articles"), 3)
        let groups = try daemon.count("SELECT count(DISTINCT duplicate_group) FROM articles")
        XCTAssertEqual(groups, 1, "both revisions joined the original")
        XCTAssertTrue(daemon.log.contains("filter of posted keys unusable, every posting key is looked up (slower, same results): cannot map"),
                      daemon.log)
    }

    func testWithoutFullTextSearchSaysSoAndANextStartCatchesUp() throws {
        try daemon.start(environment: ["NEWSDROP_SEARCH_FULL_TEXT": "false"])
        var client = try dropAndWait(Self.articles)
        let refused = try client.call("search", ["query": "ferry"])
        XCTAssertEqual(refused.errorCode, "unavailable", "\(refused)")
        XCTAssertTrue(refused.errorMessage?.contains("search.full_text") == true, "\(refused)")
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM stories"), 2, "similarity still runs")
        try daemon.stop()

        try daemon.start()
        client = try daemon.controlClient()
        let found = try client.call("search", ["query": "ferry"])
        let hits = try XCTUnwrap(found.result?["hits"] as? [[String: Any]], "\(found)")
        XCTAssertEqual(hits.compactMap { $0["title"] as? String }, ["Harbor ferry service resumes"])
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM corpus_counters WHERE name = 'full_text_stale'"), 0)
    }
}
