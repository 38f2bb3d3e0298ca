import Foundation
import GRDB
import NewsdropCore

/// The keys an article is indexed by, both the ones it posts and the ones it looks up: its band
/// keys and a sample of its sentence keys (`SimilarityFeatures.postedSentenceKeys`). Taken once
/// per article, by the writer and by recovery alike.
struct IndexKeys {
    let bands: [UInt64]
    let sentences: [UInt64]
    /// The same keys as the filter of posted keys knows them (`PostedKeyFilter.keys`): looked
    /// up in it, then set in it, so made once.
    let filterKeys: [UInt64]

    init(_ features: SimilarityFeatures, settings: SimilaritySettings) {
        self.init(bands: features.bandKeys, sentences: features.postedSentenceKeys(limit: settings.postedSentenceKeys))
    }

    init(bands: [UInt64], sentences: [UInt64]) {
        self.bands = bands
        self.sentences = sentences
        filterKeys = PostedKeyFilter.keys(bandKeys: bands, sentenceKeys: sentences)
    }
}

/// The near-duplicate indexes: LSH band postings, sentence-key postings and each article's
/// stored features. Lookups go through the postings' primary keys only, newest `postingCap`
/// entries per key, so they cost the same at a million articles as at ten thousand. The newest
/// postings may still be held by the writer (`PendingPostings`); lookups see them first.
struct NearDuplicateIndex {
    let db: Database
    let settings: SimilaritySettings
    let pending: PendingPostings

    /// The candidates worth verifying: earlier articles with the votes the settings ask of an
    /// article looking up these keys (`SimilaritySettings.votesNeeded`), most votes first,
    /// earliest first on ties, at most `maximumVerified`.
    func rankedCandidates(for keys: IndexKeys) throws -> [Int64] {
        let needed = settings.votesNeeded(lookingUp: keys.sentences.count)
        return try candidateVotes(for: keys)
            .filter { $0.value >= needed }
            .sorted { ($1.value, $0.key) < ($0.value, $1.key) }
            .prefix(settings.maximumVerified)
            .map(\.key)
    }

    /// Earlier articles sharing `keys`: two votes per shared band, one per shared sentence key.
    private func candidateVotes(for keys: IndexKeys) throws -> [Int64: Int] {
        var votes: [Int64: Int] = [:]
        // Keys no article has posted have no postings, held or stored: most keys, most of the time.
        let bandCount = keys.bands.count
        let posted = pending.keys?.mayHavePostings(keys.filterKeys)
        let bands = try db.cachedStatement(sql: """
            SELECT article_id FROM band_postings WHERE band = ? AND key = ? ORDER BY article_id DESC LIMIT ?
            """)
        for (band, key) in keys.bands.enumerated() where posted?[band] ?? true {
            try vote(2, into: &votes, held: { pending.forEachArticle(band: band, key: key, $0) }) { limit, row in
                try bands.forEachInteger(Int64(band), Int64(bitPattern: key), limit, row: row)
            }
        }
        let sentences = try db.cachedStatement(sql: """
            SELECT article_id FROM sentence_postings WHERE key = ? ORDER BY article_id DESC LIMIT ?
            """)
        for (index, key) in keys.sentences.enumerated() where posted?[bandCount + index] ?? true {
            try vote(1, into: &votes, held: { pending.forEachArticle(sentenceKey: key, $0) }) { limit, row in
                try sentences.forEachInteger(Int64(bitPattern: key), limit, row: row)
            }
        }
        return votes
    }

    /// Gives `weight` votes to each of the newest `postingCap` articles of one posting list:
    /// those held in memory, which are newer than any stored, then as many stored ones as the
    /// cap leaves room for.
    private func vote(_ weight: Int, into votes: inout [Int64: Int], held: ((Int64) -> Bool) -> Void,
                      stored: (_ limit: Int64, _ row: (Int64) -> Void) throws -> Void) throws {
        let cap = settings.postingCap
        var heldCount = 0
        held { article in
            votes[article, default: 0] += weight
            heldCount += 1
            return heldCount < cap
        }
        guard heldCount < cap else { return }
        try stored(Int64(cap - heldCount)) { votes[$0, default: 0] += weight }
    }

    /// Holds the article's postings (`keys`) for their slices' next write, and stores its features.
    func add(articleID: Int64, keys: IndexKeys, features: SimilarityFeatures) throws {
        pending.post(articleID: articleID, keys: keys)
        try db.executeCached(sql: "INSERT INTO article_features (article_id, minhash, units) VALUES (?, ?, ?)",
                             arguments: [articleID, Data(FeatureCoding.encode(minhash: features.minhash)),
                                         Data(FeatureCoding.encode(units: features.units))])
    }

    /// Inserts one slice's postings, in the tables' order. Idempotent: `DeferredIndexWriter`
    /// inserts again what a crash may already have written.
    func write(_ slice: PendingPostings.Slice) throws {
        let band = try db.cachedStatement(sql: "INSERT OR IGNORE INTO band_postings (band, key, article_id) VALUES (?, ?, ?)")
        for posting in slice.bands {
            try band.executeIntegers(posting.band, posting.key, posting.articleID)
        }
        let sentence = try db.cachedStatement(sql: "INSERT OR IGNORE INTO sentence_postings (key, article_id) VALUES (?, ?)")
        for posting in slice.sentences {
            try sentence.executeIntegers(posting.key, posting.articleID)
        }
    }

    /// Hands `read` the stored sentence units of an article where SQLite holds them; nil when
    /// it has none or they are unreadable.
    func withUnits<Result>(of articleID: Int64, _ read: (EncodedUnits) -> Result) throws -> Result? {
        try db.cachedStatement(sql: "SELECT units FROM article_features WHERE article_id = ?")
            .firstBlob(articleID) { EncodedUnits($0).map(read) } ?? nil
    }

    /// Each article's duplicate group and story.
    func placement(of articleID: Int64) throws -> (group: Int64, story: Int64)? {
        let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT duplicate_group, story_id FROM articles WHERE id = ?"),
                                   arguments: [articleID])
        guard let row, let group = row["duplicate_group"] as Int64?, let story = row["story_id"] as Int64? else { return nil }
        return (group, story)
    }

    func mergeGroups(_ groups: [Int64], into target: Int64) throws {
        for group in groups {
            try db.executeCached(sql: "UPDATE articles SET duplicate_group = ? WHERE duplicate_group = ?", arguments: [target, group])
        }
    }
}
