/// Selection without sorting, for the few strongest of many: story terms (a dozen of an
/// article's hundreds, 200 of a centroid's merge) and the sample of sentence keys.
enum Quickselect {
    /// Moves the `count` entries that rank first to the front of `entries`, in no particular
    /// order: quickselect with a middle pivot. `ranksBefore` must be a strict total order on
    /// the entries, which is what makes it end. Through the buffer: the array's `swapAt` was
    /// not inlined, and with its uniqueness checks it cost more than the comparisons (callgrind,
    /// placement).
    static func moveFirst<Entry>(_ count: Int, of entries: inout [Entry], by ranksBefore: (Entry, Entry) -> Bool) {
        entries.withUnsafeMutableBufferPointer { entries in
            var low = 0, high = entries.count - 1
            while low < high {
                let pivot = entries[(low + high) / 2]
                var left = low, right = high
                while left <= right {
                    while ranksBefore(entries[left], pivot) { left += 1 }
                    while ranksBefore(pivot, entries[right]) { right -= 1 }
                    if left <= right {
                        entries.swapAt(left, right)
                        left += 1
                        right -= 1
                    }
                }
                if count - 1 <= right { high = right } else if count - 1 >= left { low = left } else { return }
            }
        }
    }
}
