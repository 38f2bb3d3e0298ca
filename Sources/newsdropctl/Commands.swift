import ArgumentParser
import Foundation
import NewsdropControlProtocol
import NewsdropCore

// Each subcommand mirrors one protocol command (docs/control-protocol.md).

struct Hello: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the daemon's protocol and version.")
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let session = Session(global: global)
        try session.show(session.call("hello"), as: HelloResult.self) {
            print("\($0.daemon) \($0.version), control protocol \($0.protocolVersion)")
        }
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show what the daemon is doing.")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print nothing; exit 0 when the daemon answers (a health check).")
    var quiet = false

    func run() throws {
        let session = Session(global: global)
        let result = try session.call("status")
        if quiet { return }
        try session.show(result, as: StatusResult.self) { status in
            let counters = status.counters
            print(Output.bold("newsdropd \(status.version)") + " — \(status.state), up \(Output.duration(status.uptimeSeconds))")
            Output.fields([
                ("state dir", status.stateDirectory),
                ("inbox", "\(status.inboxPending) pending, \(status.queueDepth) in flight"),
                ("fetches", "\(status.fetchesInFlight) in flight"
                    + (status.fetchQueue.map { ", \($0.queued) queued, \($0.done) done, \($0.failed) failed" } ?? "")),
                ("ingested", "\(counters.ingested)"),
                ("duplicates", "\(counters.exactDuplicates) exact, \(counters.nearDuplicates) near"),
                ("stories", "\(counters.stories)"),
                ("failed", "\(counters.failed)"),
                ("commits", "\(counters.commits)"),
                ("database", Output.size(status.databaseBytes)),
                ("key filter", status.postedKeyFilter ?? "off"),
                ("last error", status.lastError.map { "\($0.message) (\(Output.relative($0.at)))" } ?? "none"),
            ])
        }
    }
}

struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show rates over 1, 5 and 15 minutes and drop-to-commit latency.")
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let session = Session(global: global)
        try session.show(session.call("stats"), as: StatsResult.self) { stats in
            func rates(_ name: String, _ r: Rates) -> [String] {
                [name] + [r.oneMinute, r.fiveMinutes, r.fifteenMinutes].map { String(format: "%.2f/s", $0) }
            }
            Output.table(["", "1 min", "5 min", "15 min"], [
                rates("inputs", stats.inputs), rates("ingested", stats.ingested), rates("failed", stats.failed),
            ])
            let latency = stats.dropToCommit
            print("")
            Output.fields([("drop to commit", "p50 \(Output.seconds(latency.p50)), p95 \(Output.seconds(latency.p95)), p99 \(Output.seconds(latency.p99)), max \(Output.seconds(latency.max)) over \(latency.samples) inputs")])
        }
    }
}

struct Metrics: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print metrics in Prometheus text format.")
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let session = Session(global: global)
        try session.show(session.call("metrics"), as: MetricsResult.self) { print($0.text, terminator: "") }
    }
}

/// Filters shared by `articles` and `export`.
struct ArticleFilterOptions: ParsableArguments {
    @Option(help: "Only articles received at or after this time (2022-01-18, 2022-01-18T10:00:00Z, …).")
    var since: String?
    @Option(help: "Only articles from this outlet, or seen under this file name or URL.")
    var source: String?
    @Option(help: "Only articles matching this full-text query.")
    var query: String?

    var arguments: [String: JSONValue] {
        var arguments: [String: JSONValue] = [:]
        if let since { arguments["since"] = .string(since) }
        if let source { arguments["source"] = .string(source) }
        if let query { arguments["query"] = .string(query) }
        return arguments
    }
}

struct Articles: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List articles, newest first.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var filter: ArticleFilterOptions
    @Option(help: "Articles per page (1–1000).") var limit = 20
    @Option(help: "Continue after this cursor (printed under the previous page).") var cursor: Int64?

    func run() throws {
        var arguments = filter.arguments
        arguments["limit"] = .integer(Int64(limit))
        if let cursor { arguments["cursor"] = .integer(cursor) }
        let session = Session(global: global)
        try session.show(session.call("articles", arguments), as: ArticlePage.self) { page in
            Output.table(["ID", "RECEIVED", "OUTLET", "WORDS", "SEEN", "TITLE"], page.articles.map { article in
                [String(article.id), Output.relative(article.receivedAt), article.outlet ?? "—", String(article.wordCount),
                 String(article.sightings), article.title ?? "(untitled)"]
            })
            if let next = page.nextCursor { print("\nmore: newsdropctl articles --cursor \(next)") }
        }
    }
}

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show one article, its sources and its relations.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The article's id.") var id: Int64

    func run() throws {
        let session = Session(global: global)
        try session.show(session.call("show", ["id": .integer(id)]), as: ArticleDetail.self) { detail in
            let article = detail.article
            print(Output.bold(article.title ?? "(untitled)"))
            var fields: [(String, String)] = [("id", String(article.id)), ("sha256", article.sha256)]
            if let outlet = article.outlet { fields.append(("outlet", outlet)) }
            if let author = article.author { fields.append(("author", author)) }
            if let published = article.publishedAt { fields.append(("published", published)) }
            fields.append(("received", "\(article.receivedAt) (\(Output.relative(article.receivedAt)))"))
            if let url = article.url { fields.append(("url", url)) }
            if let place = article.datelinePlace { fields.append(("dateline", place + (article.datelineAgency.map { " (\($0))" } ?? ""))) }
            if let earlier = article.revisionOf { fields.append(("revision of", String(earlier))) }
            if !detail.revisions.isEmpty { fields.append(("revised by", detail.revisions.map(String.init).joined(separator: ", "))) }
            for source in article.sources {
                fields.append(("source", "\(source.kind) \(String(reflecting: source.name)) at \(source.receivedAt)"))
            }
            Output.fields(fields)
            print("")
            print(article.text)
        }
    }
}

