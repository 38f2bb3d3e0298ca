import ArgumentParser
import Foundation
import Glibc
import NewsdropControlProtocol

/// `newsdropctl`: talk to a running newsdropd over its control socket.
///
/// Exit codes: 0 success, 1 the daemon refused or failed the command, 2 usage error,
/// 3 cannot connect.
struct Newsdropctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "newsdropctl",
        abstract: "Query and control a running newsdropd.",
        discussion: "Exit codes: 0 success, 1 the daemon refused or failed the command, 2 usage error, 3 cannot connect.",
        version: NewsdropVersion.current,
        subcommands: [
            Status.self, Stats.self, Metrics.self, Articles.self, Show.self, Search.self, Export.self, WaitIdle.self,
            Similar.self, Stories.self, Story.self, Why.self,
            Pause.self, Resume.self, Rescan.self, Retry.self, Fetch.self, Reload.self, Shutdown.self, Hello.self,
        ]
    )

    @OptionGroup var global: GlobalOptions
}

struct GlobalOptions: ParsableArguments {
    @Option(help: "The daemon's control socket. Default: $NEWSDROP_SOCKET, then /run/newsdrop/control.sock if it exists, then ./var/run/control.sock.")
    var socket: String?

    @Flag(help: "Print the daemon's raw JSON result (export always prints JSON Lines).")
    var json = false

    @Option(help: "Seconds to wait for the daemon's answer.")
    var timeout = 10.0

    var socketPath: String {
        if let socket { return socket }
        if let fromEnvironment = ProcessInfo.processInfo.environment["NEWSDROP_SOCKET"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        let systemd = "/run/newsdrop/control.sock"
        return access(systemd, F_OK) == 0 ? systemd : "var/run/control.sock"
    }
}

/// Leaves with an exit code after printing `message` to standard error.
struct Exit: Error {
    static let refused: Int32 = 1
    static let cannotConnect: Int32 = 3
    let code: Int32
    let message: String
}

/// One command's exchange with the daemon: connect, ask, and turn the answer into output.
struct Session {
    let global: GlobalOptions

    /// Sends the command; returns its result, or leaves with exit code 1 when the daemon said no.
    @discardableResult
    func call(_ command: String, _ arguments: [String: JSONValue] = [:], extraWait: Double = 0,
              onItem: (JSONValue) throws -> Void = { _ in }) throws -> JSONValue {
        let client: ControlClient
        do {
            client = try ControlClient(path: global.socketPath, timeout: global.timeout + extraWait)
        } catch {
            throw Exit(code: Exit.cannotConnect, message: "newsdropctl: \(error)")
        }
        let response: ControlResponse
        do {
            response = try client.request(command, arguments, onItem: onItem)
        } catch let error as ControlClient.ConnectionFailure {
            throw Exit(code: Exit.cannotConnect, message: "newsdropctl: \(error)")
        }
        guard response.ok, let result = response.result else {
            let error = response.error ?? ControlError(.internal, "the daemon gave no result")
            throw Exit(code: Exit.refused, message: "newsdropctl: \(command): \(error.message) [\(error.code.rawValue)]")
        }
        return result
    }

    /// Prints the result as JSON (with --json) or hands it, decoded, to `human`.
    func show<View: Decodable>(_ result: JSONValue, as type: View.Type, human: (View) -> Void) throws {
        if global.json {
            print(String(decoding: JSONLine.encodeBody(result), as: UTF8.self))
        } else {
            human(try JSONDecoder().decode(View.self, from: Data(JSONLine.encodeBody(result))))
        }
    }

    /// For admin commands: prints the daemon's acknowledgement.
    func acknowledge(_ command: String, _ arguments: [String: JSONValue] = [:]) throws {
        try show(call(command, arguments), as: Acknowledgement.self) { print($0.message) }
    }
}

do {
    var command = try Newsdropctl.parseAsRoot()
    try command.run()
} catch let exit as Exit {
    if !exit.message.isEmpty { FileHandle.standardError.write(Data((exit.message + "\n").utf8)) }
    Glibc.exit(exit.code)
} catch {
    let code = Newsdropctl.exitCode(for: error)
    let message = Newsdropctl.fullMessage(for: error)
    if code == .success {
        if !message.isEmpty { print(message) }
        Glibc.exit(0)
    }
    FileHandle.standardError.write(Data((message + "\n").utf8))
    Glibc.exit(code == ExitCode(Exit.refused) ? Exit.refused : 2)
}
