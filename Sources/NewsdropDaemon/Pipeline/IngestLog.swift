import Logging
import NewsdropStore

/// The one log line written for each input file.
enum IngestLog {
    static func record(claim: Claim, outcome: DeliveryOutcome, destination: String, logger: Logger) {
        if outcome.isFailure, let failure = outcome.items.first?.outcome.failure {
            logger.warning("failed \(claim.name): \(failure) -> \(destination)")
            return
        }
        let summary = outcome.items.count == 1
            ? describe(outcome.items[0].outcome)
            : describeMany(outcome.items.map(\.outcome))
        logger.info("ingested \(claim.name): \(summary) -> \(destination)")
        for case (let index, .failed(let failure)) in outcome.items where outcome.items.count > 1 {
            logger.warning("  \(claim.name) item \(index) failed: \(failure)")
        }
    }

    /// The one log line written for each fetched URL that reached the database.
    static func recordFetch(url: String, outcome: DeliveryOutcome, logger: Logger) {
        if outcome.isFailure, let failure = outcome.items.first?.outcome.failure {
            logger.warning("fetch failed \(url): \(failure)")
        } else if let item = outcome.items.first {
            logger.info("fetched \(url): \(describe(item.outcome))")
        }
    }

    private static func describe(_ outcome: ItemOutcome) -> String {
        switch outcome {
        case .added(let added): "article \(added.articleID) (\(relations(of: added)))"
        case .exactDuplicate(let id): "a sighting of article \(id) (exact duplicate)"
        case .alreadyRecorded(let id): "article \(id) (recorded before the last stop)"
        case .failed(let failure): "failed: \(failure)"
        case .queuedForFetch(let id, let decision): "URL \(decision.rawValue) (fetch \(id))"
        }
    }

    /// "new, story 3", "near-duplicate of article 7 (0.81), story 3", "…, a revision of article 2".
    private static func relations(of added: AddedArticle) -> String {
        var parts: [String] = []
        if let placement = added.placement {
            if let original = placement.duplicateOf, let similarity = placement.similarity {
                parts.append("near-duplicate of article \(original) (\((similarity * 100).rounded() / 100))")
            } else {
                parts.append("new")
            }
            parts.append(placement.openedStory ? "new story \(placement.storyID)" : "story \(placement.storyID)")
        } else {
            parts.append("new")
        }
        if let earlier = added.revisionOf { parts.append("a revision of article \(earlier)") }
        return parts.joined(separator: ", ")
    }

    private static func describeMany(_ outcomes: [ItemOutcome]) -> String {
        var added = 0, duplicates = 0, replayed = 0, failed = 0, queued = 0, known = 0
        for outcome in outcomes {
            switch outcome {
            case .added: added += 1
            case .exactDuplicate: duplicates += 1
            case .alreadyRecorded: replayed += 1
            case .failed: failed += 1
            case .queuedForFetch(_, let decision): if decision == .queued { queued += 1 } else { known += 1 }
            }
        }
        var parts = queued + known > 0
            ? ["\(outcomes.count) URLs: \(queued) queued to fetch, \(known) queued or fetched before"]
            : ["\(outcomes.count) items: \(added) new, \(duplicates) exact duplicates"]
        if replayed > 0 { parts.append("\(replayed) recorded before the last stop") }
        if failed > 0 { parts.append("\(failed) failed") }
        return parts.joined(separator: ", ")
    }
}
