/// Sentence alignment, the exact near-duplicate measure (SPEC §4.2).
///
/// Each unit of A is matched with its best unit of B by Dice = 2|s∩t| / (|s|+|t|) (ties to the lower
/// index of B); it is aligned when that Dice reaches τ_s. Coverage is the share of A's terms that lie
/// in aligned units, and the duplicate score is the mean coverage of both directions.
public struct Alignment: Sendable, Equatable {
    public var coverageAToB: Double
    public var coverageBToA: Double
    /// The aligned units of A with their best unit of B, in A's order.
    public var pairs: [AlignedPair]

    /// dup_score: near-duplicates when ≥ `SimilaritySettings.duplicateThreshold`.
    public var score: Double { (coverageAToB + coverageBToA) / 2 }

    public init(coverageAToB: Double, coverageBToA: Double, pairs: [AlignedPair]) {
        self.coverageAToB = coverageAToB
        self.coverageBToA = coverageBToA
        self.pairs = pairs
    }

    public static func align(_ a: [SentenceUnit], _ b: [SentenceUnit], sentenceDice: Double) -> Alignment {
        var join = UnitJoin(a, b, sentenceDice: sentenceDice)
        return join.run()
    }
}

/// A unit of A (`unitA`) aligned with its best unit of B (`unitB`): indices into the units arrays.
public struct AlignedPair: Sendable, Equatable {
    public var unitA: Int
    public var unitB: Int
    public var dice: Double

    public init(unitA: Int, unitB: Int, dice: Double) {
        self.unitA = unitA
        self.unitB = unitB
        self.dice = dice
    }
}

/// Both directions of an alignment in one pass. B's terms go into a small hash table (term → chain of
/// units); each unit of A then counts its shared terms per unit of B, which gives the Dice of every
/// overlapping pair once: the best per row is A→B, the best per column is B→A (Dice is symmetric).
private struct UnitJoin {
    private let a: [SentenceUnit]
    private let b: [SentenceUnit]
    private let sentenceDice: Double
    /// Open addressing over B's distinct terms: `slotTerms[s]` holds a term whose postings start at
    /// `slotHeads[s]` (-1: empty slot); `postingUnits` and `postingNext` form the chains.
    private var slotTerms: [UInt32]
    private var slotHeads: [Int32]
    private var postingUnits: [Int32] = []
    private var postingNext: [Int32] = []
    private let slotShift: UInt32

    init(_ a: [SentenceUnit], _ b: [SentenceUnit], sentenceDice: Double) {
        self.a = a
        self.b = b
        self.sentenceDice = sentenceDice
        let postings = b.reduce(0) { $0 + $1.terms.count }
        var bits: UInt32 = 4
        while (1 << bits) < 2 * postings { bits += 1 }
        slotShift = 32 - bits
        slotTerms = [UInt32](repeating: 0, count: 1 << bits)
        slotHeads = [Int32](repeating: -1, count: 1 << bits)
        postingUnits.reserveCapacity(postings)
        postingNext.reserveCapacity(postings)
        for (unit, terms) in b.enumerated() {
            for term in terms.terms {
                let slot = self.slot(of: term)
                postingNext.append(slotHeads[slot])
                postingUnits.append(Int32(unit))
                slotTerms[slot] = term
                slotHeads[slot] = Int32(postingUnits.count - 1)
            }
        }
    }

    /// The slot holding `term`, or the empty slot where it belongs.
    @inline(__always)
    private func slot(of term: UInt32) -> Int {
        var slot = Int((term &* 0x9E37_79B1) >> slotShift)
        while slotHeads[slot] >= 0 && slotTerms[slot] != term { slot = (slot + 1) & (slotHeads.count - 1) }
        return slot
    }

    mutating func run() -> Alignment {
        var shared = [Int32](repeating: 0, count: b.count)
        var touched: [Int] = []
        var bestForB = [Double](repeating: 0, count: b.count)
        var pairs: [AlignedPair] = []
        var coveredA = 0, totalA = 0
        for (unitA, unit) in a.enumerated() {
            totalA += unit.terms.count
            for term in unit.terms {
                var posting = slotHeads[slot(of: term)]
                while posting >= 0 {
                    let unitB = Int(postingUnits[Int(posting)])
                    if shared[unitB] == 0 { touched.append(unitB) }
                    shared[unitB] += 1
                    posting = postingNext[Int(posting)]
                }
            }
            var best = 0.0, bestUnit = -1
            for unitB in touched {
                let dice = 2 * Double(shared[unitB]) / Double(unit.terms.count + b[unitB].terms.count)
                if dice > best || (dice == best && unitB < bestUnit) {
                    best = dice
                    bestUnit = unitB
                }
                bestForB[unitB] = max(bestForB[unitB], dice)
                shared[unitB] = 0
            }
            touched.removeAll(keepingCapacity: true)
            // As in the reference, a unit with no shared term has Dice 0 (aligned only if τ_s ≤ 0).
            if best >= sentenceDice {
                coveredA += unit.terms.count
                if bestUnit >= 0 { pairs.append(AlignedPair(unitA: unitA, unitB: bestUnit, dice: best)) }
            }
        }
        var coveredB = 0, totalB = 0
        for (unitB, unit) in b.enumerated() {
            totalB += unit.terms.count
            if bestForB[unitB] >= sentenceDice { coveredB += unit.terms.count }
        }
        return Alignment(coverageAToB: totalA > 0 ? Double(coveredA) / Double(totalA) : 0,
                         coverageBToA: totalB > 0 ? Double(coveredB) / Double(totalB) : 0,
                         pairs: pairs)
    }
}
