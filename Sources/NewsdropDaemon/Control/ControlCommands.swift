import Dispatch
import Foundation
import Logging
import NewsdropControlProtocol
import NewsdropCore
import NewsdropStore

/// What the control commands act on.
struct ControlContext: Sendable {
    let layout: StateLayout
    let metrics: DaemonMetrics
    let intake: Intake
    let fetcher: FetchScheduler
    let queries: CorpusQueries
    let store: ArticleStore
    let logger: Logger
    /// Starts a graceful stop, as SIGTERM does.
    let requestStop: @Sendable () -> Void
    /// Reloads the configuration, as SIGHUP does, and returns when it is done.
    let reload: @Sendable () -> Result<ReloadResult, ConfigurationError>
}

/// The commands of control protocol v1: each reads the request's arguments, does its work and
/// answers through the connection's sink. Runs on the connection's queue.
final class ControlCommands: Sendable {
    enum Access { case readOnly, admin }

    /// Every command, and who may run it.
    static let access: [String: Access] = [
        "hello": .readOnly, "status": .readOnly, "stats": .readOnly, "metrics": .readOnly,
        "articles": .readOnly, "show": .readOnly, "search": .readOnly, "export": .readOnly,
        "similar": .readOnly, "stories": .readOnly, "story": .readOnly, "why": .readOnly,
        "wait-idle": .readOnly,
        "pause": .admin, "resume": .admin, "rescan": .admin, "retry": .admin, "fetch": .admin,
        "reload": .admin, "shutdown": .admin,
    ]

    private let context: ControlContext

    init(context: ControlContext) {
        self.context = context
    }

    func handle(_ request: ControlRequest, peer: PeerAccess, sink: ResponseSink) {
        guard let access = Self.access[request.command] else {
            let known = Self.access.keys.sorted().joined(separator: ", ")
            sink.finish(ControlResponse.failure(id: request.id, error: ControlError(
                .unknownCommand, "unknown command \"\(request.command)\"; the commands are: \(known)")))
            return
        }
        if access == .admin, !peer.isAdmin {
            context.logger.warning("control: refused \"\(request.command)\" to uid \(peer.uid) (pid \(peer.pid)): not an admin")
            sink.finish(ControlResponse.failure(id: request.id, error: ControlError(
                .forbidden, "\"\(request.command)\" is an admin command: it needs root, the daemon's user or the admin group")))
            return
        }
        do {
            try run(request, sink: sink)
        } catch let error as ControlError {
            sink.finish(ControlResponse.failure(id: request.id, error: error))
        } catch let error as InvalidCursor {
            sink.finish(ControlResponse.failure(id: request.id, error: ControlError(.badArguments, "\(error)")))
        } catch let error as FullTextIndexOff {
            sink.finish(ControlResponse.failure(id: request.id, error: ControlError(.unavailable, "\(error)")))
        } catch let error as InvalidSearchQuery {
            sink.finish(ControlResponse.failure(id: request.id, error: ControlError(.badArguments, "bad search query: \(error)")))
        } catch {
            context.logger.error("control: \"\(request.command)\" failed: \(error)")
            sink.finish(ControlResponse.failure(id: request.id, error: ControlError(.internal, "\(error)")))
        }
    }

