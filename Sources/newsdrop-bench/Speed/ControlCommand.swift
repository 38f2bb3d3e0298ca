import ArgumentParser
import Foundation

/// `newsdrop-bench control`: status round trips from one client against a real daemon, idle
/// and while it ingests generated articles at full speed.
struct ControlCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "control",
        abstract: "Measure control-socket status round trips per second and their latency, idle and while ingesting."
    )

    @Option(help: "Status requests per measurement.") var requests = 20_000
    @Option(help: "Generated articles dropped into the inbox during the second measurement (0: skip it).") var ingest = 2_000
    @Flag(help: "Print the results as JSON.") var json = false

    struct Measurement: Encodable {
        var condition: String
        var requests: Int
        var roundTripsPerSecond: Double
        var p50Milliseconds: Double
        var p99Milliseconds: Double
        var maximumMilliseconds: Double
    }

    func run() throws {
        let daemon = try RunningDaemon()
        defer { daemon.stop() }
        var results = [try measure(daemon, condition: "idle")]
        if ingest > 0 {
            var generator = LoadGenerator(seed: 7)
            let names = try daemon.stage(ingest, from: &generator)
            let dropping = Thread {
                for name in names {
                    daemon.deliver(name)
                }
            }
            dropping.start()
            results.append(try measure(daemon, condition: "ingesting \(ingest) articles"))
        }
        if json {
            print(try ReportJSON.text(results))
        } else {
            var table = TextTable("condition", "requests", "round trips/s", "p50 ms", "p99 ms", "max ms")
            for result in results {
                table.add(result.condition, "\(result.requests)", String(format: "%.0f", result.roundTripsPerSecond),
                          String(format: "%.3f", result.p50Milliseconds), String(format: "%.3f", result.p99Milliseconds),
                          String(format: "%.3f", result.maximumMilliseconds))
            }
            print((["Control socket: status round trips from one client"] + table.lines()).joined(separator: "\n"))
        }
    }

    private func measure(_ daemon: RunningDaemon, condition: String) throws -> Measurement {
        let client = try TimingClient(path: daemon.socketPath)
        var latencies: [Double] = []
        latencies.reserveCapacity(requests)
        let clock = ContinuousClock()
        let started = clock.now
        for index in 0..<requests {
            let request = Array(#"{"id":\#(index),"cmd":"status"}"#.utf8) + [UInt8(ascii: "\n")]
            let sent = clock.now
            _ = try client.roundTrip(request)
            latencies.append(sent.duration(to: clock.now).seconds)
        }
        let elapsed = started.duration(to: clock.now).seconds
        latencies.sort()
        func milliseconds(_ quantile: Double) -> Double {
            latencies[min(latencies.count - 1, Int(Double(latencies.count) * quantile))] * 1_000
        }
        return Measurement(condition: condition, requests: requests, roundTripsPerSecond: Double(requests) / elapsed,
                           p50Milliseconds: milliseconds(0.5), p99Milliseconds: milliseconds(0.99),
                           maximumMilliseconds: (latencies.last ?? 0) * 1_000)
    }
}
