import Foundation
import Glibc
import XCTest

/// Running under systemd, without systemd as PID 1: the unit files checked by systemd's own
/// tools, the sd_notify conversation through a socket the test owns, journal-style logs, and
/// the install script.
final class ServiceTests: XCTestCase {
    private static let repository = TestInputs.testsFolder.deletingLastPathComponent()

    private func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
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

    /// The unit with its programs pointed at this build, in a temporary folder.
    private func unitForThisBuild() throws -> URL {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze") else {
            throw XCTSkip("systemd-analyze is not installed (Debian package systemd)")
        }
        let text = try String(contentsOf: Self.repository.appendingPathComponent("systemd/newsdropd.service"), encoding: .utf8)
            .replacingOccurrences(of: "/usr/local/bin/newsdropd", with: DaemonHarness.daemonExecutable.path)
            .replacingOccurrences(of: "/usr/local/bin/newsdropctl", with: CtlRun.executable.path)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("newsdrop-unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        let unit = folder.appendingPathComponent("newsdropd.service")
        try text.write(to: unit, atomically: true, encoding: .utf8)
        return unit
    }

    func testTheUnitPassesSystemdAnalyzeVerifyWithoutAWord() throws {
        let unit = try unitForThisBuild()
        let result = try run("/usr/bin/systemd-analyze", ["verify", "--man=no", unit.path])
        XCTAssertEqual(result.status, 0, result.output)
        // verify exits 0 even on a misspelled key: any output at all is a failure.
        XCTAssertEqual(result.output, "", "systemd-analyze verify complained")
    }

