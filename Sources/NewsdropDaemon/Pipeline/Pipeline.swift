import Dispatch
import Foundation
import Logging
import NewsdropCore
import NewsdropStore

/// Turns claimed files into committed records: read and parse in parallel, then one writer
/// that commits in claim order, in batches, and only then hands the files to a queue of their
/// own that disposes of them.
///
/// Claim order is kept (a reorder buffer in front of the writer) so that, for a given input
/// order, which copy comes first — and so which article is canonical — never depends on thread
/// timing. A failed commit leaves every file of the batch in `work/` and is retried with
/// back-off; nothing is disposed of before its commit.
final class Pipeline: @unchecked Sendable {
    private struct Prepared {
        let claim: Claim
        var delivery: Delivery
    }

    private let parseQueue = DispatchQueue(label: "newsdrop.parse", qos: .utility, attributes: .concurrent)
    private let writerQueue = DispatchQueue(label: "newsdrop.writer")
    /// Moves committed files out of `work/`. Apart from the writer, which paces the whole
    /// pipeline: the renames and the log line had been a tenth of its time (`perf`, 5,000 files).
    private let disposalQueue = DispatchQueue(label: "newsdrop.disposal")
    private let store: ArticleStore
    private let work: DirectoryHandle
    private let disposer: Disposer
    private let live: LiveSettings
    private let logger: Logger
    private let metrics: DaemonMetrics
    private let completed: @Sendable (Claim) -> Void
    private let stalled: @Sendable (String?) -> Void

    // Writer state, touched only on `writerQueue`.
    private var ready: [UInt64: Prepared] = [:]
    private var nextToCommit: UInt64 = 0
    private var retryDelay = 0.0
    private var commitScheduled = false
    /// After a failed batch, claims up to this sequence are committed one at a time, so that one
    /// input the database keeps refusing cannot hold back every other.
    private var isolatingThrough: UInt64?
    private var failedCommits: [UInt64: Int] = [:]

    /// Committed claims whose file could not leave `work/` yet (a full disk refuses even the
    /// folder for the day): retried every second, and counted in flight until they leave.
    /// Touched only on `disposalQueue`, like `disposer`.
    private var undisposed: [Committed] = []

    /// What disposing of a committed claim needs: not its articles' text, which can go.
    private struct Committed {
        let claim: Claim
        let outcome: DeliveryOutcome
        let rawSHA256: String?
        let name: String
        /// For an input that failed whole, how many times it has, this time included; nil when
        /// the count could not be read on the writer and is read again at disposal.
        var failures: Int?
    }

    /// `completed` runs once a claim is committed and its file disposed of; `stalled` with the
    /// reason when commits start failing, and with nil when they succeed again.
    init(store: ArticleStore, layout: StateLayout, settings live: LiveSettings, logger: Logger, metrics: DaemonMetrics,
         stalled: @escaping @Sendable (String?) -> Void, completed: @escaping @Sendable (Claim) -> Void) throws {
        self.store = store
        work = try DirectoryHandle(path: layout.work)
        disposer = Disposer(work: work, processed: try DirectoryHandle(path: layout.processed),
                            failed: try DirectoryHandle(path: layout.failed), disposition: live.current.disposition)
        self.live = live
        self.logger = logger
        self.metrics = metrics
        self.stalled = stalled
        self.completed = completed
    }

    /// Runs `beat` on the writer's queue, then on the disposal queue: it comes back only while
    /// neither is stuck.
    func heartbeat(_ beat: @escaping @Sendable () -> Void) {
        writerQueue.async { [self] in disposalQueue.async(execute: beat) }
    }

    func submit(_ claim: Claim) {
        parseQueue.async { [self] in
            let prepared = Prepared(claim: claim, delivery: prepare(claim))
            writerQueue.async { [self] in
                ready[claim.sequence] = prepared
                scheduleCommit()
            }
        }
    }

    /// A fetched page (or a fetch's failure), committed in a transaction of its own: fetches
    /// have no place in the claim order of files, and at a few per second batching would gain
    /// little. `completion` gets the outcome, or the error that left the queue row queued.
    func submitFetched(_ delivery: Delivery, completion: @escaping @Sendable (Result<DeliveryOutcome, any Error>) -> Void) {
        writerQueue.async { [self] in
            let result = Result { try store.record([delivery])[0] }
            if case .success(let outcome) = result {
                metrics.recordTransaction()
                metrics.recordCommit(outcome, dropToCommit: nil)
            }
            completion(result)
        }
    }

    private func prepare(_ claim: Claim) -> Delivery {
        let settings = live.current
        let bytes = ClaimReader.read(claim, in: work, maximumSize: settings.maximumFileSize)
        let rawSHA256 = (try? bytes.get()).map(ContentHash.sha256Hex)
        let content: Delivery.Content
        switch bytes {
        case .failure(let failure):
            content = .failed(failure)
        case .success(let data):
            do throws(IngestFailure) {
                switch try DocumentParser.read(data, fileName: claim.name.display, similarityFeatures: store.stages.similarity) {
                case .articles(let items): content = .items(items)
                case .urls(let entries): content = .urls(entries)
                }
            } catch {
                content = .failed(error)
            }
        }
        return Delivery(key: claim.id.display, origin: .file, name: claim.name.display, receivedAt: claim.receivedAt,
                        rawSHA256: rawSHA256,
                        rawBytes: settings.keepsRawInputsInDatabase ? try? bytes.get() : nil, content: content)
    }

