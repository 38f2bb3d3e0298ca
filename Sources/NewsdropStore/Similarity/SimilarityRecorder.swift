import GRDB
import NewsdropCore

/// Where a new article landed: its duplicate group and story.
public struct SimilarityPlacement: Sendable, Equatable {
    /// The id of the group's first article (the article's own id when it has no near-duplicate).
    public var duplicateGroup: Int64
    /// The closest earlier near-duplicate and its score, when there is one.
    public var duplicateOf: Int64?
    public var similarity: Double?
    public var storyID: Int64
    /// True when the article opened a new story.
    public var openedStory: Bool

    public var isNearDuplicate: Bool { duplicateOf != nil }
}

/// Places each new article, inside the write transaction: first among near-duplicates (index
/// lookups, then verification by sentence alignment), and when it is no near-duplicate, into
/// the nearest story within the time window, or a new one. The decisions themselves are pure
/// and live in NewsdropCore; this type fetches what they need and writes what they decide.
struct SimilarityRecorder {
    let db: Database
    let settings: SimilaritySettings
    let caches: WriterCaches

    private var duplicates: NearDuplicateIndex { NearDuplicateIndex(db: db, settings: settings, pending: caches.postings) }
    private var stories: StoryIndex { StoryIndex(db: db, settings: settings, caches: caches) }

    /// A verified candidate: its alignment score and its largest one-way coverage.
    private struct Verified {
        let articleID: Int64
        let score: Double
        let coverage: Double
    }

    /// An article placed but not yet indexed: what its row records, and the features its
    /// postings and stored units come from (`index`).
    struct PlacedArticle {
        let articleID: Int64
        let placement: SimilarityPlacement
        /// The day of its publication date, the one that places it in time.
        let day: Int64?
        fileprivate let keys: IndexKeys
        fileprivate let features: SimilarityFeatures
    }

    /// Places the article that will be stored as `articleID`, before its row exists, so that
    /// the row is written once, with its placement (an update afterwards rewrote the whole row,
    /// text included, and moved its entries in two indexes). Updates the groups and stories it
    /// touches; `index` adds its own features once the row is there.
    func place(articleID: Int64, article: Article, receivedAt: Timestamp) throws -> PlacedArticle {
        let features = SimilarityInput.features(of: article)
        // Only a publication date places an article in time: an undated article is not held to
        // any story's window (arrival time would wrongly date a backfill of old articles).
        let day = article.published?.daysSinceEpoch
        let keys = IndexKeys(features, settings: settings)
        let verified = try verifyCandidates(for: features, keys: keys)

        var hits: [NearDuplicateDecision.Hit] = []
        for candidate in verified where candidate.score >= settings.duplicateThreshold {
            if let (group, story) = try duplicates.placement(of: candidate.articleID) {
                hits.append(.init(articleID: candidate.articleID, group: group, story: story, score: candidate.score))
            }
        }
        if let placement = NearDuplicateDecision.place(hits) {
            try duplicates.mergeGroups(placement.mergedGroups, into: placement.group)
            try stories.extend(story: placement.story, day: day, seen: receivedAt.iso8601)
            return PlacedArticle(articleID: articleID,
                                 placement: SimilarityPlacement(duplicateGroup: placement.group, duplicateOf: placement.closest.articleID,
                                                                similarity: placement.closest.score, storyID: placement.story,
                                                                openedStory: false),
                                 day: day, keys: keys, features: features)
        }

        let story = try chooseStory(for: articleID, article: article, weights: features.termWeights, day: day,
                                    receivedAt: receivedAt, verified: verified)
        return PlacedArticle(articleID: articleID,
                             placement: SimilarityPlacement(duplicateGroup: articleID, duplicateOf: nil, similarity: nil,
                                                            storyID: story.id, openedStory: story.opened),
                             day: day, keys: keys, features: features)
    }

    /// Holds the placed article's postings and stores its features, once its row exists.
    func index(_ placed: PlacedArticle) throws {
        try duplicates.add(articleID: placed.articleID, keys: placed.keys, features: placed.features)
    }

