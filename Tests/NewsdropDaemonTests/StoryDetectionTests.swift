import Foundation
import GRDB
import XCTest

/// Near-duplicate groups and stories, end to end: files dropped into the real daemon, groups
/// and stories read back from its database and through its control socket.
final class StoryDetectionTests: XCTestCase {
    private var daemon: DaemonHarness!

    override func setUpWithError() throws {
        daemon = try DaemonHarness()
    }

    override func tearDown() {
        daemon = nil
    }

    /// Two articles on other events, so that grouping has something to tell apart.
    static let unrelated: [(name: String, text: String)] = [
        ("200-budget.txt", """
            Council passes school budget after late-night session

            The city council approved a $212 million school budget early Wednesday after a nine-hour session \
            that drew more than 300 parents, teachers and students to City Hall.

            The plan adds 45 teaching positions, expands bus routes in the northern districts and delays the \
            renovation of two elementary schools until 2026. Council President Maria Okafor called it "a budget \
            that puts classrooms first" and said the renovation delay was the hardest choice of the night.

            Teachers union leaders praised the new positions but warned that class sizes in the upper grades \
            would still exceed state guidelines. The budget now goes to the mayor, who has ten days to sign it.
            """),
        ("201-football.txt", """
            Late penalty sends Rovers into the cup final

            A stoppage-time penalty from captain Leon Brandt sent Riverside Rovers into their first cup final in \
            22 years on Saturday, after a 2-1 win over holders Northgate in front of 31,000 fans.

            Northgate had led through an early header from defender Sam Ito and looked set to hold on until \
            substitute winger Dani Costa was brought down in the box in the 94th minute. Brandt sent the \
            goalkeeper the wrong way and ran to the away end as the stadium erupted.

            Rovers manager Elena Ruiz said her side had "refused to accept the script". The final will be played \
            on May 18 at the national stadium against the winner of Sunday's second semi-final.
            """),
    ]

    private static let storyFixtures = ["100-wire.txt", "101-paraphrase.txt", "102-revision.txt", "103-rewrite.txt",
                                        "104-other-outlet.txt"]

    /// Drops the files in this order, waits until all are committed, and returns each file's
    /// (duplicate group, story) as the sets of file names that share them.
    private func partitions(of files: [(name: String, data: Data)]) throws -> (groups: Set<Set<String>>, stories: Set<Set<String>>) {
        try daemon.start()
        for file in files { try daemon.dropByRename(file.name, file.data) }
        let client = try daemon.controlClient()
        XCTAssertTrue(try client.waitIdle(timeout: 60))
        let rows = try daemon.rows("""
            SELECT s.name, a.duplicate_group, a.story_id FROM sightings s JOIN articles a ON a.id = s.article_id
            """)
        XCTAssertEqual(rows.count, files.count)
        func partition(_ column: String) -> Set<Set<String>> {
            Set(Dictionary(grouping: rows) { $0[column] as Int64 }.values.map { Set($0.map { $0["name"] as String }) })
        }
        return (partition("duplicate_group"), partition("story_id"))
    }

    private func fixtureFiles() throws -> [(name: String, data: Data)] {
        try Self.storyFixtures.map { ($0, try TestInputs.fixture("story/\($0)")) }
            + Self.unrelated.map { ($0.name, Data($0.text.utf8)) }
    }

    func testCopiesRevisionsAndParaphrasesGroupAndTheEventIsOneStory() throws {
        let (groups, stories) = try partitions(of: fixtureFiles())
        XCTAssertTrue(groups.contains { $0.isSuperset(of: ["100-wire.txt", "101-paraphrase.txt", "102-revision.txt"]) },
                      "wire story, paraphrase and revision are one near-duplicate group: \(groups)")
        XCTAssertFalse(groups.contains { $0.contains("100-wire.txt") && $0.contains("104-other-outlet.txt") },
                       "another outlet's own article is not a near-duplicate: \(groups)")
        XCTAssertTrue(stories.contains(Set(Self.storyFixtures)), "all five reports of the event are one story: \(stories)")
        XCTAssertTrue(stories.contains(["200-budget.txt"]) && stories.contains(["201-football.txt"]),
                      "unrelated articles are stories of their own: \(stories)")
    }

