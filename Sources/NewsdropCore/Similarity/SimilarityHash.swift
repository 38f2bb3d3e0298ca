/// The hash functions every signature is built from (SPEC §3). They are fixed forever: signatures and
/// term hashes are persisted, so changing a constant would silently orphan every stored article.
public enum SimilarityHash {
    static let fnvOffsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325
    static let fnvPrime: UInt64 = 0x0000_0100_0000_01B3

    /// FNV-1a, 64-bit.
    public static func fnv1a64(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash = fnvOffsetBasis
        for byte in bytes { hash = fnv1a64(hash, byte) }
        return hash
    }

    /// One FNV-1a step. FNV-1a has no finalisation, so a hash can be extended: the hash of "a_b" is the
    /// hash of "a" continued with "_" and "b", which is how bigrams and shingles avoid building strings.
    @inline(__always)
    static func fnv1a64(_ hash: UInt64, _ byte: UInt8) -> UInt64 {
        (hash ^ UInt64(byte)) &* fnvPrime
    }

    /// The splitmix64 finaliser: a bijective mixer, so distinct inputs stay distinct.
    @inline(__always)
    public static func mix64(_ z: UInt64) -> UInt64 {
        var z = z &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// th(term): the key of a content term (a stemmed, lower-cased word, or a bigram "a_b").
    public static func term(_ term: String) -> UInt64 {
        fnv1a64(term.utf8)
    }
}
