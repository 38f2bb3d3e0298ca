import Foundation
import GRDB
import XCTest

/// SIGKILL at any moment loses nothing and doubles nothing: claimed files are resumed at the
/// next start, and resuming a file whose commit already happened records nothing twice.
final class CrashRecoveryTests: XCTestCase {
    private var daemon: DaemonHarness!

    override func setUpWithError() throws {
        daemon = try DaemonHarness()
    }

    override func tearDown() {
        daemon = nil
    }

    func testKillDashNineWhileIngesting500FilesLosesAndDoublesNothing() throws {
        let total = 500
        try daemon.start()
        for index in 0..<total {
            let body = "Report \(index): the council voted \(index % 7) to \(index % 5) on item \(index) after a long debate."
            let data = Data("Council report \(index)\n\n\(body)".utf8)
            if index.isMultiple(of: 3) {
                try daemon.dropPlain("plain-\(index).txt", data)
            } else {
                try daemon.dropByRename("renamed-\(index).txt", data)
            }
        }
        try daemon.waitUntil("ingestion is under way") { try daemon.count("SELECT count(*) FROM sightings") >= 40 }
        daemon.killHard()
        let committedBeforeKill = try daemon.count("SELECT count(*) FROM sightings")

        try daemon.start()
        try daemon.waitUntil("every file is accounted for", timeout: 120) {
            try daemon.count("SELECT count(*) FROM sightings") == total && daemon.inboxAndWorkAreEmpty
        }
        XCTAssertLessThan(committedBeforeKill, total, "the kill should land mid-ingestion for this test to mean something")
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM articles"), total, "each distinct input is one article")
        XCTAssertEqual(try daemon.count("SELECT count(DISTINCT name) FROM sightings"), total, "no input recorded twice")
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM failures"), 0)
        XCTAssertEqual(daemon.files(under: "processed").count, total)
        XCTAssertEqual(try daemon.database().read { try String.fetchOne($0, sql: "PRAGMA integrity_check") }, "ok")
        XCTAssertEqual(try daemon.stop(), 0)
    }

    func testResumingAClaimThatWasAlreadyCommittedRecordsNothingTwice() throws {
        try daemon.start()
        let data = Data("Headline\n\nCommitted, then the daemon died before moving the file.".utf8)
        try daemon.dropByRename("committed.txt", data)
        try daemon.waitUntil("the file is stored") { try daemon.count("SELECT count(*) FROM sightings") == 1 }
        try daemon.stop()

        // Put the file back where a crash between commit and disposal would have left it.
        let delivery = try XCTUnwrap(daemon.rows("SELECT delivery FROM sightings").first?["delivery"] as String?)
        let claimFolder = daemon.url("work/\(delivery)")
        try FileManager.default.createDirectory(at: claimFolder, withIntermediateDirectories: false)
        try data.write(to: claimFolder.appendingPathComponent("committed.txt"))
        // And an empty claim folder, as a crash between mkdir and rename leaves.
        try FileManager.default.createDirectory(at: daemon.url("work/0000000000001-1-1"), withIntermediateDirectories: false)

        try daemon.start()
        try daemon.waitUntil("the resumed file is disposed of") { daemon.entries("work").isEmpty }
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM sightings"), 1)
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM articles"), 1)
        XCTAssertEqual(daemon.files(under: "processed").count, 2, "both copies of the raw input are kept")
        XCTAssertTrue(daemon.log.contains("recorded before the last stop"), daemon.log)
    }

    /// A claim is a flat `work/<id>-<name>` unless the name is too long to carry the id, and
    /// runs before this layout left `work/<id>/<name>` folders: a start resumes both, in the
    /// claim ids' numeric order (not their byte order), with the dropped names exactly.
    func testFlatAndFolderClaimsLeftByACrashAreResumedInClaimOrder() throws {
        try daemon.start()
        try daemon.stop()
        let data = Data("Ferry timetable\n\nThe ferry keeps its winter timetable until the harbor works end.".utf8)
        let folder = daemon.url("work/999-1-1")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
        try data.write(to: folder.appendingPathComponent("older-one.txt"))
        try data.write(to: daemon.url("work/1000-1-1-newer-one.txt"))
        try data.write(to: daemon.url("work/notes.txt"))

        try daemon.start()
        try daemon.waitUntil("both resumed files are disposed of") { daemon.entries("work") == ["notes.txt"] }
        XCTAssertTrue(daemon.log.contains("ignoring \"notes.txt\" in the work folder: not a claim"), daemon.log)
        XCTAssertEqual(try daemon.rows("SELECT name, delivery FROM sightings ORDER BY rowid").map { "\($0["name"] as String) \($0["delivery"] as String)" },
                       ["older-one.txt 999-1-1", "newer-one.txt 1000-1-1"])
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM articles"), 1, "the same text is one article")
        XCTAssertEqual(Set(daemon.files(under: "processed").map { ($0 as NSString).lastPathComponent }),
                       ["older-one.txt", "newer-one.txt"])
        XCTAssertTrue(daemon.log.contains("resuming 2 file(s)"), daemon.log)
        XCTAssertEqual(try daemon.stop(), 0)
    }

    /// The writer holds most of an article's postings and document frequencies in memory for a
    /// few commits (`IndexSlices`); killed then, the daemon recomputes them at its next start.
    func testIndexEntriesHeldInMemoryAtAKillAreWrittenAtTheNextStart() throws {
        try daemon.start()
        let text = (0..<40).map { "Harbor pilots reported that berth \($0) reopened after the storm surge." }.joined(separator: " ")
        try daemon.dropByRename("held.txt", Data("Harbor berths reopen\n\n\(text)".utf8))
        try daemon.waitUntil("the article is committed") { try daemon.count("SELECT count(*) FROM article_features") == 1 }
        let writtenBeforeKill = try daemon.count("SELECT count(*) FROM band_postings")
        let storyListingsBeforeKill = try daemon.count("SELECT count(*) FROM story_postings")
        // The story's row lists the terms it posts: a version byte, then eight bytes per term.
        let postedTerms = try daemon.count("SELECT (length(posted) - 1) / 8 FROM stories")
        daemon.killHard()
        XCTAssertLessThan(writtenBeforeKill, 16, "one commit writes one slice of the key space, not all of the 16 band postings")
        XCTAssertEqual(postedTerms, 24, "the story posts its 24 strongest terms")
        XCTAssertLessThan(storyListingsBeforeKill, postedTerms, "the story's postings wait for their slices too")

        try daemon.start()
        try daemon.waitUntil("the held postings are written") { try daemon.count("SELECT count(*) FROM band_postings") == 16 }
        XCTAssertGreaterThan(try daemon.count("SELECT count(*) FROM term_documents"), 0)
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM story_postings"), postedTerms, "the story is listed under every term it posts")
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM index_slices WHERE written_through <> 1"), 0,
                       "every slice's watermark is past the article")
        XCTAssertTrue(daemon.log.contains("recomputed them for 1 article(s)"), daemon.log)
        XCTAssertEqual(try daemon.stop(), 0)
    }
}
