import Foundation
import GRDB
import NewsdropCore

/// The near-duplicate indexes in SQLite: LSH band postings, sentence-key postings and each
/// article's stored features. Lookups go through the postings' primary keys only, newest
/// `postingCap` entries per key, so they cost the same at a million articles as at ten thousand.
struct NearDuplicateIndex {
    let db: Database
    let settings: SimilaritySettings

    /// Earlier articles sharing keys with `features`: two votes per shared band, one per
    /// shared sentence key.
    func candidateVotes(for features: SimilarityFeatures) throws -> [Int64: Int] {
        var votes: [Int64: Int] = [:]
        let bands = try db.cachedStatement(sql: """
            SELECT article_id FROM band_postings WHERE band = ? AND key = ? ORDER BY article_id DESC LIMIT ?
            """)
        let cap = Int64(settings.postingCap)
        for (band, key) in features.bandKeys.enumerated() {
            try bands.forEachInteger(Int64(band), Int64(bitPattern: key), cap) { votes[$0, default: 0] += 2 }
        }
        let sentences = try db.cachedStatement(sql: """
            SELECT article_id FROM sentence_postings WHERE key = ? ORDER BY article_id DESC LIMIT ?
            """)
        for key in features.sentenceKeys {
            try sentences.forEachInteger(Int64(bitPattern: key), cap) { votes[$0, default: 0] += 1 }
        }
        return votes
    }

    /// Posts the article's keys and stores its features.
    func add(articleID: Int64, features: SimilarityFeatures) throws {
        let band = try db.cachedStatement(sql: "INSERT OR IGNORE INTO band_postings (band, key, article_id) VALUES (?, ?, ?)")
        for (index, key) in features.bandKeys.enumerated() {
            try band.executeIntegers(Int64(index), Int64(bitPattern: key), articleID)
        }
        let sentence = try db.cachedStatement(sql: "INSERT OR IGNORE INTO sentence_postings (key, article_id) VALUES (?, ?)")
        for key in features.sentenceKeys {
            try sentence.executeIntegers(Int64(bitPattern: key), articleID)
        }
        try db.executeCached(sql: "INSERT INTO article_features (article_id, minhash, units) VALUES (?, ?, ?)",
                             arguments: [articleID, Data(FeatureCoding.encode(minhash: features.minhash)),
                                         Data(FeatureCoding.encode(units: features.units))])
    }

    /// The stored sentence units of an article; nil when it has none or they are unreadable.
    func units(of articleID: Int64) throws -> [SentenceUnit]? {
        let blob = try Data.fetchOne(db.cachedStatement(sql: "SELECT units FROM article_features WHERE article_id = ?"),
                                     arguments: [articleID])
        return blob.flatMap { FeatureCoding.decodeUnits([UInt8]($0)) }
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

    func setPlacement(articleID: Int64, group: Int64, duplicateOf: Int64?, similarity: Double?, story: Int64, day: Int64?) throws {
        try db.executeCached(sql: """
            UPDATE articles SET duplicate_group = ?, duplicate_of = ?, duplicate_similarity = ?, story_id = ?, story_day = ?
            WHERE id = ?
            """, arguments: [group, duplicateOf, similarity, story, day, articleID])
    }
}
