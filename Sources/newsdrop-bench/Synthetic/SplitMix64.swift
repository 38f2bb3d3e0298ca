/// synth.py's `Rng`: splitmix64, whose output is the splitmix64 finaliser of the state before the
/// state advances by the golden gamma. The helpers draw exactly as synth.py's do, so one seed gives
/// the Python prototype's set, text for text.
struct SplitMix64 {
    private static let gamma: UInt64 = 0x9E37_79B9_7F4A_7C15
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        var z = state &+ Self.gamma
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        state &+= Self.gamma
        return z ^ (z >> 31)
    }

    /// A number in 0..<n (modulo, biased like synth.py's, on purpose).
    mutating func below(_ n: Int) -> Int {
        Int(next() % UInt64(n))
    }

    /// A number in [0, 1) with 53 random bits.
    mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Fisher–Yates from the back, one draw per position.
    mutating func shuffle<Element>(_ elements: inout [Element]) {
        for i in stride(from: elements.count - 1, to: 0, by: -1) {
            elements.swapAt(i, below(i + 1))
        }
    }

    /// `k` distinct indices of 0..<n, ascending: a shuffle of all n, cut to k (synth.py's `sample_idx`).
    mutating func sampleIndices(_ n: Int, _ k: Int) -> [Int] {
        var indices = Array(0..<n)
        shuffle(&indices)
        return indices.prefix(k).sorted()
    }
}
