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
        AlignmentIndex(a, sentenceDice: sentenceDice).align(with: b)
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

/// One article's units, indexed to be aligned with any number of others: placing an article
/// verifies up to 16 candidates against it, and the index is built once for all of them.
///
/// Both directions come from one pass. A's terms go into a small hash table (term → chain of
/// units); each unit of B then counts its shared terms per unit of A, which gives the Dice of
/// every overlapping pair once: the best per row is B→A, the best per column A→B (Dice is
/// symmetric). B's units are visited in order and a unit of A takes a new best unit of B only
/// when its Dice is higher, so ties go to the lower index of B.
public struct AlignmentIndex: Sendable {
    private let a: [SentenceUnit]
    private let sentenceDice: Double
    /// Open addressing over A's distinct terms: `slotTerms[s]` holds a term whose postings start
    /// at `slotHeads[s]` (-1: empty slot); `postingUnits` and `postingNext` form the chains.
    private var slotTerms: [UInt32]
    private var slotHeads: [Int32]
    private var postingUnits: [Int32] = []
    private var postingNext: [Int32] = []
    private let slotShift: UInt32
    private let termsOfA: Int

    public init(_ a: [SentenceUnit], sentenceDice: Double) {
        self.a = a
        self.sentenceDice = sentenceDice
        let postings = a.reduce(0) { $0 + $1.terms.count }
        termsOfA = postings
        var bits: UInt32 = 4
        while (1 << bits) < 2 * postings { bits += 1 }
        slotShift = 32 - bits
        slotTerms = [UInt32](repeating: 0, count: 1 << bits)
        slotHeads = [Int32](repeating: -1, count: 1 << bits)
        postingUnits.reserveCapacity(postings)
        postingNext.reserveCapacity(postings)
        for (unit, terms) in a.enumerated() {
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

    public func align(with b: [SentenceUnit]) -> Alignment {
        align(units: b.lazy.map { $0.terms })
    }

    /// The same with B's units read where they are stored (a candidate's blob).
    public func align(with b: EncodedUnits) -> Alignment {
        align(units: b)
    }

    private func align<Units: Sequence>(units b: Units) -> Alignment
    where Units.Element: RandomAccessCollection<UInt32>, Units.Element.Index == Int {
        var shared = [Int32](repeating: 0, count: a.count)
        var touched: [Int] = []
        var bestForA = [Double](repeating: 0, count: a.count)
        var bestUnitForA = [Int](repeating: -1, count: a.count)
        var coveredB = 0, totalB = 0
        for (unitB, unit) in b.enumerated() {
            totalB += unit.count
            for term in unit {
                var posting = slotHeads[slot(of: term)]
                while posting >= 0 {
                    let unitA = Int(postingUnits[Int(posting)])
                    if shared[unitA] == 0 { touched.append(unitA) }
                    shared[unitA] += 1
                    posting = postingNext[Int(posting)]
                }
            }
            var best = 0.0
            for unitA in touched {
                let dice = 2 * Double(shared[unitA]) / Double(unit.count + a[unitA].terms.count)
                best = max(best, dice)
                if dice > bestForA[unitA] {
                    bestForA[unitA] = dice
                    bestUnitForA[unitA] = unitB
                }
                shared[unitA] = 0
            }
            touched.removeAll(keepingCapacity: true)
            // A unit with no shared term has Dice 0 (aligned only if τ_s ≤ 0).
            if best >= sentenceDice { coveredB += unit.count }
        }
        var coveredA = 0
        var pairs: [AlignedPair] = []
        for (unitA, unit) in a.enumerated() where bestForA[unitA] >= sentenceDice {
            coveredA += unit.terms.count
            if bestUnitForA[unitA] >= 0 {
                pairs.append(AlignedPair(unitA: unitA, unitB: bestUnitForA[unitA], dice: bestForA[unitA]))
            }
        }
        return Alignment(coverageAToB: termsOfA > 0 ? Double(coveredA) / Double(termsOfA) : 0,
                         coverageBToA: totalB > 0 ? Double(coveredB) / Double(totalB) : 0,
                         pairs: pairs)
    }
}
