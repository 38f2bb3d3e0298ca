import Foundation
import Glibc
import NewsdropCore
import NewsdropStore

/// Takes a claimed file out of `work/` once its outcome is committed: to `processed/YYYY-MM-DD/`
/// (or deleted, by setting) when it became articles or sightings, to `failed/` with a
/// `NAME.error.json` sidecar when it did not. Names are never overwritten: a name already
/// taken gets the claim id in front.
///
/// Used from one queue at a time (the pipeline's disposal queue): it keeps the day's folder
/// open between files.
final class Disposer {
    private let work: DirectoryHandle
    private let processed: DirectoryHandle
    private let failed: DirectoryHandle
    private let disposition: DaemonSettings.Disposition
    /// Today's folder under `processed/`, opened by the first file of the day, and its inode:
    /// creating and opening it for every file had cost each commit four system calls.
    private var dayFolder: (day: FileName, folder: DirectoryHandle, identity: FileIdentity)?

    init(work: DirectoryHandle, processed: DirectoryHandle, failed: DirectoryHandle, disposition: DaemonSettings.Disposition) {
        self.work = work
        self.processed = processed
        self.failed = failed
        self.disposition = disposition
    }

    /// Disposes of the claim's file (and its claim folder, if it has one). Returns where the file went,
    /// relative to the state directory ("deleted" when it was deleted).
    func dispose(_ claim: Claim, failure: IngestFailure?, attempts: Int) throws -> String {
        let destination: String
        if let failure {
            let name = try uniqueName(for: claim, in: failed, alsoFree: Self.sidecarSuffix)
            let sidecar = FileName(bytes: name.bytes + Array(Self.sidecarSuffix.utf8))
            try failed.writeFileAtomically(sidecar, contents: Self.sidecar(for: claim, failure: failure, attempts: attempts))
            try work.move(claim.path, to: failed, as: name)
            destination = "failed/" + name.display
        } else if disposition == .delete {
            try work.removeFile(claim.path)
            destination = "deleted"
        } else {
            let day = FileName(Timestamp(secondsSinceEpoch: Int64(Date().timeIntervalSince1970)).utcDay)
            let name = try moveToProcessed(claim, day: day)
            destination = "processed/\(day.display)/\(name.display)"
        }
        if claim.layout == .folder { try work.removeDirectory(claim.id) }
        return destination
    }

    static let sidecarSuffix = ".error.json"

    /// Moves the file into the day's folder under its dropped name, or `<claim id>-<name>` when
    /// that is taken: the rename itself refuses a taken name, so no lookup comes first.
    private func moveToProcessed(_ claim: Claim, day: FileName) throws -> FileName {
        let folder = try folder(for: day)
        if claim.name.bytes.count <= 255 {
            do {
                try work.move(claim.path, to: folder, as: claim.name)
                return claim.name
            } catch let error as SystemError where error.code == EEXIST {}
        }
        let name = Self.prefixed(claim, limit: 255)
        try work.move(claim.path, to: folder, as: name)
        return name
    }

    /// The day's folder, kept open while `processed/<day>` is still that folder: one `fstatat`
    /// per file. A folder moved away (an archiving job's `mv`) would otherwise take the day's
    /// later files with it, and one removed would refuse them.
    private func folder(for day: FileName) throws -> DirectoryHandle {
        if let dayFolder, dayFolder.day == day, try processed.status(of: day).map(FileIdentity.init) == dayFolder.identity {
            return dayFolder.folder
        }
        dayFolder = nil
        try processed.makeDirectory(day)
        let folder = try processed.openDirectory(day)
        dayFolder = (day, folder, try folder.identity())
        return folder
    }

    /// The dropped name if it is free (and so is the name with `alsoFree` appended, which must
    /// fit too), otherwise `<claim id>-<name>`, shortened to fit a file name's 255 bytes.
    private func uniqueName(for claim: Claim, in directory: DirectoryHandle, alsoFree suffix: String) throws -> FileName {
        let limit = 255 - suffix.utf8.count
        func isFree(_ name: FileName) throws -> Bool {
            try directory.status(of: name) == nil
                && directory.status(of: FileName(bytes: name.bytes + Array(suffix.utf8))) == nil
        }
        if claim.name.bytes.count <= limit, try isFree(claim.name) {
            return claim.name
        }
        return Self.prefixed(claim, limit: limit)
    }

    /// `<claim id>-<name>`, the name's end kept where the whole would pass `limit` bytes.
    private static func prefixed(_ claim: Claim, limit: Int) -> FileName {
        let prefix = claim.id.bytes + Array("-".utf8)
        return FileName(bytes: prefix + claim.name.bytes.suffix(limit - prefix.count))
    }

    private static func sidecar(for claim: Claim, failure: IngestFailure, attempts: Int) -> [UInt8] {
        let record: [String: Any] = [
            "name": claim.name.display,
            "stage": failure.stage.rawValue,
            "reason": failure.reason,
            "failed_at": Timestamp(secondsSinceEpoch: Int64(Date().timeIntervalSince1970)).iso8601,
            "received_at": claim.receivedAt.iso8601,
            "delivery": claim.id.display,
            "attempts": attempts,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: record, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return Array(data) + [UInt8(ascii: "\n")]
    }
}