struct Search: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Full-text search (SQLite FTS5 syntax), best matches first.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The query, e.g. 'bridge AND repairs' or '\"harbor bridge\"'.") var query: [String]
    @Option(help: "Hits to show (1–1000).") var limit = 20

    func run() throws {
        let session = Session(global: global)
        let arguments: [String: JSONValue] = ["query": .string(query.joined(separator: " ")), "limit": .integer(Int64(limit))]
        try session.show(session.call("search", arguments), as: SearchResult.self) { result in
            Output.table(["ID", "SCORE", "TITLE", "SNIPPET"], result.hits.map { hit in
                [String(hit.id), String(format: "%.2f", -hit.score), hit.title ?? "(untitled)", hit.snippet]
            })
        }
    }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print every article as JSON Lines, streamed.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var filter: ArticleFilterOptions

    func run() throws {
        let output = FileHandle.standardOutput
        try Session(global: global).call("export", filter.arguments) { item in
            output.write(Data(JSONLine.encode(item)))
        }
    }
}

struct WaitIdle: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait-idle",
        abstract: "Wait until the inbox is empty and everything is committed (exit 1 on timeout).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Seconds to wait at most.") var seconds = 30.0

    func run() throws {
        let session = Session(global: global)
        let result = try session.call("wait-idle", ["timeout": .number(seconds)], extraWait: seconds)
        let answer = try JSONDecoder().decode(WaitIdleResult.self, from: Data(JSONLine.encodeBody(result)))
        try session.show(result, as: WaitIdleResult.self) {
            print($0.idle ? "idle after \(Output.seconds($0.waitedSeconds))" : "still busy after \(Output.seconds($0.waitedSeconds))")
        }
        if !answer.idle { throw Exit(code: Exit.refused, message: "") }
    }
}

struct Similar: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show an article's near-duplicates and same-story articles.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The article's id.") var id: Int64
    @Option(help: "Articles to show of each kind (1–1000).") var limit = 20

    func run() throws {
        let session = Session(global: global)
        try session.show(session.call("similar", ["id": .integer(id), "limit": .integer(Int64(limit))]), as: SimilarResult.self) { result in
            print(Output.bold("article \(result.id)") + " — duplicate group \(result.duplicateGroup.map(String.init) ?? "—"), story \(result.storyID.map(String.init) ?? "—")")
            for (heading, related) in [("near-duplicates (alignment score)", result.nearDuplicates),
                                       ("same story (TF-IDF cosine)", result.sameStory)] {
                print("\n" + heading)
                if related.isEmpty { print("  none"); continue }
                Output.table(["ID", "SCORE", "TITLE"], related.map { [String($0.id), String(format: "%.3f", $0.score), $0.title ?? "(untitled)"] })
            }
        }
    }
}

struct Stories: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List stories, most recently active first.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Stories per page (1–1000).") var limit = 20
    @Option(help: "Continue after this cursor (printed under the previous page).") var cursor: String?

    func run() throws {
        var arguments: [String: JSONValue] = ["limit": .integer(Int64(limit))]
        if let cursor { arguments["cursor"] = .string(cursor) }
        let session = Session(global: global)
        try session.show(session.call("stories", arguments), as: StoryPage.self) { page in
            Output.table(["ID", "ARTICLES", "FIRST", "LAST", "LABEL"], page.stories.map { story in
                [String(story.id), String(story.articleCount), Output.relative(story.firstSeen), Output.relative(story.lastSeen),
                 story.label ?? "(untitled)"]
            })
            if let next = page.nextCursor { print("\nmore: newsdropctl stories --cursor '\(next)'") }
        }
    }
}

