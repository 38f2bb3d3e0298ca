import Foundation

/// Accumulates an article's story terms and turns them into raw weights (SPEC §5.1).
///
/// An article of 1,000 words counts about 1,100 occurrences of 500 distinct terms. A
/// `Dictionary` SipHashed each occurrence, and its entries were then sorted through a generic
/// stable sort: together about a seventh of the similarity features (callgrind). Term hashes
/// are uniform already, so one multiplication (Fibonacci hashing) picks a slot in a flat table
/// of indexes into `tallies`, and the distinct terms are sorted once at the end.
struct StoryTermCounter {
    private struct Tally {
        let term: UInt64
        var count: Double
        var isEntity: Bool
    }

    /// Distinct terms in the order they were first counted.
    private var tallies: [Tally] = []
    /// Each slot holds an index into `tallies`, or -1 when empty; never more than half full.
    private var slots: [Int32]
    /// 64 minus log2 of the slot count: the top bits of the mixed term choose the slot.
    private var shift: UInt64

    init(capacity: Int) {
        var slotCount = 16
        while slotCount < 2 * capacity { slotCount *= 2 }
        slots = Array(repeating: -1, count: slotCount)
        shift = UInt64(64 - slotCount.trailingZeroBitCount)
        tallies.reserveCapacity(capacity)
    }

    /// Counts one occurrence, `amount` being the block multiplier (title or body). A term is an entity if
    /// any of its occurrences is.
    mutating func add(_ term: UInt64, amount: Double, isEntity: Bool) {
        var slot = slot(of: term)
        if slots[slot] >= 0 {
            let index = Int(slots[slot])
            tallies[index].count += amount
            tallies[index].isEntity = tallies[index].isEntity || isEntity
            return
        }
        if (tallies.count + 1) * 2 > slots.count {
            grow()
            slot = self.slot(of: term)
        }
        slots[slot] = Int32(tallies.count)
        tallies.append(Tally(term: term, count: amount, isEntity: isEntity))
    }

    /// w = 1 + ln(count), times `entityBoost` for entities. Counts below 1 (only with a title boost
    /// under 1) are kept as they are, as in the reference.
    ///
    /// The bare hashes are sorted and each tally found again through the table: sorting the
    /// tallies themselves by a closure took about as long as all the counting.
    func weights(entityBoost: Double) -> TermWeights {
        let terms = tallies.map(\.term).sorted()
        return TermWeights(ascendingTerms: terms, weights: terms.map { term in
            let tally = tallies[Int(slots[slot(of: term)])]
            let weight = tally.count >= 1 ? 1 + log(tally.count) : tally.count
            return tally.isEntity ? weight * entityBoost : weight
        })
    }

    /// The slot holding `term`'s index, or the empty slot where it would go.
    private func slot(of term: UInt64) -> Int {
        var slot = Int(truncatingIfNeeded: (term &* 0x9E37_79B9_7F4A_7C15) >> shift)
        while slots[slot] >= 0 && tallies[Int(slots[slot])].term != term {
            slot = (slot + 1) & (slots.count - 1)
        }
        return slot
    }

    private mutating func grow() {
        slots = Array(repeating: -1, count: slots.count * 2)
        shift -= 1
        for (index, tally) in tallies.enumerated() {
            slots[slot(of: tally.term)] = Int32(index)
        }
    }
}
