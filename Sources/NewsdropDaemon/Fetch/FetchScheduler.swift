import Dispatch
import Foundation
import Logging
import NewsdropControlProtocol
import NewsdropCore
import NewsdropStore

/// Runs the fetch queue: starts transfers of due rows within the global and per-host limits
/// and the per-host delay, and turns each result into a commit, a retry or a failure record.
///
/// The database is the queue; this class only remembers what is in flight. A row stays
/// `queued` until the transaction that records its article (or failure) marks it done, so a
/// crash at any moment leaves it to be fetched after the restart, and a committed one is never
/// fetched again.
final class FetchScheduler: @unchecked Sendable {
    /// Due rows are looked up this often, and at once after an enqueue or a finished transfer.
    static let pollInterval = 1.0
    /// After a commit failure the row waits this long before it is tried again (the writer is
    /// retrying its own commits meanwhile).
    static let commitFailureCooldown = 30.0

    private let queue = DispatchQueue(label: "newsdrop.fetch")
    private let transfers = DispatchQueue(label: "newsdrop.fetch.transfer", qos: .utility, attributes: .concurrent)
    private let store: ArticleStore
    private let pipeline: Pipeline
    private let live: LiveSettings
    private let logger: Logger

    // State confined to `queue`.
    private var inFlight: [Int64: String] = [:]
    private var hosts = HostSlots()
    private var timer: DispatchSourceTimer?
    private var wakeScheduled = false
    private var stopped = false
    private var lookupFailing = false

    init(store: ArticleStore, pipeline: Pipeline, settings live: LiveSettings, logger: Logger) {
        self.store = store
        self.pipeline = pipeline
        self.live = live
        self.logger = logger
    }

    func start() {
        queue.sync {
            let timer = DispatchSource.makeTimerSource(queue: queue)
            timer.schedule(deadline: .now(), repeating: Self.pollInterval, leeway: .milliseconds(100))
            timer.setEventHandler { [unowned self] in pump() }
            timer.resume()
            self.timer = timer
        }
    }

    /// No new transfers; those running finish or are abandoned with the process (their rows
    /// stay queued).
    func stop() {
        queue.sync {
            stopped = true
            timer?.cancel()
        }
    }

    var inFlightCount: Int { queue.sync { inFlight.count } }

    /// The queue by state for `status`; nil (logged) when the database cannot say.
    func queueStatus() -> FetchQueueStatus? {
        do {
            return try store.fetchQueueStatus()
        } catch {
            logger.warning("status: cannot count the fetch queue: \(error)")
            return nil
        }
    }

    /// Queues URLs (the control socket's `fetch`) and looks for work at once.
    func enqueue(_ urls: [String], force: Bool, queuedBy: String) throws -> [EnqueueDecision] {
        let decisions = try store.enqueue(urls, force: force, queuedBy: queuedBy)
        queue.async { [self] in pump() }
        return decisions
    }

    private func pump() {
        let settings = live.current.fetch
        guard !stopped, settings.enabled, inFlight.count < settings.concurrency else { return }
        let now = Date()
        let due: [PendingFetch]
        do {
            // More rows than free slots, so that a busy host does not hide the others behind it.
            due = try store.dueFetches(at: now, limit: settings.concurrency * 8, excluding: Set(inFlight.keys))
            if lookupFailing { logger.notice("fetch: the queue can be read again") }
            lookupFailing = false
        } catch {
            if !lookupFailing { logger.error("fetch: cannot read the fetch queue (retrying every \(Self.pollInterval) s): \(error)") }
            lookupFailing = true
            return
        }
        var earliestWait: Date?
        for fetch in due where inFlight.count < settings.concurrency {
            let host = Self.host(of: fetch.url)
            switch hosts.admission(for: host, at: now, perHost: settings.perHost) {
            case .full:
                continue
            case .wait(let until):
                earliestWait = min(earliestWait ?? until, until)
            case .start:
                hosts.started(host, at: now, delay: settings.hostDelay)
                inFlight[fetch.id] = host
                transfers.async { [self] in run(fetch, settings) }
            }
        }
        if let earliestWait, !wakeScheduled {
            wakeScheduled = true
            queue.asyncAfter(deadline: .now() + max(0, earliestWait.timeIntervalSince(now))) { [self] in
                wakeScheduled = false
                pump()
            }
        }
    }

    /// The per-host limits count the queued URL's host; a redirect elsewhere is not counted.
    private static func host(of url: String) -> String {
        URLComponents(string: url)?.host?.lowercased() ?? url
    }