struct Story: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show one story and its articles.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The story's id.") var id: Int64

    func run() throws {
        let session = Session(global: global)
        try session.show(session.call("story", ["id": .integer(id)]), as: StoryDetail.self) { detail in
            let story = detail.story
            print(Output.bold("story \(story.id): \(story.label ?? "(untitled)")"))
            print("\(story.articleCount) articles, first \(Output.relative(story.firstSeen)), last \(Output.relative(story.lastSeen))\n")
            Output.table(["ID", "GROUP", "OUTLET", "RECEIVED", "TITLE"], detail.articles.map { article in
                [String(article.id), article.duplicateGroup.map(String.init) ?? "—", article.outlet ?? "—",
                 Output.relative(article.receivedAt), article.title ?? "(untitled)"]
            })
        }
    }
}

struct Why: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Explain how two articles are related: the scores and the shared passages.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The first article's id.") var first: Int64
    @Argument(help: "The second article's id.") var second: Int64

    func run() throws {
        let session = Session(global: global)
        try session.show(session.call("why", ["a": .integer(first), "b": .integer(second)]), as: Explanation.self) { why in
            let duplicate = why.duplicate, story = why.story
            print(Output.bold("\(first) and \(second): \(why.relation)"))
            Output.fields([
                ("near-duplicate score", String(format: "%.3f (threshold %.2f; coverage A→B %.3f, B→A %.3f)", duplicate.score,
                                                duplicate.threshold, duplicate.coverageAToB, duplicate.coverageBToA)),
                ("minhash similarity", String(format: "%.3f (%d shared bands, %d shared sentence keys)",
                                              duplicate.minhashSimilarity, duplicate.sharedBands, duplicate.sharedSentenceKeys)),
                ("story cosine", String(format: "%.3f (threshold %.2f against a story's members)", story.cosine, story.threshold)),
                ("shared terms", story.sharedTerms.map { String(format: "%@ %.3f", $0.term, $0.contribution) }.joined(separator: ", ")),
            ])
            if !why.passages.isEmpty { print("\nshared passages (sentence Dice):") }
            for passage in why.passages {
                print(String(format: "  %.2f  %@", passage.dice, passage.textA))
                print("        \(passage.textB)")
            }
        }
    }
}

/// An admin command without arguments: the daemon does it and says so.
protocol AcknowledgedCommand: ParsableCommand {
    static var protocolCommand: String { get }
    var global: GlobalOptions { get }
}

extension AcknowledgedCommand {
    func run() throws { try Session(global: global).acknowledge(Self.protocolCommand) }
}

struct Pause: AcknowledgedCommand {
    static let configuration = CommandConfiguration(abstract: "Stop claiming files (admin); they wait in the inbox.")
    static let protocolCommand = "pause"
    @OptionGroup var global: GlobalOptions
}

struct Resume: AcknowledgedCommand {
    static let configuration = CommandConfiguration(abstract: "Claim files again after a pause (admin).")
    static let protocolCommand = "resume"
    @OptionGroup var global: GlobalOptions
}

struct Rescan: AcknowledgedCommand {
    static let configuration = CommandConfiguration(abstract: "Scan the inbox now (admin).")
    static let protocolCommand = "rescan"
    @OptionGroup var global: GlobalOptions
}

struct Retry: AcknowledgedCommand {
    static let configuration = CommandConfiguration(abstract: "Move failed inputs back into the inbox (admin).")
    static let protocolCommand = "retry"
    @OptionGroup var global: GlobalOptions
}

struct Fetch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Queue URLs to fetch (admin).",
        discussion: "A URL fetched before is skipped unless --force, which fetches it again conditionally (ETag, Last-Modified).")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Fetch again URLs that were fetched before.") var force = false
    @Argument(help: "http or https URLs.") var urls: [String]

    func run() throws {
        let session = Session(global: global)
        let arguments: [String: JSONValue] = ["urls": .array(urls.map(JSONValue.string)), "force": .bool(force)]
        try session.show(session.call("fetch", arguments), as: FetchResult.self) { result in
            for entry in result.urls { print("\(entry.outcome): \(entry.url)") }
        }
    }
}

struct Reload: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Reload the configuration (admin); waits until done.")
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let session = Session(global: global)
        try session.show(session.call("reload"), as: ReloadResult.self) { result in
            print(result.applied.isEmpty ? "reloaded: nothing changed" : "reloaded: applied " + result.applied.joined(separator: ", "))
            if !result.needRestart.isEmpty { print("needs a restart to take effect: " + result.needRestart.joined(separator: ", ")) }
        }
    }
}

struct Shutdown: AcknowledgedCommand {
    static let configuration = CommandConfiguration(abstract: "Stop the daemon gracefully (admin).")
    static let protocolCommand = "shutdown"
    @OptionGroup var global: GlobalOptions
}
