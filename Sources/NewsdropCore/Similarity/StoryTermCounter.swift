import Foundation

/// Accumulates an article's story terms and turns them into raw weights (SPEC §5.1).
struct StoryTermCounter {
    private struct Tally {
        var count = 0.0
        var isEntity = false
    }

    private var tallies: [UInt64: Tally] = [:]

    init(capacity: Int) {
        tallies.reserveCapacity(capacity)
    }

    /// Counts one occurrence, `amount` being the block multiplier (title or body). A term is an entity if
    /// any of its occurrences is.
    mutating func add(_ term: UInt64, amount: Double, isEntity: Bool) {
        Self.count(&tallies[term, default: Tally()], amount, isEntity)
    }

    /// One hash lookup per occurrence: the default subscript is modified in place.
    private static func count(_ tally: inout Tally, _ amount: Double, _ isEntity: Bool) {
        tally.count += amount
        tally.isEntity = tally.isEntity || isEntity
    }

    /// w = 1 + ln(count), times `entityBoost` for entities. Counts below 1 (only with a title boost
    /// under 1) are kept as they are, as in the reference.
    func weights(entityBoost: Double) -> TermWeights {
        TermWeights(tallies.mapValues { tally in
            let weight = tally.count >= 1 ? 1 + log(tally.count) : tally.count
            return tally.isEntity ? weight * entityBoost : weight
        })
    }
}