    /// Queues one commit pass behind the items already on their way to the writer, so that
    /// under load a commit takes everything that arrived during the previous one: one
    /// transaction (and one fsync) per batch, not per file.
    private func scheduleCommit() {
        guard !commitScheduled, retryDelay == 0 else { return }
        commitScheduled = true
        writerQueue.async { [self] in
            commitScheduled = false
            commitReady()
        }
    }

    /// Commits the ready claims that are next in order, a batch at a time.
    private func commitReady() {
        let settings = live.current
        var batch: [Prepared] = []
        let batchSize = isolatingThrough.map { nextToCommit <= $0 ? 1 : settings.batchSize } ?? settings.batchSize
        while batch.count < batchSize, let next = ready.removeValue(forKey: nextToCommit) {
            batch.append(next)
            nextToCommit += 1
        }
        guard !batch.isEmpty else { return }

        let outcomes: [DeliveryOutcome]
        do {
            outcomes = try store.record(batch.map(\.delivery), keepRawInputs: settings.keepsRawInputsInDatabase)
        } catch {
            for prepared in batch { ready[prepared.claim.sequence] = prepared }
            nextToCommit = batch[0].claim.sequence
            if ArticleStore.isInputSpecific(error) { isolate(batch, after: error) }
            let firstFailure = retryDelay == 0
            retryDelay = min(max(retryDelay * 2, 0.5), 30)
            if firstFailure {
                // Said once, not at every retry: intake stops claiming until commits succeed again.
                let message = "cannot commit (intake paused, files wait in the inbox and work/; retrying): \(error)"
                logger.error("\(message)")
                metrics.recordError(message)
                stalled(message)
            } else {
                logger.debug("commit still failing, next try in \(retryDelay) s: \(error)")
            }
            writerQueue.asyncAfter(deadline: .now() + retryDelay) { [self] in commitReady() }
            return
        }
        metrics.recordTransaction()
        if retryDelay > 0 {
            logger.notice("commits succeed again; intake resumed")
            stalled(nil)
        }
        retryDelay = 0
        if let through = isolatingThrough, nextToCommit > through { isolatingThrough = nil }
        for prepared in batch { failedCommits[prepared.claim.sequence] = nil }
        for (prepared, outcome) in zip(batch, outcomes) {
            finish(prepared, outcome)
        }
        if ready[nextToCommit] != nil { scheduleCommit() }
    }

    /// A batch failed to commit. Several inputs: retry them one at a time. One input refused
    /// twice: record it as a failure instead (if even that fails, the database itself is in
    /// trouble, and the back-off simply continues).
    private func isolate(_ batch: [Prepared], after error: any Error) {
        if batch.count > 1 {
            isolatingThrough = max(isolatingThrough ?? 0, batch.last!.claim.sequence)
            return
        }
        let sequence = batch[0].claim.sequence
        failedCommits[sequence, default: 0] += 1
        guard failedCommits[sequence]! >= 2, batch[0].delivery.content.failure == nil else { return }
        ready[sequence]?.delivery.content = .failed(IngestFailure(.record, "the database refused to record it: \(error)"))
    }

    private func finish(_ prepared: Prepared, _ outcome: DeliveryOutcome) {
        metrics.recordCommit(outcome, dropToCommit: max(0, Date().timeIntervalSince1970 - prepared.claim.droppedAt))
        // Counted on the writer, right after the commit that recorded this failure: by the time
        // the disposal queue gets to it, a later commit of the same input may be counted too.
        let failures = outcome.isFailure
            ? try? store.wholeInputFailureCount(rawSHA256: prepared.delivery.rawSHA256, name: prepared.delivery.name) : 0
        let committed = Committed(claim: prepared.claim, outcome: outcome, rawSHA256: prepared.delivery.rawSHA256,
                                  name: prepared.delivery.name, failures: failures)
        disposalQueue.async { [self] in
            if dispose(committed, firstAttempt: true) { completed(committed.claim) }
        }
    }

    /// Moves a committed claim's file out of `work/`; false (logged once) when it cannot yet.
    /// On `disposalQueue`.
    private func dispose(_ committed: Committed, firstAttempt: Bool) -> Bool {
        let claim = committed.claim, outcome = committed.outcome
        let failure = outcome.isFailure ? outcome.items.lazy.compactMap(\.outcome.failure).first : nil
        do {
            let attempts = failure == nil ? 0
                : try committed.failures ?? store.wholeInputFailureCount(rawSHA256: committed.rawSHA256, name: committed.name)
            let destination = try disposer.dispose(claim, failure: failure, attempts: attempts)
            IngestLog.record(claim: claim, outcome: outcome, destination: destination, logger: logger)
            return true
        } catch {
            if firstAttempt {
                // The outcome is committed; the file waits in work/ (a restart would replay it harmlessly).
                let message = "committed \(claim.name) but cannot move it out of work/ yet (retrying): \(error)"
                logger.error("\(message)")
                metrics.recordError(message)
                if undisposed.isEmpty { disposalQueue.asyncAfter(deadline: .now() + 1) { [self] in retryDisposals() } }
                undisposed.append(committed)
            }
            return false
        }
    }

    private func retryDisposals() {
        let waiting = undisposed
        undisposed.removeAll()
        for committed in waiting {
            if dispose(committed, firstAttempt: false) {
                completed(committed.claim)
            } else {
                undisposed.append(committed)
            }
        }
        if !undisposed.isEmpty { disposalQueue.asyncAfter(deadline: .now() + 1) { [self] in retryDisposals() } }
    }
}

extension Delivery.Content {
    var failure: IngestFailure? {
        if case .failed(let failure) = self { failure } else { nil }
    }
}
