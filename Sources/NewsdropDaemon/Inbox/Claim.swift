import Glibc
import NewsdropCore

/// A file taken from the inbox: renamed into `work/` under its claim id, where no producer and
/// no second claim can reach it, keeping its dropped name exactly.
struct Claim: Sendable {
    /// Where the claimed file lies in `work/`.
    enum Layout: Sendable {
        /// `work/<id>-<name>`: one rename, nothing created. Used whenever the two fit in a
        /// file name's 255 bytes.
        case flat
        /// `work/<id>/<name>`: a folder of its own, for names too long to carry the id in front.
        /// Creating a folder costs ext4 an inode, which made `mkdir` the intake's largest cost.
        case folder
    }

    /// `<milliseconds since 1970>-<pid>-<counter>`, unique and in claim order. It is the
    /// delivery key in the database, so a replay after a crash is recognised as the same delivery.
    let id: FileName
    /// The file's name as it was dropped.
    let name: FileName
    let layout: Layout
    /// The claim's position in this run; the writer commits in this order.
    let sequence: UInt64
    /// Bytes counted against the queue's byte budget.
    let size: Int
    /// When the file arrived (its last change, seconds since 1970): the start of the
    /// drop-to-commit latency.
    let droppedAt: Double

    /// Where the claimed file is, relative to `work/`.
    var path: FileName {
        switch layout {
        case .flat: FileName(bytes: id.bytes + [Self.separator] + name.bytes)
        case .folder: name.inside(id)
        }
    }

    /// Flat when the id and the name fit in one file name, otherwise a folder.
    static func layout(id: FileName, name: FileName) -> Layout {
        id.bytes.count + 1 + name.bytes.count <= 255 ? .flat : .folder
    }

    /// Reads an entry of `work/` back: a claim id alone names a claim folder, a claim id, a
    /// dash and a name a flat claim (whose name is returned). Nil for anything else.
    static func parse(workEntry entry: FileName) -> (id: FileName, flatName: FileName?)? {
        let parts = entry.bytes.split(separator: separator, maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count >= 3, parts.prefix(3).allSatisfy({ !$0.isEmpty && $0.allSatisfy(isDigit) }) else { return nil }
        let id = FileName(bytes: Array(entry.bytes[..<parts[2].endIndex]))
        guard parts.count == 4 else { return (id, nil) }
        return parts[3].isEmpty ? nil : (id, FileName(bytes: Array(parts[3])))
    }

    private static let separator = UInt8(ascii: "-")
    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

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

    /// What claims sort by, for ids of any age: their numbers (milliseconds, pid, counter), not
    /// their bytes, compared with `lexicographicallyPrecedes`.
    static func claimOrder(of id: FileName) -> [Int64] {
        id.display.split(separator: "-").map { Int64($0) ?? Int64.max }
    }
}
