import Glibc

/// `retry`: moves the inputs in `failed/` back into `inbox/new/` for another attempt, and
/// removes their sidecars (a new failure writes a new one, with `attempts` counted up).
enum FailedInputs {
    /// Returns how many inputs were moved. An input whose name is taken in `inbox/new` moves
    /// under `retry-<n>-<name>`.
    static func retry(failed: DirectoryHandle, inboxNew: DirectoryHandle) throws -> Int {
        let entries = try failed.entries()
        let present = Set(entries)
        let suffix = Array(Disposer.sidecarSuffix.utf8)
        var moved = 0
        for name in entries where !InboxRules.isIgnored(name) {
            // A sidecar is NAME.error.json beside an input NAME; an input may itself end in .error.json.
            if name.bytes.count > suffix.count, name.bytes.suffix(suffix.count).elementsEqual(suffix),
               present.contains(FileName(bytes: Array(name.bytes.dropLast(suffix.count)))) {
                continue
            }
            try moveFreely(name, from: failed, to: inboxNew)
            try failed.removeFile(FileName(bytes: name.bytes + suffix))
            moved += 1
        }
        return moved
    }

    private static func moveFreely(_ name: FileName, from source: DirectoryHandle, to target: DirectoryHandle) throws {
        var candidate = name, attempt = 0
        while true {
            do {
                try source.move(name, to: target, as: candidate)
                return
            } catch let error as SystemError where error.code == EEXIST && attempt < 1_000 {
                attempt += 1
                candidate = FileName(bytes: Array("retry-\(attempt)-".utf8) + name.bytes.prefix(230))
            }
        }
    }
}
