/// A fixed set of short words, looked up straight from UTF-8 bytes: token lookups happen ~700 times per
/// article, and building a `String` (and SipHashing it) for each would dominate feature extraction.
///
/// Words of up to 16 bytes are packed into two integers (tokens never contain a NUL byte, so packing is
/// injective) and stored in an open-addressing table; longer byte strings are never members.
struct ASCIIWordSet: Sendable {
    private struct Key: Equatable {
        var low: UInt64 = 0
        var high: UInt64 = 0
        var isEmpty: Bool { low == 0 }
    }

    private var slots: [Key]
    private let mask: Int
    /// Longer byte strings are rejected before packing (most tokens are).
    private let longest: Int

    init(_ words: [String]) {
        var capacity = 16
        while capacity < words.count * 4 { capacity *= 2 }
        slots = Array(repeating: Key(), count: capacity)
        mask = capacity - 1
        longest = words.map(\.utf8.count).max() ?? 0
        for word in words {
            let bytes = Array(word.utf8)
            guard let key = Self.key(bytes, 0..<bytes.count), !key.isEmpty else {
                preconditionFailure("ASCIIWordSet holds non-empty words of at most 16 bytes: \(word)")
            }
            var slot = Self.slot(key, mask)
            while !slots[slot].isEmpty && slots[slot] != key { slot = (slot + 1) & mask }
            slots[slot] = key
        }
    }

    func contains(_ bytes: [UInt8], _ range: Range<Int>) -> Bool {
        guard range.count <= longest, let key = Self.key(bytes, range), !key.isEmpty else { return false }
        var slot = Self.slot(key, mask)
        while !slots[slot].isEmpty {
            if slots[slot] == key { return true }
            slot = (slot + 1) & mask
        }
        return false
    }

    @inline(__always)
    private static func key(_ bytes: [UInt8], _ range: Range<Int>) -> Key? {
        guard range.count <= 16 else { return nil }
        var key = Key()
        var shift: UInt64 = 0
        for index in range {
            if shift < 64 {
                key.low |= UInt64(bytes[index]) << shift
            } else {
                key.high |= UInt64(bytes[index]) << (shift - 64)
            }
            shift += 8
        }
        return key
    }

    @inline(__always)
    private static func slot(_ key: Key, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: SimilarityHash.mix64(key.low ^ (key.high &* 0x9E37_79B9_7F4A_7C15))) & mask
    }
}

/// The word lists of SPEC §2.3–2.4, exactly as in the reference `textproc.py`.
enum SimilarityLexicon {
    /// Dropped from content terms. "us" is here, so the country "US" goes too (accepted by the spec).
    static let stopwords = ASCIIWordSet("""
        a about above according across after again against all almost already also although always am among an \
        and another any anyone anything are around as asked at be became because become been before being below \
        between both but by can cannot could d did do does doing done down dr during each either else even ever \
        every few for from further get gets got had has have having he her here hers herself him himself his how \
        however i if in including into is it its itself just least less like ll m made make many may me might more \
        most mr mrs ms much must my myself neither never no nor not now of off often on once one only or other \
        others our ours ourselves out over own per perhaps rather re really s said same say saying says she should \
        since so some something still such t tell tells than that the their theirs them themselves then there these \
        they this those though through thus to told too toward towards under until up upon us ve very was we well \
        were what whatever when where whether which while who whom whose why will with within without would yet \
        you your yours yourself yourselves
        """.split(separator: " ").map(String.init))

    /// A "." after one of these words does not end a sentence.
    static let abbreviations = ASCIIWordSet("""
        apr atty aug capt co col corp dec dr etc feb gen gov inc jan jr jul jun lt ltd mar mr mrs ms no nov oct \
        pres prof rep rev sen sep sept sgt sr st supt vs
        """.split(separator: " ").map(String.init))
}