    /// Frees the row's slot, now or after `delay`, and looks for more work.
    private func finish(_ id: Int64, after delay: Double = 0) {
        queue.asyncAfter(deadline: .now() + delay) { [self] in
            guard let host = inFlight.removeValue(forKey: id) else { return }
            hosts.finished(host, at: Date())
            pump()
        }
    }

    // MARK: One transfer, on a transfer thread

    private func run(_ fetch: PendingFetch, _ settings: FetchSettings) {
        let result = CurlTransfer(settings: settings)
            .perform(FetchRequest(url: fetch.url, etag: fetch.etag, lastModified: fetch.lastModified))
        switch FetchDecision(result, now: Date()) {
        case .page(let response):
            let content: Delivery.Content
            do throws(IngestFailure) {
                content = .items([try DocumentParser.parseFetched(response.body, contentType: response.contentType,
                                                                  url: response.effectiveURL ?? fetch.url,
                                                                  similarityFeatures: store.stages.similarity)])
            } catch {
                content = .failed(error)
            }
            commit(fetch, content, response: response, archive: settings.archiveResponses)
        case .notModified(let response):
            do {
                try store.completeFetchWithoutContent(completion(fetch, response: response, archive: settings.archiveResponses))
                logger.info("fetched \(fetch.url): not modified since the last fetch (304)")
                finish(fetch.id)
            } catch {
                logger.error("fetch: cannot record that \(fetch.url) was not modified (retrying later): \(error)")
                finish(fetch.id, after: Self.commitFailureCooldown)
            }
        case .retry(let reason, let retryAfter):
            retry(fetch, reason: reason, retryAfter: retryAfter, settings: settings)
        case .permanent(let failure, let status):
            commit(fetch, .failed(failure), response: nil, status: status, archive: false)
        }
    }

    private func retry(_ fetch: PendingFetch, reason: String, retryAfter: Double?, settings: FetchSettings) {
        let attempts = fetch.attempts + 1
        guard attempts < settings.retryAttempts else {
            let failure = IngestFailure(.fetch, "gave up after \(attempts) \(attempts == 1 ? "try" : "tries"): \(reason)")
            commit(fetch, .failed(failure), response: nil, archive: false)
            return
        }
        // The server's Retry-After wins over the back-off, up to a day (beyond is not a retry).
        let delay = retryAfter.map { min($0, 86_400) }
            ?? RetryTiming.backoff(attempt: attempts, base: settings.retryBaseDelay, maximum: settings.retryMaximumDelay,
                                   unitRandom: Double.random(in: 0..<1))
        do {
            try store.rescheduleFetch(id: fetch.id, attempts: attempts, dueAt: Date().addingTimeInterval(delay), error: reason)
            logger.notice("fetch \(fetch.url): \(reason); try \(attempts + 1) of \(settings.retryAttempts) in \(Int(delay.rounded(.up))) s")
            finish(fetch.id)
        } catch {
            logger.error("fetch: cannot reschedule \(fetch.url) (retrying later): \(error)")
            finish(fetch.id, after: Self.commitFailureCooldown)
        }
    }

    private func completion(_ fetch: PendingFetch, response: FetchResponse?, status: Int = 0, archive: Bool) -> FetchCompletion {
        FetchCompletion(fetchID: fetch.id, status: response?.status ?? status, finalURL: response?.effectiveURL,
                        etag: response?.header("ETag"), lastModified: response?.header("Last-Modified"),
                        archive: archive ? response.flatMap(ResponseArchive.compressed) : nil)
    }

    /// Hands the page's article (or the fetch's failure) to the writer; the row is marked done
    /// or failed in the same transaction.
    private func commit(_ fetch: PendingFetch, _ content: Delivery.Content, response: FetchResponse?, status: Int = 0,
                        archive: Bool) {
        let delivery = Delivery(
            key: fetch.deliveryKey, origin: .url, name: fetch.url,
            receivedAt: Timestamp(secondsSinceEpoch: Int64(Date().timeIntervalSince1970)),
            rawSHA256: response.map { ContentHash.sha256Hex($0.body) }, content: content,
            fetch: completion(fetch, response: response, status: status, archive: archive))
        pipeline.submitFetched(delivery) { [self] result in
            switch result {
            case .success(let outcome):
                IngestLog.recordFetch(url: fetch.url, outcome: outcome, logger: logger)
                finish(fetch.id)
            case .failure(let error):
                logger.error("fetch: cannot commit \(fetch.url) (it stays queued and is fetched again later): \(error)")
                finish(fetch.id, after: Self.commitFailureCooldown)
            }
        }
    }
}
