/// A hash table keyed by 64-bit hashes (terms, posting keys), for the writer's document
/// frequencies and held postings: open addressing with linear probing over one flat array.
///
/// Swift's `Dictionary` hashes every key with SipHash, and placing one article looks up
/// document frequencies about 1,500 times in a table of up to 400,000 terms; that hashing was
/// a large share of story placement. Term hashes are already uniform 64-bit values, so one
/// multiplication (Fibonacci hashing) spreads them over the slots. No removal of single keys:
/// the cache only ever sheds entries in one pass over the whole table (`removeAll(where:)`).
struct TermTable<Value> {
    /// A key beside its value, so that a probe reads one place in memory, not one in a keys
    /// array and another in a values array: the table outgrows the CPU's caches, and each
    /// probe of a large table is a cache miss.
    fileprivate struct Slot {
        var key: UInt64
        /// nil marks an empty slot.
        var value: Value?
    }

    private var slots: [Slot]
    private(set) var count = 0
    /// 64 minus log2 of the slot count: the top bits of the mixed key choose the slot.
    private var shift: UInt64

    init() {
        self.init(slotCount: 16)
    }

    private init(slotCount: Int) {
        slots = Array(repeating: Slot(key: 0, value: nil), count: slotCount)
        shift = UInt64(64 - slotCount.trailingZeroBitCount)
    }

    subscript(key: UInt64) -> Value? {
        let (index, found) = slot(of: key)
        return found ? slots[index].value : nil
    }

    /// Runs `body` on the value for `key`, inserting `makeDefault()` first when there is none.
    mutating func modify<Result>(_ key: UInt64, default makeDefault: () -> Value, _ body: (inout Value) -> Result) -> Result {
        var (index, found) = slot(of: key)
        if !found {
            if (count + 1) * 2 > slots.count {
                grow()
                index = slot(of: key).index
            }
            slots[index] = Slot(key: key, value: makeDefault())
            count += 1
        }
        return body(&slots[index].value!)
    }

    /// Runs `body` on the value for `key`; nil, and no entry made, when there is none.
    mutating func modifyIfPresent<Result>(_ key: UInt64, _ body: (inout Value) -> Result) -> Result? {
        let (index, found) = slot(of: key)
        return found ? body(&slots[index].value!) : nil
    }

    /// Removes every entry whose value `shouldRemove` picks, keeping the slot count.
    mutating func removeAll(where shouldRemove: (Value) -> Bool) {
        var kept = TermTable(slotCount: slots.count)
        for slot in slots {
            guard let value = slot.value, !shouldRemove(value) else { continue }
            kept.slots[kept.slot(of: slot.key).index] = slot
            kept.count += 1
        }
        self = kept
    }

    /// The slot holding `key`, or the empty slot where it would go. The table is never more
    /// than half full, so the probe always ends.
    private func slot(of key: UInt64) -> (index: Int, found: Bool) {
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
        while slots[index].value != nil {
            if slots[index].key == key { return (index, true) }
            index = (index + 1) & mask
        }
        return (index, false)
    }

    private mutating func grow() {
        var larger = TermTable(slotCount: slots.count * 2)
        for slot in slots where slot.value != nil {
            larger.slots[larger.slot(of: slot.key).index] = slot
        }
        larger.count = count
        self = larger
    }
}

extension TermTable: Sendable where Value: Sendable {}
extension TermTable.Slot: Sendable where Value: Sendable {}