    private func run(_ request: ControlRequest, sink: ResponseSink) throws {
        let id = request.id
        func reply(_ result: some Encodable) { sink.finish(ControlResponse.success(id: id, result: result)) }

        switch request.command {
        case "hello":
            reply(HelloResult(protocolVersion: ControlProtocol.version, daemon: "newsdropd", version: NewsdropVersion.current))
        case "status":
            reply(status())
        case "stats":
            reply(context.metrics.stats())
        case "metrics":
            reply(MetricsResult(text: PrometheusExposition.render(
                status: status(), metrics: context.metrics,
                skippedPostingLookups: context.store.stages.similarity ? context.store.skippedPostingLookups : nil)))
        case "articles":
            reply(try context.queries.articles(try filter(request), limit: try request.limit(default: 50),
                                               cursor: try request.integer("cursor")))
        case "show":
            let articleID = try request.requiredInteger("id")
            guard let detail = try context.queries.article(id: articleID) else {
                throw ControlError(.notFound, "no article \(articleID)")
            }
            reply(detail)
        case "search":
            let query = try request.requiredString("query")
            reply(SearchResult(query: query, hits: try context.queries.search(query, limit: try request.limit(default: 20))))
        case "similar":
            let articleID = try request.requiredInteger("id")
            guard let similar = try context.queries.similar(id: articleID, limit: try request.limit(default: 20)) else {
                throw ControlError(.notFound, "no article \(articleID)")
            }
            reply(similar)
        case "stories":
            reply(try context.queries.stories(limit: try request.limit(default: 50), cursor: try request.string("cursor")))
        case "story":
            let storyID = try request.requiredInteger("id")
            guard let story = try context.queries.story(id: storyID) else { throw ControlError(.notFound, "no story \(storyID)") }
            reply(story)
        case "why":
            let first = try request.requiredInteger("a"), second = try request.requiredInteger("b")
            guard let explanation = try context.queries.explain(first, second) else {
                throw ControlError(.notFound, "no article \(first) or no article \(second)")
            }
            reply(explanation)
        case "export":
            let exporter = ExportStream(queries: context.queries, filter: try filter(request), requestID: id, sink: sink)
            exporter.next()
        case "wait-idle":
            let timeout = try request.number("timeout") ?? 30
            guard timeout >= 0, timeout <= 86_400 else { throw ControlError(.badArguments, "\"timeout\" must be 0 to 86400 seconds") }
            IdleWaiter(intake: context.intake, deadline: Date().addingTimeInterval(timeout), requestID: id, sink: sink).check()
        case "pause":
            context.intake.setPaused(true)
            context.logger.notice("control: intake paused")
            reply(Acknowledgement(message: "intake paused: files wait in the inbox"))
        case "resume":
            context.intake.setPaused(false)
            context.logger.notice("control: intake resumed")
            reply(Acknowledgement(message: "intake resumed"))
        case "rescan":
            context.intake.rescanNow()
            reply(Acknowledgement(message: "rescanning the inbox"))
        case "retry":
            let moved = try FailedInputs.retry(failed: DirectoryHandle(path: context.layout.failed),
                                               inboxNew: DirectoryHandle(path: context.layout.inboxNew))
            context.intake.rescanNow()
            context.logger.notice("control: moved \(moved) failed input(s) back into the inbox")
            reply(Acknowledgement(message: "moved \(moved) failed input(s) back into inbox/new", count: moved))
        case "fetch":
            reply(try fetch(request))
        case "reload":
            switch context.reload() {
            case .success(let result): reply(result)
            case .failure(let error):
                throw ControlError(.invalidConfiguration, "the new configuration was rejected and the running one kept: \(error)")
            }
        case "shutdown":
            context.logger.notice("control: shutdown requested")
            reply(Acknowledgement(message: "stopping"))
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.05, execute: context.requestStop)
        default:
            throw ControlError(.internal, "command \"\(request.command)\" has no handler")
        }
    }

    private func status() -> StatusResult {
        let backlog = context.intake.backlog
        let database = [context.layout.database, context.layout.database + "-wal"].reduce(Int64(0)) { total, path in
            var status = stat()
            return total + (stat(path, &status) == 0 ? Int64(status.st_size) : 0)
        }
        return StatusResult(
            version: NewsdropVersion.current, uptimeSeconds: Date().timeIntervalSince(context.metrics.startedAt),
            state: backlog.stalled ? "stalled" : backlog.paused ? "paused" : "running", stateDirectory: context.layout.root,
            inboxPending: backlog.pending, queueDepth: backlog.inFlight, fetchesInFlight: context.fetcher.inFlightCount,
            fetchQueue: context.fetcher.queueStatus(), counters: context.metrics.counters, databaseBytes: database,
            postedKeyFilter: context.store.stages.similarity ? Self.statusWord(context.store.postedKeyFilterState) : nil,
            lastError: context.metrics.lastError)
    }

    /// `posted_key_filter` in `status`; a failure's reason is in the log.
    private static func statusWord(_ state: PostedKeyFilterState) -> String {
        switch state {
        case .off: "off"
        case .filling: "filling"
        case .filled: "filled"
        case .failed: "failed"
        }
    }

    /// `fetch`: queues the valid URLs (all or nothing when one is not a URL, so a typo is
    /// noticed before anything is fetched) and says what became of each.
    private func fetch(_ request: ControlRequest) throws -> FetchResult {
        let urls = try request.requiredStrings("urls")
        let force = try request.bool("force") ?? false
        let invalid = urls.compactMap { url -> FetchResult.Entry? in
            guard case .failure(let failure) = URLListFormat.validate(url) else { return nil }
            return FetchResult.Entry(url: url, outcome: "invalid", reason: failure.reason)
        }
        if let first = invalid.first {
            throw ControlError(.badArguments, "nothing queued: \(first.reason ?? first.url)")
        }
        let decisions = try context.fetcher.enqueue(urls, force: force, queuedBy: "control")
        context.logger.notice("control: fetch\(force ? " --force" : "") of \(urls.count) URL(s): \(decisions.filter { $0 == .queued || $0 == .requeued }.count) queued")
        return FetchResult(urls: zip(urls, decisions).map { FetchResult.Entry(url: $0, outcome: $1.rawValue) })
    }

    private func filter(_ request: ControlRequest) throws -> ArticleFilter {
        ArticleFilter(since: try request.string("since").map(Self.sinceTimestamp), source: try request.string("source"),
                      query: try request.string("query"), story: try request.integer("story"))
    }

    /// `since` in any form the date parser reads, stored form UTC ISO 8601.
    private static func sinceTimestamp(_ text: String) throws -> String {
        guard let timestamp = DateParser.parse(text) else {
            throw ControlError(.badArguments, "\"since\" is not a date: \(text) (try 2022-01-18 or 2022-01-18T10:00:00Z)")
        }
        return timestamp.iso8601
    }
}