    /// The indexes' candidates (`NearDuplicateIndex.rankedCandidates`), verified by sentence
    /// alignment.
    private func verifyCandidates(for features: SimilarityFeatures, keys: IndexKeys) throws -> [Verified] {
        let ranked = try duplicates.rankedCandidates(for: keys)
        // Most articles have no candidate: indexing their units for nothing was 7% of
        // placement (`perf record` of `newsdrop-bench stages`).
        guard !ranked.isEmpty else { return [] }
        let index = AlignmentIndex(features.units, sentenceDice: settings.sentenceDice)
        return try ranked.compactMap { candidate in
            guard let alignment = try duplicates.withUnits(of: candidate, { index.align(with: $0) }) else { return nil }
            return Verified(articleID: candidate, score: alignment.score,
                            coverage: max(alignment.coverageAToB, alignment.coverageBToA))
        }
    }

    /// Scores the candidate stories by the cosine of the article with each story's centroid,
    /// both weighted by the current IDF (plus a bonus for shared passages), and joins the best
    /// one that clears the threshold, or opens a story. The prototype compared each article with
    /// a story's last 8 members instead; the centroid measured as good on story F1 and halves
    /// the stage's cost, since one pruned vector replaces up to 192 re-weighted ones. Each
    /// centroid keeps its IDF-weighted norm from its last change (`StoryCentroid`), so only the
    /// chosen story's terms need their IDF looked up.
    private func chooseStory(for articleID: Int64, article: Article, weights: TermWeights, day: Int64?,
                             receivedAt: Timestamp, verified: [Verified]) throws -> (id: Int64, opened: Bool) {
        let frequencies = try stories.addDocument(containing: weights.terms), corpus = try stories.currentCorpus()
        let terms = ArticleStoryTerms(weights, idf: frequencies.map { corpus.weight(documentFrequency: $0) })

        // Candidate stories: listed under the article's top terms, or holding a passage it shares.
        var matches = try stories.storiesListed(under: terms.topTerms(count: settings.queryTerms))
        var passageCoverage: [Int64: Double] = [:]
        for candidate in verified where candidate.coverage >= settings.minimumPassageCoverage {
            guard let story = try duplicates.placement(of: candidate.articleID)?.story else { continue }
            passageCoverage[story] = max(passageCoverage[story] ?? 0, candidate.coverage)
            if matches[story] == nil { matches[story] = 0 }
        }
        let window = Int64(settings.storyWindowDays), query = terms.query
        var scored: [StoryChoice.Candidate] = []
        for (id, _) in matches.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) {
            guard scored.count < settings.storyCandidates else { break }
            guard let candidate = try stories.candidate(id) else { continue }
            if let day, let first = candidate.firstDay, let last = candidate.lastDay, !(first - window <= day && day <= last + window) {
                continue
            }
            scored.append(.init(story: id, score: query.cosine(with: candidate.centroid)
                                    + settings.passageBonus * (passageCoverage[id] ?? 0)))
        }

        // A chosen story whose row cannot be read whole is passed over: the article opens one.
        let chosen = try StoryChoice.choose(scored, threshold: settings.storyThreshold).flatMap { try stories.story($0.story) }
        let seen = receivedAt.iso8601
        var story = chosen ?? StoryRecord(
            id: articleID, label: nil, firstDay: day, lastDay: day, firstSeen: seen,
            lastSeen: seen, articleCount: 0, centroid: .empty, posted: [])
        let previouslyPosted = story.posted

        // Fold the article into the story's centroid, keep its strongest terms, re-list the story.
        try stories.cacheDocumentFrequencies(of: story.centroid.terms)
        let (centroid, posted) = story.centroid.adding(terms, keeping: settings.centroidTerms, posting: settings.postedTerms,
                                                       idf: try stories.currentIDF())
        story.centroid = centroid
        story.posted = posted
        if let day {
            story.firstDay = min(story.firstDay ?? day, day)
            story.lastDay = max(story.lastDay ?? day, day)
        }
        story.lastSeen = max(story.lastSeen, seen)
        story.articleCount += 1
        if story.label == nil { story.label = article.title }
        try stories.save(story, previouslyPosted: previouslyPosted)
        return (story.id, chosen == nil)
    }
}
