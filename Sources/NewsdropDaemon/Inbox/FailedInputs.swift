/// `retry`: moves the inputs in `failed/` back into `inbox/new/` for another attempt, and
/// removes their sidecars (a new failure writes a new one, with `attempts` counted up).
enum FailedInputs {
    static func retry(failed: DirectoryHandle, inboxNew: DirectoryHandle) throws -> Int {
        var moved = 0
        for name in try failed.entries() where !InboxRules.isIgnored(name) && !name.hasSuffix(Disposer.sidecarSuffix) {
            try failed.move(name, to: inboxNew, as: name)
            try failed.removeFile(FileName(bytes: name.bytes + Array(Disposer.sidecarSuffix.utf8)))
            moved += 1
        }
        return moved
    }
}
