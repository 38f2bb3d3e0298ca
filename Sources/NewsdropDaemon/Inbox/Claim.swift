import Glibc
import NewsdropCore

/// A file taken from the inbox: renamed into its own folder `work/<id>/<name>`, so it keeps
/// its name exactly while no producer and no second claim can reach it.
struct Claim: Sendable {
    /// The claim folder's name: `<milliseconds since 1970>-<pid>-<counter>`, unique and in
    /// claim order. It is the delivery key in the database, so a replay after a crash is
    /// recognised as the same delivery.
    let id: FileName
    /// The file's name as it was dropped.
    let name: FileName
    /// The claim's position in this run; the writer commits in this order.
    let sequence: UInt64
    /// Bytes counted against the queue's byte budget.
    let size: Int
    /// When the file arrived (its last change, seconds since 1970): the start of the
    /// drop-to-commit latency.
    let droppedAt: Double

    /// Where the claimed file is, relative to `work/`.
    var path: FileName { name.inside(id) }

    /// When the file was claimed, read back from the claim id (so a replay keeps the time).
    var receivedAt: Timestamp {
        let milliseconds = Int64(id.display.prefix { $0.isNumber }) ?? 0
        return Timestamp(secondsSinceEpoch: milliseconds / 1_000)
    }
}

/// Makes claim ids that sort in claim order.
struct ClaimIDGenerator {
    private var counter = 0
    private let pid = getpid()

    mutating func next() -> FileName {
        counter += 1
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let milliseconds = Int64(now.tv_sec) * 1_000 + Int64(now.tv_nsec) / 1_000_000
        return FileName("\(Self.pad(milliseconds, 13))-\(Self.pad(Int64(pid), 7))-\(Self.pad(Int64(counter), 10))")
    }

    /// Zero-padded, so that byte order is claim order.
    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// Claim order for ids of any age: by their numbers (milliseconds, pid, counter), not their bytes.
    static func claimOrder(_ a: FileName, _ b: FileName) -> Bool {
        let numbers = { (name: FileName) in name.display.split(separator: "-").map { Int64($0) ?? Int64.max } }
        return numbers(a).lexicographicallyPrecedes(numbers(b))
    }
}
