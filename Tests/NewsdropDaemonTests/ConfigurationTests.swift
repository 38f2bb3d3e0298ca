import Foundation
@testable import NewsdropDaemon
import XCTest

/// The configuration: the shipped file, precedence, strict validation, and live reload.
final class ConfigurationTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("newsdrop-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: folder)
    }

    private func file(_ text: String, name: String = "newsdrop.yaml") throws -> String {
        let url = folder.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func testTheShippedFileListsEverySettingAtItsDefault() throws {
        let shipped = TestInputs.testsFolder.deletingLastPathComponent().appendingPathComponent("config/newsdrop.yaml").path
        let configuration = try Configuration.load(file: shipped, environment: [:], commandLine: [])
        let defaults = DaemonSettings()
        for definition in SettingsCatalog.all {
            XCTAssertEqual(definition.read(configuration.settings), definition.read(defaults), "\(definition.key) in the file differs from the default")
            guard case .file? = configuration.origins[definition.key] else {
                XCTFail("\(definition.key) is not in config/newsdrop.yaml")
                continue
            }
        }
    }

    func testTheFetchAllowlistTakesAYAMLListOrCommasAndNamesABadNetwork() throws {
        let listed = try Configuration.load(file: try file("fetch:\n  allow: [10.0.0.0/8, \"::1\"]\n"), environment: [:],
                                            commandLine: [])
        XCTAssertEqual(listed.settings.fetch.allowedNetworks.map(\.description), ["10.0.0.0/8", "::1/128"])
        let flagged = try Configuration.load(file: nil, environment: ["NEWSDROP_FETCH_ALLOW": "192.168.1.7/24, 127.0.0.1"],
                                             commandLine: [])
        XCTAssertEqual(flagged.settings.fetch.allowedNetworks.map(\.description), ["192.168.1.0/24", "127.0.0.1/32"])
        XCTAssertThrowsError(try Configuration.load(file: try file("fetch:\n  allow: [10.0.0.0/33]\n", name: "bad.yaml"),
                                                    environment: [:], commandLine: [])) { error in
            XCTAssertTrue(String(describing: error).hasPrefix("fetch.allow: expected networks in CIDR notation"), "\(error)")
        }
    }

    func testCommandLineBeatsEnvironmentBeatsFileBeatsDefault() throws {
        let path = try file("inbox:\n  min_file_age: 5\n  queue_size: 7\n  rescan_interval: 11\n")
        let configuration = try Configuration.load(
            file: path,
            environment: ["NEWSDROP_INBOX_MIN_FILE_AGE": "6", "NEWSDROP_INBOX_QUEUE_SIZE": "8"],
            commandLine: [CommandLineSetting(key: "inbox.min_file_age", flag: "--min-file-age", value: "9")])
        XCTAssertEqual(configuration.settings.minimumFileAge, 9)
        XCTAssertEqual(configuration.origins["inbox.min_file_age"], .commandLine(flag: "--min-file-age"))
        XCTAssertEqual(configuration.settings.queueCapacity, 8)
        XCTAssertEqual(configuration.origins["inbox.queue_size"], .environment(name: "NEWSDROP_INBOX_QUEUE_SIZE"))
        XCTAssertEqual(configuration.settings.rescanInterval, 11)
        XCTAssertEqual(configuration.origins["inbox.rescan_interval"], .file(path: path, line: 4))
        XCTAssertEqual(configuration.settings.pollInterval, DaemonSettings().pollInterval)
        XCTAssertNil(configuration.origins["inbox.poll_interval"])
        XCTAssertTrue(configuration.report().contains("inbox.min_file_age         9  [command line --min-file-age]"),
                      configuration.report())
    }

    func testEveryKindOfMistakeIsReportedWithKeyFileAndLine() throws {
        let path = try file("""
            # a comment
            inbox:
              min_file_agee: 2
              max_file_size: huge
              poll: perhaps
            stories:
              threshold: 1.5
            control:
              socket_mode: "0999"
            log:
              level: loud
              format: [json]
            """)
        XCTAssertThrowsError(try Configuration.load(file: path, environment: ["NEWSDROP_INBOX_QUEUE_SIZE": "0"], commandLine: [])) { error in
            let problems = (error as? ConfigurationError)?.problems ?? []
            let expected = [
                "unknown setting \"inbox.min_file_agee\" (\(path):3)",
                "inbox.max_file_size: expected a number of bytes (1 or more; suffixes K, M, G for KiB, MiB, GiB), got \"huge\" (\(path):4)",
                "inbox.poll: expected true or false, got \"perhaps\" (\(path):5)",
                "stories.threshold: expected a number from 0 to 1, got \"1.5\" (\(path):7)",
                "control.socket_mode: expected octal permission bits such as 0660, got \"0999\" (\(path):9)",
                "log.level: expected one of trace, debug, info, notice, warning, error, critical, got \"loud\" (\(path):11)",
                "log.format: expected a single value, got a list (\(path):12)",
                "inbox.queue_size: expected a whole number (1 or more), got \"0\" (environment NEWSDROP_INBOX_QUEUE_SIZE)",
            ]
            XCTAssertEqual(Set(problems), Set(expected), problems.joined(separator: "\n"))
        }
        let broken = try file("inbox: [unclosed\n", name: "broken.yaml")
        XCTAssertThrowsError(try Configuration.load(file: broken, environment: [:], commandLine: [])) { error in
            XCTAssertTrue(String(describing: error).hasPrefix("\(broken): not valid YAML"), "\(error)")
        }
        XCTAssertThrowsError(try Configuration.load(file: folder.appendingPathComponent("missing.yaml").path, environment: [:], commandLine: []))
    }

    func testTheDaemonRefusesToStartOnABadFileAndCheckConfigSaysWhy() throws {
        let path = try file("inbox:\n  bogus: 1\n")
        let daemon = try DaemonHarness()
        let refused = try DaemonCommand.run(["--state-dir", daemon.stateDirectory.path, "--config", path])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.output.contains("unknown setting \"inbox.bogus\" (\(path):2)"), refused.output)

        let good = try file("stories:\n  threshold: 0.3\n", name: "good.yaml")
        let checked = try DaemonCommand.run(["--config", good, "--check-config"])
        XCTAssertEqual(checked.status, 0)
        XCTAssertTrue(checked.output.contains("stories.threshold          0.3  [\(good):2]"), checked.output)
    }

    func testReloadAppliesLiveSettingsReportsRestartOnesAndKeepsTheOldOnABadFile() throws {
        let path = try file("stories:\n  threshold: 0.3\n")
        let daemon = try DaemonHarness()
        try daemon.start(DaemonHarness.quickArguments + ["--config", path])
        try daemon.dropByRename("a.txt", TestInputs.fixture("story/100-wire.txt"))
        try daemon.dropByRename("b.txt", TestInputs.fixture("story/104-other-outlet.txt"))
        let socket = daemon.url("run/control.sock").path
        let client = try ControlTestClient(path: socket)
        XCTAssertTrue(try client.waitIdle(timeout: 20))
        func storyThreshold() throws -> Double? {
            ((try client.call("why", ["a": 1, "b": 2]).result?["story"]) as? [String: Any])?["threshold"] as? Double
        }
        XCTAssertEqual(try storyThreshold(), 0.3)

        _ = try file("stories:\n  threshold: 0.4\ninbox:\n  poll: true\n")
        let reloaded = try CtlRun.run(["--socket", socket, "reload"])
        XCTAssertEqual(reloaded.status, 0, reloaded.errors)
        XCTAssertTrue(reloaded.output.contains("applied stories.threshold"), reloaded.output)
        XCTAssertTrue(reloaded.output.contains("needs a restart to take effect: inbox.poll"), reloaded.output)
        XCTAssertEqual(try storyThreshold(), 0.4, "the new threshold is in force")

        _ = try file("stories:\n  threshold: nonsense\n")
        let rejected = try CtlRun.run(["--socket", socket, "reload"])
        XCTAssertEqual(rejected.status, 1)
        XCTAssertTrue(rejected.errors.contains("[invalid_configuration]"), rejected.errors)
        XCTAssertTrue(rejected.errors.contains("stories.threshold: expected a number from 0 to 1"), rejected.errors)
        XCTAssertEqual(try storyThreshold(), 0.4, "a rejected file leaves the running configuration alone")
        XCTAssertTrue(daemon.process?.isRunning ?? false)
    }
}