    func testSeedsFormOneStoryWithTheAPCopiesInOneGroup() throws {
        let seeds = try TestInputs.seeds()
        let (groups, stories) = try partitions(of: seeds)
        let names = seeds.map(\.name)
        func name(_ prefix: String) -> String { names.first { $0.hasPrefix(prefix) }! }
        let apGroup = try XCTUnwrap(groups.first { $0.contains(name("001")) })
        XCTAssertTrue(apGroup.isSuperset(of: [name("001"), name("002"), name("003")]), "\(groups)")
        XCTAssertFalse(apGroup.contains(name("000")), "\(groups)")
        XCTAssertEqual(stories, [Set(names)], "all five seeds are one story")
    }

    func testTheSameFilesInAnotherOrderGiveTheSameGroupsAndStories() throws {
        let files = try fixtureFiles()
        let forward = try partitions(of: files)
        var results = [forward]
        for order in [Array(files.reversed()), [files[3], files[5], files[1], files[6], files[0], files[4], files[2]]] {
            daemon = try DaemonHarness()
            results.append(try partitions(of: order))
        }
        for result in results.dropFirst() {
            XCTAssertEqual(result.groups, forward.groups)
            XCTAssertEqual(result.stories, forward.stories)
        }
    }

    func testSimilarStoriesStoryAndWhyOverTheSocket() throws {
        _ = try partitions(of: fixtureFiles())
        let client = try daemon.controlClient()
        let idByName = try Dictionary(uniqueKeysWithValues: daemon.rows("SELECT name, article_id FROM sightings").map {
            ($0["name"] as String, $0["article_id"] as Int64)
        })
        let wire = try XCTUnwrap(idByName["100-wire.txt"]), paraphrase = try XCTUnwrap(idByName["101-paraphrase.txt"])
        let otherOutlet = try XCTUnwrap(idByName["104-other-outlet.txt"])

        let similar = try XCTUnwrap(try client.call("similar", ["id": wire]).result)
        let nearIDs = (similar["near_duplicates"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } ?? []
        XCTAssertTrue(nearIDs.contains(Int(paraphrase)), "\(similar)")
        let sameStory = (similar["same_story"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } ?? []
        XCTAssertTrue(sameStory.contains(Int(otherOutlet)), "\(similar)")

        let storyID = try XCTUnwrap(similar["story_id"] as? Int)
        let story = try XCTUnwrap(try client.call("story", ["id": storyID]).result)
        XCTAssertEqual((story["articles"] as? [[String: Any]])?.count, 5)
        let stories = try XCTUnwrap(try client.call("stories").result?["stories"] as? [[String: Any]])
        XCTAssertEqual(stories.count, 3)
        XCTAssertEqual(stories.first { $0["id"] as? Int == storyID }?["article_count"] as? Int, 5)

        let why = try XCTUnwrap(try client.call("why", ["a": wire, "b": paraphrase]).result)
        XCTAssertEqual(why["relation"] as? String, "near-duplicate")
        let duplicate = try XCTUnwrap(why["duplicate"] as? [String: Any])
        XCTAssertGreaterThanOrEqual(duplicate["score"] as? Double ?? 0, duplicate["threshold"] as? Double ?? 1)
        XCTAssertFalse((why["passages"] as? [[String: Any]] ?? []).isEmpty, "the shared passages are shown")
        let unrelated = try XCTUnwrap(try client.call("why", ["a": wire, "b": otherOutlet]).result)
        XCTAssertEqual(unrelated["relation"] as? String, "same story")
        XCTAssertEqual(try client.call("why", ["a": wire, "b": 9_999]).errorCode, "not_found")

        let status = try XCTUnwrap(try client.call("status").result?["counters"] as? [String: Any])
        XCTAssertEqual(status["stories"] as? Int, 3)
        XCTAssertGreaterThanOrEqual(status["near_duplicates"] as? Int ?? 0, 2)
    }
}
