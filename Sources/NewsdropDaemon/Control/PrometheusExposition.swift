import NewsdropControlProtocol

/// The `metrics` command's text: Prometheus exposition format 0.0.4, for a node-exporter
/// textfile collector or a scrape proxy.
enum PrometheusExposition {
    /// `skippedPostingLookups`: nil when the store does not place articles.
    static func render(status: StatusResult, metrics: DaemonMetrics, skippedPostingLookups: Int?) -> String {
        var lines: [String] = []
        func metric(_ name: String, _ type: String, _ help: String, _ value: some CustomStringConvertible) {
            lines.append("# HELP newsdrop_\(name) \(help)")
            lines.append("# TYPE newsdrop_\(name) \(type)")
            lines.append("newsdrop_\(name) \(value)")
        }
        let counters = status.counters
        metric("articles_ingested_total", "counter", "New articles stored since the daemon started.", counters.ingested)
        metric("exact_duplicates_total", "counter", "Inputs recorded as sightings of an already stored text.", counters.exactDuplicates)
        metric("near_duplicates_total", "counter", "New articles found to be near-duplicates of stored ones.", counters.nearDuplicates)
        metric("stories_total", "counter", "Stories opened since the daemon started.", counters.stories)
        metric("inputs_failed_total", "counter", "Inputs or JSON lines that could not be ingested.", counters.failed)
        metric("commits_total", "counter", "Transactions that committed inputs (under load, many inputs share one).",
               counters.commits)
        if let skippedPostingLookups {
            metric("posting_lookups_skipped_total", "counter",
                   "Posting-list lookups that candidate search skipped: keys no article had posted.", skippedPostingLookups)
        }
        metric("inbox_pending", "gauge", "Files noticed in the inbox and not yet claimed.", status.inboxPending)
        metric("queue_depth", "gauge", "Files claimed and not yet committed.", status.queueDepth)
        metric("fetches_in_flight", "gauge", "URL fetches under way.", status.fetchesInFlight)
        if let queue = status.fetchQueue {
            lines.append("# HELP newsdrop_fetch_queue URLs in the fetch queue by state (queued includes those in flight).")
            lines.append("# TYPE newsdrop_fetch_queue gauge")
            for (state, count) in [("queued", queue.queued), ("done", queue.done), ("failed", queue.failed)] {
                lines.append("newsdrop_fetch_queue{state=\"\(state)\"} \(count)")
            }
        }
        metric("paused", "gauge", "1 while intake is paused.", status.state == "paused" ? 1 : 0)
        metric("database_bytes", "gauge", "Size of the database and its write-ahead log.", status.databaseBytes)
        metric("uptime_seconds", "gauge", "Seconds since the daemon started.", status.uptimeSeconds)

        let histogram = metrics.latencyHistogram()
        lines.append("# HELP newsdrop_drop_to_commit_seconds Time from an input's arrival in the inbox to its commit.")
        lines.append("# TYPE newsdrop_drop_to_commit_seconds histogram")
        for (bound, count) in histogram.cumulative {
            lines.append("newsdrop_drop_to_commit_seconds_bucket{le=\"\(bound)\"} \(count)")
        }
        lines.append("newsdrop_drop_to_commit_seconds_bucket{le=\"+Inf\"} \(histogram.count)")
        lines.append("newsdrop_drop_to_commit_seconds_sum \(histogram.sum)")
        lines.append("newsdrop_drop_to_commit_seconds_count \(histogram.count)")
        return lines.joined(separator: "\n") + "\n"
    }
}