/// Streams an export a page at a time, waiting for the client to read before each page.
private final class ExportStream: @unchecked Sendable {
    /// Articles read per query; sending stops early once the client falls behind.
    private static let pageSize = 50
    private let queries: CorpusQueries
    private let filter: ArticleFilter
    private let requestID: JSONValue
    private let sink: ResponseSink
    private var lastID: Int64 = 0
    private var exported = 0

    init(queries: CorpusQueries, filter: ArticleFilter, requestID: JSONValue, sink: ResponseSink) {
        self.queries = queries
        self.filter = filter
        self.requestID = requestID
        self.sink = sink
    }

    func next() {
        guard sink.isOpen else { return }
        let page: [ArticleRecord]
        do {
            page = try queries.export(filter, afterID: lastID, limit: Self.pageSize)
        } catch {
            sink.finish(ControlResponse.failure(id: requestID, error: ControlError(.internal, "export failed: \(error)")))
            return
        }
        for record in page {
            sink.send(ControlResponse.streamedItem(id: requestID, item: record))
            exported += 1
            lastID = record.id
            // Long articles: wait for the client as soon as it falls behind, mid-page.
            if !sink.hasRoomToStream, record.id != page.last?.id {
                sink.whenWritable { [self] in next() }
                return
            }
        }
        guard page.count == Self.pageSize else {
            sink.finish(ControlResponse.success(id: requestID, result: ExportSummary(exported: exported)))
            return
        }
        sink.whenWritable { [self] in next() }
    }
}

/// Answers `wait-idle` once the inbox is empty and everything claimed is committed, or at the
/// deadline. It checks every 20 ms while a client waits, and costs nothing otherwise.
private struct IdleWaiter: @unchecked Sendable {
    let intake: Intake
    let deadline: Date
    let requestID: JSONValue
    let sink: ResponseSink
    let started = Date()

    func check() {
        guard sink.isOpen else { return }
        let idle = intake.isIdle()
        if idle || Date() >= deadline {
            sink.finish(ControlResponse.success(id: requestID, result: WaitIdleResult(
                idle: idle, waitedSeconds: Date().timeIntervalSince(started))))
            return
        }
        sink.schedule(after: 0.02) { [self] in check() }
    }
}
