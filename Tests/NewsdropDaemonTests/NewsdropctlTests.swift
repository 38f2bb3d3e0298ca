import Foundation
import Glibc
import XCTest

/// `newsdropctl` against the real daemon: human and JSON output, exit codes, access control.
final class NewsdropctlTests: XCTestCase {
    private var daemon: DaemonHarness!
    private var socketPath: String { daemon.url("run/control.sock").path }

    override func setUpWithError() throws {
        daemon = try DaemonHarness()
        try daemon.start()
        try daemon.dropByRename("100-wire.txt", TestInputs.fixture("story/100-wire.txt"))
        XCTAssertEqual(try ctl("wait-idle", "20").status, 0)
    }

    override func tearDown() {
        daemon = nil
    }

    private func ctl(_ arguments: String...) throws -> CtlRun {
        try CtlRun.run(["--socket", socketPath] + arguments)
    }

    func testStatusInHumanAndJSONForm() throws {
        let human = try ctl("status")
        XCTAssertEqual(human.status, 0, human.errors)
        XCTAssertTrue(human.output.hasPrefix("newsdropd 0.1.0 — running, up "), human.output)
        XCTAssertTrue(human.output.contains("ingested    1\n"), human.output)
        XCTAssertFalse(human.output.contains("\u{1B}["), "no colour when not on a terminal")

        let json = try ctl("--json", "status")
        XCTAssertEqual(json.status, 0)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        XCTAssertEqual((object["counters"] as? [String: Any])?["ingested"] as? Int, 1)

        let quiet = try ctl("status", "--quiet")
        XCTAssertEqual(quiet.status, 0)
        XCTAssertEqual(quiet.output, "")
    }

    func testListingShowingSearchingAndExporting() throws {
        let list = try ctl("articles")
        XCTAssertEqual(list.status, 0)
        let lines = list.output.split(separator: "\n")
        XCTAssertTrue(lines.first?.hasPrefix("ID  RECEIVED") ?? false, list.output)
        XCTAssertTrue(lines.dropFirst().first?.hasSuffix("Harbor bridge to close for repairs as engineers find deeper cracks") ?? false,
                      list.output)

        let shown = try ctl("show", "1")
        XCTAssertTrue(shown.output.contains("dateline  PORTLAND, Maine (AP)"), shown.output)
        XCTAssertTrue(shown.output.contains(#"source    file "100-wire.txt""#), shown.output)

        let search = try ctl("search", "bridge", "--limit", "1")
        XCTAssertEqual(search.status, 0)
        XCTAssertTrue(search.output.contains("[bridge]") || search.output.contains("[Bridge]"), search.output)

        let export = try ctl("export")
        let exported = export.output.split(separator: "\n")
        XCTAssertEqual(exported.count, 1)
        let record = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(exported[0].utf8)) as? [String: Any])
        XCTAssertEqual(record["id"] as? Int, 1)
        XCTAssertEqual(record["dateline_agency"] as? String, "AP")
    }

    func testExitCodes() throws {
        let missing = try ctl("show", "404")
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.errors.contains("no article 404 [not_found]"), missing.errors)

        let usage = try ctl("show", "not-a-number")
        XCTAssertEqual(usage.status, 2)

        let unknown = try CtlRun.run(["--socket", socketPath, "frobnicate"])
        XCTAssertEqual(unknown.status, 2)

        let nowhere = try CtlRun.run(["--socket", daemon.url("run/nobody-here.sock").path, "status"])
        XCTAssertEqual(nowhere.status, 3)
        XCTAssertTrue(nowhere.errors.contains("Is newsdropd running?"), nowhere.errors)

        let fromEnvironment = try CtlRun.run(["status", "--quiet"], environment: ["NEWSDROP_SOCKET": socketPath])
        XCTAssertEqual(fromEnvironment.status, 0, "NEWSDROP_SOCKET names the socket")

        let refused = try ctl("fetch", "mailto:desk@example.com")
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.errors.contains("[bad_arguments]"), refused.errors)
    }

    func testANonAdminPeerIsRefusedAdminCommands() throws {
        guard geteuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else {
            throw XCTSkip("needs root and setpriv to run a client as another user; AdminPolicy is tested directly in ControlSocketTests")
        }
        // A second daemon whose socket "nobody" can reach: world-connectable, in a world-searchable folder.
        let other = try DaemonHarness()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("newsdrop-sock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        chmod(folder.path, 0o755)
        let socket = folder.appendingPathComponent("control.sock").path
        try other.start(DaemonHarness.quickArguments + ["--socket", socket, "--socket-mode", "666"])

        let readOnly = try CtlRun.run(["--socket", socket, "status", "--quiet"], asUser: "nobody")
        XCTAssertEqual(readOnly.status, 0, readOnly.errors)
        let admin = try CtlRun.run(["--socket", socket, "pause"], asUser: "nobody")
        XCTAssertEqual(admin.status, 1)
        XCTAssertTrue(admin.errors.contains("[forbidden]"), admin.errors)
        XCTAssertTrue(other.log.contains("refused \"pause\" to uid 65534"), other.log)
        let asRoot = try CtlRun.run(["--socket", socket, "pause"])
        XCTAssertEqual(asRoot.status, 0, asRoot.errors)
    }
}
