import Foundation
import NewsdropControlProtocol
import NewsdropStore
import Synchronization

/// What the daemon has done since it started: counters, rates, drop-to-commit latency and the
/// last error. Written by the pipeline, read by the control server; one lock, held briefly.
final class DaemonMetrics: Sendable {
    /// Histogram bucket bounds (seconds) for drop-to-commit latency.
    static let latencyBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    private struct State {
        var counters = Counters()
        var inputs = RateWindow()
        var ingested = RateWindow()
        var failed = RateWindow()
        var recentLatencies = RecentSamples(capacity: 10_000)
        var latencyBucketCounts = [Int](repeating: 0, count: DaemonMetrics.latencyBuckets.count)
        var latencyCount = 0
        var latencySum = 0.0
        var lastError: LastError?
    }

    let startedAt = Date()
    private let state = Mutex(State())

    /// Counts one committed input: what became of its items, and how long it took from the
    /// moment it was dropped to its commit (nil for a fetched page, which was never dropped:
    /// its transfer time would distort the drop-to-commit figures).
    func recordCommit(_ outcome: DeliveryOutcome, dropToCommit latency: Double?) {
        let now = Date().timeIntervalSince1970
        state.withLock { state in
            var ingested = 0, failed = 0
            for (_, item) in outcome.items {
                switch item {
                case .added(let added):
                    ingested += 1
                    if added.placement?.isNearDuplicate == true { state.counters.nearDuplicates += 1 }
                    if added.placement?.openedStory == true { state.counters.stories += 1 }
                case .exactDuplicate: state.counters.exactDuplicates += 1
                case .failed: failed += 1
                case .alreadyRecorded, .queuedForFetch: break
                }
            }
            state.counters.ingested += ingested
            state.counters.failed += failed
            state.inputs.add(1, at: now)
            state.ingested.add(ingested, at: now)
            state.failed.add(failed, at: now)
            guard let latency else { return }
            state.recentLatencies.add(latency)
            state.latencyCount += 1
            state.latencySum += latency
            if let bucket = Self.latencyBuckets.firstIndex(where: { latency <= $0 }) {
                state.latencyBucketCounts[bucket] += 1
            }
        }
    }

    /// Counts one transaction that committed inputs (a batch of files, or a fetched page).
    func recordTransaction() {
        state.withLock { $0.counters.commits += 1 }
    }

    func recordError(_ message: String) {
        let error = LastError(message: message, at: ISO8601DateFormatter().string(from: Date()))
        state.withLock { $0.lastError = error }
    }

    var counters: Counters { state.withLock { $0.counters } }
    var lastError: LastError? { state.withLock { $0.lastError } }

    func stats() -> StatsResult {
        let now = Date().timeIntervalSince1970
        return state.withLock { state in
            let sorted = state.recentLatencies.values.sorted()
            func percentile(_ p: Double) -> Double? {
                sorted.isEmpty ? nil : sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
            }
            return StatsResult(inputs: state.inputs.rates(at: now), ingested: state.ingested.rates(at: now),
                               failed: state.failed.rates(at: now),
                               dropToCommit: LatencySummary(samples: sorted.count, p50: percentile(0.5), p95: percentile(0.95),
                                                            p99: percentile(0.99), max: sorted.last))
        }
    }

    /// The drop-to-commit histogram: cumulative counts per bucket bound, the sum and the count.
    func latencyHistogram() -> (cumulative: [(bound: Double, count: Int)], sum: Double, count: Int) {
        state.withLock { state in
            var running = 0
            let cumulative = zip(Self.latencyBuckets, state.latencyBucketCounts).map { bound, count in
                running += count
                return (bound, running)
            }
            return (cumulative, state.latencySum, state.latencyCount)
        }
    }
}

/// Events per second over the last 1, 5 and 15 minutes, from per-second buckets.
private struct RateWindow {
    private static let span = 900
    private var counts = [Int](repeating: 0, count: span)
    private var seconds = [Int](repeating: -1, count: span)

    mutating func add(_ count: Int, at time: Double) {
        let second = Int(time), slot = second % Self.span
        if seconds[slot] != second {
            seconds[slot] = second
            counts[slot] = 0
        }
        counts[slot] += count
    }

    func rates(at time: Double) -> Rates {
        let now = Int(time)
        func rate(_ window: Int) -> Double {
            var total = 0
            for slot in 0..<Self.span where seconds[slot] > now - window && seconds[slot] <= now {
                total += counts[slot]
            }
            return Double(total) / Double(window)
        }
        return Rates(oneMinute: rate(60), fiveMinutes: rate(300), fifteenMinutes: rate(900))
    }
}

/// The most recent samples, in a fixed-size ring.
private struct RecentSamples {
    private(set) var values: [Double] = []
    private var next = 0
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    mutating func add(_ value: Double) {
        if values.count < capacity {
            values.append(value)
        } else {
            values[next] = value
            next = (next + 1) % capacity
        }
    }
}