    func testTheUnitsExposureIsAtMostTwo() throws {
        let unit = try unitForThisBuild()
        let result = try run("/usr/bin/systemd-analyze", ["security", "--offline=true", unit.path])
        let line = try XCTUnwrap(result.output.split(separator: "\n").first { $0.contains("Overall exposure level") }, result.output)
        let score = try XCTUnwrap(line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) }, String(line))
        XCTAssertLessThanOrEqual(score, 2.0, String(line))
    }

    func testEveryHardeningLineCarriesAComment() throws {
        let lines = try String(contentsOf: Self.repository.appendingPathComponent("systemd/newsdropd.service"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(where: { $0.hasPrefix("# Hardening") }) else { return XCTFail("no hardening section") }
        for (index, line) in lines.enumerated() where index > start && line.contains("=") && !line.hasPrefix("#") && !line.hasPrefix("[") {
            if line.hasPrefix("WantedBy") { continue }
            XCTAssertTrue(lines[index - 1].hasPrefix("#") || lines[index - 1].contains("="), "line \(index + 1) has no comment: \(line)")
        }
    }

    func testTheNotifyConversation() throws {
        let listener = try NotifyListener()
        let daemon = try DaemonHarness()
        try daemon.start(DaemonHarness.quickArguments, environment: ["NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "1000000"])
        let pid = try XCTUnwrap(daemon.process?.processIdentifier)

        // Opening the store can take long on a large one: the start timeout is extended first.
        let opening = try listener.next(containing: "EXTEND_TIMEOUT_USEC=")
        XCTAssertTrue(opening.contains("STATUS=opening the database"), opening)
        let ready = try listener.next(containing: "READY=1")
        XCTAssertTrue(ready.contains("STATUS="), ready)
        let ping = try listener.next(containing: "WATCHDOG=1")
        XCTAssertTrue(ping.contains("STATUS="), "the status line is refreshed with the pings: \(ping)")

        kill(pid, SIGHUP)
        let reloading = try listener.next(containing: "RELOADING=1")
        XCTAssertTrue(reloading.range(of: #"MONOTONIC_USEC=\d+"#, options: .regularExpression) != nil, reloading)
        _ = try listener.next(containing: "READY=1")

        kill(pid, SIGTERM)
        _ = try listener.next(containing: "STOPPING=1")
        try daemon.waitUntil("the daemon exits") { !(daemon.process?.isRunning ?? false) }
        XCTAssertEqual(daemon.process?.terminationStatus, 0)
    }

    func testAnAbstractNotifySocketIsReached() throws {
        let listener = try NotifyListener(abstract: true)
        let daemon = try DaemonHarness()
        try daemon.start(DaemonHarness.quickArguments, environment: ["NOTIFY_SOCKET": listener.path])
        XCTAssertTrue(try listener.next(containing: "READY=1").contains("READY=1"))
    }

    func testJournalAndJSONLogFormats() throws {
        let journal = try DaemonHarness()
        try journal.start(DaemonHarness.quickArguments + ["--log-format", "journal"])
        XCTAssertTrue(journal.log.contains("<5>newsdropd 0.1.0 ready"), journal.log)
        XCTAssertTrue(journal.log.split(separator: "\n").allSatisfy { $0.range(of: #"^<[0-7]>"#, options: .regularExpression) != nil },
                      "every line starts with a priority and carries no timestamp: \(journal.log)")

        let json = try DaemonHarness()
        try json.start(DaemonHarness.quickArguments + ["--log-format", "json"])
        let line = try XCTUnwrap(json.log.split(separator: "\n").first { $0.contains("ready") })
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        XCTAssertEqual(object["level"] as? String, "notice")
        XCTAssertNotNil(object["time"] as? String)
    }

    func testInstallIntoADestdirTree() throws {
        let stage = FileManager.default.temporaryDirectory.appendingPathComponent("newsdrop-stage-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: stage) }
        let result = try run("/bin/bash", [Self.repository.appendingPathComponent("scripts/install").path],
                             environment: ["DESTDIR": stage.path, "PREFIX": "/usr", "SKIP_BUILD": "1",
                                           "CONFIGURATION": DaemonHarness.daemonExecutable.deletingLastPathComponent().lastPathComponent])
        XCTAssertEqual(result.status, 0, result.output)
        let expected = ["usr/bin/newsdropd", "usr/bin/newsdropctl", "usr/lib/systemd/system/newsdropd.service",
                        "usr/lib/sysusers.d/newsdrop.conf", "usr/lib/tmpfiles.d/newsdrop.conf", "etc/newsdrop/newsdrop.yaml",
                        "usr/share/bash-completion/completions/newsdropctl", "usr/share/zsh/site-functions/_newsdropctl",
                        "usr/share/fish/vendor_completions.d/newsdropctl.fish", "usr/share/doc/newsdrop/README.md",
                        "usr/share/doc/newsdrop/docs/control-protocol.md"]
        for path in expected {
            let attributes = try? FileManager.default.attributesOfItem(atPath: stage.appendingPathComponent(path).path)
            XCTAssertGreaterThan(attributes?[.size] as? Int ?? 0, 0, "\(path) is missing or empty")
        }
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: stage.appendingPathComponent("usr/bin/newsdropd").path))
        let unit = try String(contentsOf: stage.appendingPathComponent("usr/lib/systemd/system/newsdropd.service"), encoding: .utf8)
        XCTAssertTrue(unit.contains("ExecStart=/usr/bin/newsdropd "), "the unit points at the installed binary")
        XCTAssertFalse(unit.contains("/usr/local/"))
    }
}

/// A datagram socket standing in for systemd's notification socket.
private final class NotifyListener {
    let path: String
    private let descriptor: Int32

    init(abstract: Bool = false) throws {
        let name = "newsdrop-notify-\(UUID().uuidString.prefix(8))"
        path = abstract ? "@" + name : FileManager.default.temporaryDirectory.appendingPathComponent(name).path
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        if abstract { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: abstract ? bytes : bytes + [0]) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count + (abstract ? 0 : 1))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else { throw HarnessError("bind \(path): \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(descriptor)
        if !path.hasPrefix("@") { unlink(path) }
    }

    /// The next notification containing `field`, skipping others.
    func next(containing field: String) throws -> String {
        while true {
            var buffer = [UInt8](repeating: 0, count: 4_096)
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw HarnessError("no notification with \(field) within 15 s") }
            let message = String(decoding: buffer[..<count], as: UTF8.self)
            if message.split(separator: "\n").contains(where: { $0 == field || $0.hasPrefix(field) }) { return message }
        }
    }
}
