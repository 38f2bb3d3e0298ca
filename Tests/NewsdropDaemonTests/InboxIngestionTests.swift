import Foundation
import GRDB
import XCTest

/// The inbox protocol end to end: the real daemon, real files, the real database.
final class InboxIngestionTests: XCTestCase {
    private var daemon: DaemonHarness!

    override func setUpWithError() throws {
        daemon = try DaemonHarness()
    }

    override func tearDown() {
        daemon = nil
    }

    func testFixturesArriveBothWaysWithTitlesDatesAndURLs() throws {
        try daemon.start()
        try daemon.dropByRename("100-wire.txt", TestInputs.fixture("story/100-wire.txt"))
        try daemon.dropByRename("101-paraphrase.txt", TestInputs.fixture("story/101-paraphrase.txt"))
        try daemon.dropByRename("102-revision.txt", TestInputs.fixture("story/102-revision.txt"))
        try daemon.dropPlain("103-rewrite.txt", TestInputs.fixture("story/103-rewrite.txt"))
        try daemon.dropPlain("104-other-outlet.txt", TestInputs.fixture("story/104-other-outlet.txt"))
        try daemon.waitUntil("five articles are stored and the inbox is empty") {
            try daemon.count("SELECT count(*) FROM articles") == 5 && daemon.inboxAndWorkAreEmpty
        }

        let articles = try Dictionary(uniqueKeysWithValues: daemon.rows("""
            SELECT s.name, a.title, a.published_at, a.url, a.canonical_url, a.dateline_place, a.dateline_agency, a.text
            FROM articles a JOIN sightings s ON s.article_id = a.id
            """).map { (row: Row) -> (String, Row) in (row["name"], row) })
        XCTAssertEqual(articles["100-wire.txt"]?["title"], "Harbor bridge to close for repairs as engineers find deeper cracks")
        XCTAssertEqual(articles["100-wire.txt"]?["dateline_place"], "PORTLAND, Maine")
        XCTAssertEqual(articles["100-wire.txt"]?["dateline_agency"], "AP")
        XCTAssertFalse((articles["100-wire.txt"]?["text"] as String?)?.contains("Comments are closed") ?? true)
        XCTAssertEqual(articles["102-revision.txt"]?["title"], "Harbor bridge closure extended as inspectors widen review")
        XCTAssertEqual(articles["102-revision.txt"]?["published_at"], "2023-03-14T00:00:00Z")
        XCTAssertEqual(articles["102-revision.txt"]?["canonical_url"],
                       "https://www.example-news.test/local/harbor-bridge-closure-extended-5511")
        XCTAssertEqual(articles["104-other-outlet.txt"]?["title"], "Harbor Bridge Shutdown Leaves Commuters Scrambling For Options")
        XCTAssertNil(articles["101-paraphrase.txt"]?["title"] as String?)
        XCTAssertNil(articles["103-rewrite.txt"]?["title"] as String?)

        let processed = daemon.files(under: "processed")
        XCTAssertEqual(processed.count, 5, "\(processed)")
        XCTAssertTrue(processed.allSatisfy { $0.range(of: #"^\d{4}-\d{2}-\d{2}/\d{3}-"#, options: .regularExpression) != nil },
                      "processed/YYYY-MM-DD/NAME expected, got \(processed)")
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM sightings WHERE origin = 'file'"), 5)
        XCTAssertTrue(daemon.log.contains(#"ingested "100-wire.txt": article"#), daemon.log)
        XCTAssertTrue(daemon.log.contains(", memory statistics off"), "the store turns SQLite's memory statistics off: \(daemon.log)")
    }

    func testSeedsIngestWithTheirTitlesDateAndURL() throws {
        let seeds = try TestInputs.seeds()
        try daemon.start()
        for (index, seed) in seeds.enumerated() {
            if index.isMultiple(of: 2) {
                try daemon.dropByRename(seed.name, seed.data)
            } else {
                try daemon.dropPlain(seed.name, seed.data)
            }
        }
        try daemon.waitUntil("every seed is stored") {
            try daemon.count("SELECT count(*) FROM articles") == seeds.count && daemon.inboxAndWorkAreEmpty
        }
        let byPrefix = try Dictionary(uniqueKeysWithValues: daemon.rows("""
            SELECT substr(s.name, 1, 3) AS prefix, a.title, a.published_at, a.url, a.text
            FROM articles a JOIN sightings s ON s.article_id = a.id
            """).map { (row: Row) -> (String, Row) in (row["prefix"], row) })
        XCTAssertEqual(byPrefix["000"]?["title"], "Secretary Blinken To Visit Ukraine As Efforts To Avert War Intensify")
        XCTAssertEqual(byPrefix["001"]?["title"], "Blinken to visit Ukraine as US-Russian tensions escalate")
        XCTAssertEqual(byPrefix["003"]?["title"], "Blinken to meet with senior Russian as Ukraine tensions soar")
        XCTAssertEqual(byPrefix["003"]?["published_at"], "2022-01-18T00:00:00Z")
        XCTAssertEqual(byPrefix["003"]?["url"],
                       "https://www.thereminder.ca/world-news/blinken-to-visit-ukraine-as-us-russia-tensions-escalate-4965801")
        XCTAssertFalse((byPrefix["001"]?["text"] as String?)?.contains("Comments are closed") ?? true)
        XCTAssertEqual(daemon.files(under: "processed").count, seeds.count)
    }

    func testATypographicCopyIsASightingNotANewArticle() throws {
        let original = try String(decoding: TestInputs.fixture("story/100-wire.txt"), as: UTF8.self)
        let copy = original
            .replacingOccurrences(of: "\u{2019}", with: "'")
            .replacingOccurrences(of: "\u{201C}", with: "\"")
            .replacingOccurrences(of: "\u{201D}", with: "\"")
            .replacingOccurrences(of: " the ", with: " the  ")
            .replacingOccurrences(of: "\n\n", with: "\r\n\r\n")
        XCTAssertNotEqual(copy, original)
        try daemon.start()
        try daemon.dropByRename("original.txt", Data(original.utf8))
        try daemon.waitUntil("the original is stored") { try daemon.count("SELECT count(*) FROM sightings") == 1 }
        try daemon.dropPlain("copy.txt", Data(copy.utf8))
        try daemon.waitUntil("the copy is recorded") { try daemon.count("SELECT count(*) FROM sightings") == 2 }

        XCTAssertEqual(try daemon.count("SELECT count(*) FROM articles"), 1)
        XCTAssertEqual(try daemon.count("SELECT count(DISTINCT article_id) FROM sightings"), 1)
        XCTAssertEqual(try daemon.count("SELECT count(DISTINCT raw_sha256) FROM sightings"), 2)
        XCTAssertTrue(daemon.log.contains(#"ingested "copy.txt": a sighting of article 1 (exact duplicate)"#), daemon.log)
    }

    func testTheSameCanonicalURLWithNewTextIsALinkedRevision() throws {
        try daemon.start()
        let first = #"{"title": "Storm nears coast", "url": "https://News.example.com/storm?utm_source=x", "text": "The storm is expected to reach the coast on Friday night."}"#
        let second = #"{"title": "Storm reaches coast", "url": "https://news.example.com:443/storm#top", "text": "The storm reached the coast early on Saturday, cutting power to thousands."}"#
        try daemon.dropByRename("first.json", Data(first.utf8))
        try daemon.waitUntil("the first version is stored") { try daemon.count("SELECT count(*) FROM articles") == 1 }
        try daemon.dropByRename("second.json", Data(second.utf8))
        try daemon.waitUntil("the revision is stored") { try daemon.count("SELECT count(*) FROM articles") == 2 }

        let rows = try daemon.rows("SELECT id, canonical_url, url, revision_of FROM articles ORDER BY id")
        XCTAssertEqual(rows.map { $0["canonical_url"] as String? }, ["https://news.example.com/storm", "https://news.example.com/storm"])
        XCTAssertEqual(rows[0]["url"], "https://News.example.com/storm?utm_source=x", "the original URL is kept beside the canonical one")
        XCTAssertNil(rows[0]["revision_of"] as Int64?)
        XCTAssertEqual(rows[1]["revision_of"], rows[0]["id"] as Int64)
    }

    func testJSONLinesKeepsGoodLinesAndRecordsEachBadLine() throws {
        try daemon.start()
        let lines = [
            #"{"title": "One", "text": "The first article of the batch has words.", "source": "Example Times", "id": 17}"#,
            #"{"title": "Two", "text": 42}"#,
            "",
            "{not json",
            #"{"title": "Three", "body": "The third article uses the body alias.", "published": "2022-01-18T10:00:00+02:00"}"#,
        ]
        try daemon.dropByRename("batch.jsonl", Data(lines.joined(separator: "\n").utf8))
        try daemon.waitUntil("the batch is processed") { daemon.inboxAndWorkAreEmpty && daemon.files(under: "processed").count == 1 }

        let articles = try daemon.rows("SELECT title, outlet, external_id, published_at FROM articles ORDER BY id")
        XCTAssertEqual(articles.map { $0["title"] as String? }, ["One", "Three"])
        XCTAssertEqual(articles[0]["outlet"], "Example Times")
        XCTAssertEqual(articles[0]["external_id"], "17")
        XCTAssertEqual(articles[1]["published_at"], "2022-01-18T08:00:00Z")
        XCTAssertEqual(try daemon.rows("SELECT item FROM sightings ORDER BY item").map { $0["item"] as Int }, [1, 5])
        let failures = try daemon.rows("SELECT item, stage, reason FROM failures ORDER BY item")
        XCTAssertEqual(failures.map { $0["item"] as Int }, [2, 4])
        XCTAssertTrue((failures[0]["reason"] as String).contains(#"line 2: field "text""#), "\(failures[0])")
        XCTAssertTrue((failures[1]["reason"] as String).hasPrefix("line 4: invalid JSON"), "\(failures[1])")
        XCTAssertTrue(daemon.entries("failed").isEmpty, "a file with good lines is not a failed file")
    }

    func testProducersPartialFilesAreNeverTouched() throws {
        try daemon.start()
        for name in [".hidden", "upload.tmp", "video.part", "draft.txt~"] {
            try daemon.dropPlain(name, Data("A producer is still writing this file.".utf8))
        }
        try daemon.dropPlain("real.txt", Data("Headline\n\nA real article arrived beside partial files.".utf8))
        try daemon.waitUntil("the real file is stored") { try daemon.count("SELECT count(*) FROM articles") == 1 }
        try daemon.stop()
        let remaining = try FileManager.default.contentsOfDirectory(atPath: daemon.url("inbox").path).sorted()
        XCTAssertEqual(remaining, [".hidden", "draft.txt~", "new", "tmp", "upload.tmp", "video.part"])
    }

    func testAPlainDropWaitsUntilItHasBeenQuietForTheMinimumAge() throws {
        try daemon.start(["--min-file-age", "3", "--rescan-interval", "1"])
        try daemon.dropPlain("slow.txt", Data("Headline\n\nThe writer closed this file a moment ago.".utf8))
        Thread.sleep(forTimeInterval: 1)
        XCTAssertEqual(daemon.entries("inbox").filter { $0 == "slow.txt" }, ["slow.txt"],
                       "a plain drop younger than --min-file-age must stay in the inbox")
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM articles"), 0)
        try daemon.waitUntil("the file is taken once quiet", timeout: 15) {
            try daemon.count("SELECT count(*) FROM articles") == 1
        }
    }

    func testFilesDroppedWhileStoppedAreTakenAtStart() throws {
        try daemon.start()
        try daemon.stop()
        try daemon.dropByRename("while-down.txt", Data("Headline\n\nThis file arrived while the daemon was down.".utf8))
        try daemon.dropPlain("plain-while-down.txt", Data("Headline\n\nAnother file arrived while the daemon was down.".utf8))
        try daemon.start()
        try daemon.waitUntil("both files are stored") {
            try daemon.count("SELECT count(*) FROM articles") == 2 && daemon.inboxAndWorkAreEmpty
        }
    }

    func testPollOnlyModeIngestsWithoutInotify() throws {
        try daemon.start(["--poll", "--poll-interval", "0.2", "--min-file-age", "0.2"])
        try daemon.dropByRename("polled.txt", Data("Headline\n\nFound by a scan, not by inotify.".utf8))
        try daemon.dropPlain("polled-plain.txt", Data("Headline\n\nAlso found by a scan, later.".utf8))
        try daemon.waitUntil("both files are stored") { try daemon.count("SELECT count(*) FROM articles") == 2 }
        XCTAssertTrue(daemon.log.contains("(poll-only)"), daemon.log)
    }

    func testAFullQueueLeavesFilesWaitingInTheInboxUntilThereIsRoom() throws {
        try daemon.start(DaemonHarness.quickArguments + ["--queue-size", "1"])
        for index in 0..<40 {
            try daemon.dropByRename(String(format: "queued-%02d.txt", index),
                                    Data("Headline \(index)\n\nArticle number \(index) waits its turn in the inbox.".utf8))
        }
        try daemon.waitUntil("all forty are stored") {
            try daemon.count("SELECT count(*) FROM articles") == 40 && daemon.inboxAndWorkAreEmpty
        }
        let order = try daemon.rows("SELECT s.name FROM sightings s ORDER BY s.id").map { $0["name"] as String }
        XCTAssertEqual(order.count, 40)
    }

    /// The day's folder under `processed/` stays open between files, while it is still the
    /// folder of that name. Moved away, the day's later files go to a folder made anew. Replaced
    /// by something else, a committed file waits in `work/` with the reason logged, later files
    /// are still committed, and the files leave as soon as the folder can be made again.
    func testTheDaysFolderIsMadeAnewWhenMovedAndAFileWaitsInWorkWhileItCannotBe() throws {
        // Its files must all go to one day's folder: close to the end of the UTC day, it waits
        // for the next one instead of straddling them.
        let secondsToMidnight = 86_400 - Int(Date().timeIntervalSince1970) % 86_400
        if secondsToMidnight < 120 { Thread.sleep(forTimeInterval: Double(secondsToMidnight) + 2) }
        func text(_ topic: String) -> Data { Data("\(topic)\n\nThe harbor authority said \(topic.lowercased()) would be reviewed again in the spring.".utf8) }
        try daemon.start()
        try daemon.dropByRename("first.txt", text("Ferry timetable"))
        try daemon.waitUntil("the first file is processed") { daemon.files(under: "processed").count == 1 }
        let day = try XCTUnwrap(daemon.files(under: "processed").first.map { ($0 as NSString).pathComponents[0] })

        try FileManager.default.moveItem(at: daemon.url("processed/\(day)"), to: daemon.url("processed/archived"))
        try daemon.dropByRename("second.txt", text("Bridge repairs"))
        try daemon.waitUntil("the second file is processed") { daemon.files(under: "processed").count == 2 }
        XCTAssertEqual(daemon.files(under: "processed"), ["\(day)/second.txt", "archived/first.txt"],
                       "a folder moved away does not take the day's later files with it")

        try FileManager.default.removeItem(at: daemon.url("processed/\(day)"))
        try Data("in the way\n".utf8).write(to: daemon.url("processed/\(day)"))
        try daemon.dropByRename("third.txt", text("Pier lighting"))
        try daemon.waitUntil("the third file is committed and its disposal refused") {
            daemon.log.contains(#"committed "third.txt" but cannot move it out of work/ yet (retrying)"#)
        }
        XCTAssertTrue(daemon.log.contains("Not a directory"), daemon.log)
        try daemon.dropByRename("fourth.txt", text("Harbor dredging"))
        try daemon.waitUntil("the fourth file is committed while the third waits") {
            try daemon.count("SELECT count(*) FROM sightings WHERE name IN ('third.txt', 'fourth.txt')") == 2
        }
        XCTAssertEqual(daemon.entries("work").count, 2, "both committed files wait in work/: \(daemon.entries("work"))")

        try FileManager.default.removeItem(at: daemon.url("processed/\(day)"))
        try daemon.waitUntil("the files leave work/ once the folder can be made") { daemon.entries("work").isEmpty }
        XCTAssertEqual(daemon.files(under: "processed").filter { $0.hasPrefix(day) },
                       ["\(day)/fourth.txt", "\(day)/third.txt"])
        XCTAssertTrue(daemon.log.contains(#"ingested "third.txt": article"#), daemon.log)
        XCTAssertEqual(try daemon.stop(), 0)
    }

    func testDeleteDispositionKeepsTheRawBytesInTheDatabase() throws {
        try daemon.start(DaemonHarness.quickArguments + ["--disposition", "delete"])
        let raw = Data("Headline\n\nThe raw input is kept in the database when files are deleted.".utf8)
        try daemon.dropByRename("deleted.txt", raw)
        try daemon.waitUntil("the file is stored") {
            try daemon.count("SELECT count(*) FROM articles") == 1 && daemon.inboxAndWorkAreEmpty
        }
        XCTAssertTrue(daemon.files(under: "processed").isEmpty)
        let stored = try daemon.database().read { try Data.fetchOne($0, sql: "SELECT bytes FROM raw_inputs") }
        XCTAssertEqual(stored, raw)
    }

    /// `commits` counts transactions, not inputs or articles: how well the writer batches.
    func testStatusAndMetricsCountCommittedTransactions() throws {
        try daemon.start()
        let client = try daemon.controlClient()
        func counter(_ name: String) throws -> Int? {
            (try client.call("status").result?["counters"] as? [String: Any])?[name] as? Int
        }
        XCTAssertEqual(try counter("commits"), 0)
        try daemon.dropByRename("one.txt", Data("Headline\n\nOne article in one file.".utf8))
        try daemon.waitUntil("the file is stored") { try daemon.count("SELECT count(*) FROM articles") == 1 }
        let lines = (1...3).map { #"{"title": "Line \#($0)", "text": "Article \#($0) of a JSON Lines file."}"# }
        try daemon.dropByRename("three.jsonl", Data(lines.joined(separator: "\n").utf8))
        try daemon.waitUntil("the lines are stored") { try daemon.count("SELECT count(*) FROM articles") == 4 }
        XCTAssertTrue(try client.waitIdle(timeout: 10))
        XCTAssertEqual(try counter("ingested"), 4)
        XCTAssertEqual(try counter("commits"), 2, "one transaction per input here, whatever it holds")
        let metrics = try XCTUnwrap(try client.call("metrics").result?["text"] as? String)
        XCTAssertTrue(metrics.contains("\nnewsdrop_commits_total 2\n"), metrics)
    }

    /// Candidate search skips keys no article posted once the filter of posted keys has read
    /// the keys stored before the start; status and the log say when, and metrics count what it
    /// skipped.
    /// A small store's fill is quick.
    func testStatusSaysWhenThePostedKeyFilterIsFilled() throws {
        try daemon.start()
        try daemon.dropByRename("one.txt", Data("Headline\n\nOne article, so that the next start has keys to read.".utf8))
        try daemon.waitUntil("the file is stored") { try daemon.count("SELECT count(*) FROM articles") == 1 }
        XCTAssertEqual(try daemon.stop(), 0)
        try daemon.start()
        let client = try daemon.controlClient()
        let first = try XCTUnwrap(client.call("status").result?["posted_key_filter"] as? String)
        XCTAssertTrue(["filling", "filled"].contains(first), first)
        try daemon.waitUntil("the filter is filled") { try client.call("status").result?["posted_key_filter"] as? String == "filled" }
        try daemon.waitUntil("the log says the filter is filled") { daemon.log.contains("filter of posted keys filled: read ") }
        try daemon.dropByRename("two.txt", Data("Orchard harvest\n\nApple growers picked a record crop; cider makers bought the bruised fruit.".utf8))
        XCTAssertTrue(try client.waitIdle(timeout: 10))
        let metrics = try XCTUnwrap(try client.call("metrics").result?["text"] as? String)
        let skipped = metrics.split(separator: "\n").first { $0.hasPrefix("newsdrop_posting_lookups_skipped_total ") }
        XCTAssertGreaterThan(Int(skipped?.split(separator: " ").last ?? "") ?? 0, 0,
                             "an unrelated article's keys have no postings: \(metrics)")
    }

    func testSIGTERMCommitsCheckpointsAndExitsZero() throws {
        try daemon.start()
        for index in 0..<30 {
            try daemon.dropByRename("stop-\(index).txt", Data("Headline \(index)\n\nArticle \(index) arrives just before a stop.".utf8))
        }
        try daemon.waitUntil("ingestion has begun") { try daemon.count("SELECT count(*) FROM sightings") > 0 }
        XCTAssertEqual(try daemon.stop(), 0)
        XCTAssertTrue(daemon.entries("work").isEmpty, "a graceful stop finishes what it claimed")
        let walSize = (try? FileManager.default.attributesOfItem(atPath: daemon.url("newsdrop.db-wal").path)[.size] as? Int) ?? 0
        XCTAssertEqual(walSize, 0, "the write-ahead log is checkpointed and truncated at stop")
        XCTAssertTrue(daemon.log.contains("stopped"), daemon.log)
    }
}
