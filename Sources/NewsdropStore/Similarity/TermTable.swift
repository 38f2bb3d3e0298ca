/// A hash table keyed by 64-bit hashes (terms, posting keys), for the writer's document
/// frequencies and held postings: open addressing with linear probing over flat arrays.
///
/// Swift's `Dictionary` hashes every key with SipHash, and placing one article looks up
/// document frequencies about 1,500 times in a table of up to 400,000 terms; that hashing was
/// a large share of story placement. Term hashes are already uniform 64-bit values, so one
/// multiplication (Fibonacci hashing) spreads them over the slots. No removal of single keys:
/// the cache only ever sheds entries in one pass over the whole table (`removeAll(where:)`).
struct TermTable<Value> {
    private var keys: [UInt64]
    /// nil marks an empty slot.
    private var values: [Value?]
    private(set) var count = 0
    /// 64 minus log2 of the slot count: the top bits of the mixed key choose the slot.
    private var shift: UInt64

    init() {
        self.init(slotCount: 16)
    }

    private init(slotCount: Int) {
        keys = Array(repeating: 0, count: slotCount)
        values = Array(repeating: nil, count: slotCount)
        shift = UInt64(64 - slotCount.trailingZeroBitCount)
    }

    subscript(key: UInt64) -> Value? {
        let (index, found) = slot(of: key)
        return found ? values[index] : nil
    }

    /// Runs `body` on the value for `key`, inserting `makeDefault()` first when there is none.
    mutating func modify<Result>(_ key: UInt64, default makeDefault: () -> Value, _ body: (inout Value) -> Result) -> Result {
        var (index, found) = slot(of: key)
        if !found {
            if (count + 1) * 2 > keys.count {
                grow()
                index = slot(of: key).index
            }
            keys[index] = key
            values[index] = makeDefault()
            count += 1
        }
        return body(&values[index]!)
    }

    /// Removes every entry whose value `shouldRemove` picks, keeping the slot count.
    mutating func removeAll(where shouldRemove: (Value) -> Bool) {
        var kept = TermTable(slotCount: keys.count)
        for index in values.indices {
            guard let value = values[index], !shouldRemove(value) else { continue }
            let slot = kept.slot(of: keys[index]).index
            kept.keys[slot] = keys[index]
            kept.values[slot] = value
            kept.count += 1
        }
        self = kept
    }

    /// The slot holding `key`, or the empty slot where it would go. The table is never more
    /// than half full, so the probe always ends.
    private func slot(of key: UInt64) -> (index: Int, found: Bool) {
        let mask = keys.count - 1
        var index = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
        while values[index] != nil {
            if keys[index] == key { return (index, true) }
            index = (index + 1) & mask
        }
        return (index, false)
    }

    private mutating func grow() {
        var larger = TermTable(slotCount: keys.count * 2)
        for index in values.indices {
            guard let value = values[index] else { continue }
            let slot = larger.slot(of: keys[index]).index
            larger.keys[slot] = keys[index]
            larger.values[slot] = value
        }
        larger.count = count
        self = larger
    }
}

extension TermTable: Sendable where Value: Sendable {}
