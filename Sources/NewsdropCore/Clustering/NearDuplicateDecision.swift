/// Which duplicate group a new article joins, given its verified candidates.
///
/// The best hit (highest score, then earliest article) decides the group and the story. Other
/// hit groups in that same story are merged into the earlier group, so one text never splits
/// into two groups; hit groups in other stories are left alone, so a near-duplicate group never
/// crosses stories.
public enum NearDuplicateDecision {
    public struct Hit: Sendable, Equatable {
        public var articleID: Int64
        public var group: Int64
        public var story: Int64
        public var score: Double

        public init(articleID: Int64, group: Int64, story: Int64, score: Double) {
            self.articleID = articleID
            self.group = group
            self.story = story
            self.score = score
        }
    }

    public struct Placement: Sendable, Equatable {
        /// The group the article joins (after merges: the earliest of the merged groups).
        public var group: Int64
        public var story: Int64
        /// The closest earlier article and its score.
        public var closest: Hit
        /// Groups to relabel as `group`.
        public var mergedGroups: [Int64]
    }

    /// Nil when there is no hit: the article starts its own group.
    public static func place(_ hits: [Hit]) -> Placement? {
        guard let best = hits.min(by: { ($1.score, $0.articleID) < ($0.score, $1.articleID) }) else { return nil }
        let sameStoryGroups = Set(hits.filter { $0.story == best.story }.map(\.group))
        let group = sameStoryGroups.min()!
        return Placement(group: group, story: best.story, closest: best,
                         mergedGroups: sameStoryGroups.filter { $0 != group }.sorted())
    }
}

/// Which story a new (non-duplicate) article joins: the nearest candidate that clears the
/// threshold, or none. Bridging two stories never merges them: merging fused related but
/// distinct stories in every measurement (see docs/similarity.md).
public enum StoryChoice {
    public struct Candidate: Sendable, Equatable {
        public var story: Int64
        public var score: Double

        public init(story: Int64, score: Double) {
            self.story = story
            self.score = score
        }
    }

    /// The best candidate at or above `threshold` (ties: the older story), or nil for a new story.
    public static func choose(_ candidates: [Candidate], threshold: Double) -> Candidate? {
        candidates.filter { $0.score >= threshold }
            .min { ($1.score, $0.story) < ($0.score, $1.story) }
    }
}