extension ConfigurationTests {
    func testInboxProcessedFailedAndDatabaseCanLiveElsewhere() throws {
        let daemon = try DaemonHarness()
        let elsewhere = folder.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let path = try file("""
            paths:
              inbox: \(elsewhere.path)/drop
              processed: \(elsewhere.path)/done
              failed: \(elsewhere.path)/rejected
              database: \(elsewhere.path)/corpus.db
            """)
        try daemon.start(DaemonHarness.quickArguments + ["--config", path])
        try Data("Headline\n\nAn article dropped into a relocated inbox.".utf8).write(to: elsewhere.appendingPathComponent("drop/new/a.txt"))
        try Data([0, 1, 2]).write(to: elsewhere.appendingPathComponent("drop/new/b.bin"))
        let client = try daemon.controlClient()
        XCTAssertTrue(try client.waitIdle(timeout: 20))
        XCTAssertEqual((try client.call("status").result?["counters"] as? [String: Any])?["ingested"] as? Int, 1)
        XCTAssertTrue(FileManager.default.fileExists(atPath: elsewhere.appendingPathComponent("corpus.db").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: elsewhere.appendingPathComponent("rejected/b.bin.error.json").path))
        let days = try FileManager.default.contentsOfDirectory(atPath: elsewhere.appendingPathComponent("done").path)
        XCTAssertEqual(days.count, 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: daemon.url("inbox").path), "the default inbox is not created")
    }
}

/// Runs `newsdropd` itself for a short-lived command (`--check-config`, a refused start).
enum DaemonCommand {
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = DaemonHarness.daemonExecutable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
