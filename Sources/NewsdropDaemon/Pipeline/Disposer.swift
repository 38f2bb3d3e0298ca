import Foundation
import Glibc
import NewsdropCore
import NewsdropStore

/// Takes a claimed file out of `work/` once its outcome is committed: to `processed/YYYY-MM-DD/`
/// (or deleted, by setting) when it became articles or sightings, to `failed/` with a
/// `NAME.error.json` sidecar when it did not. Names are never overwritten: a name already
/// taken gets the claim id in front.
struct Disposer {
    let work: DirectoryHandle
    let processed: DirectoryHandle
    let failed: DirectoryHandle
    let disposition: DaemonSettings.Disposition

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
            try processed.makeDirectory(day)
            let folder = try processed.openDirectory(day)
            let name = try uniqueName(for: claim, in: folder, alsoFree: nil)
            try work.move(claim.path, to: folder, as: name)
            destination = "processed/\(day.display)/\(name.display)"
        }
        if claim.layout == .folder { try work.removeDirectory(claim.id) }
        return destination
    }

    static let sidecarSuffix = ".error.json"

    /// The dropped name if it is free (and so is the name with `alsoFree` appended, which must
    /// fit too), otherwise `<claim id>-<name>`, shortened to fit a file name's 255 bytes.
    private func uniqueName(for claim: Claim, in directory: DirectoryHandle, alsoFree suffix: String?) throws -> FileName {
        let limit = 255 - (suffix?.utf8.count ?? 0)
        func isFree(_ name: FileName) throws -> Bool {
            guard try directory.status(of: name) == nil else { return false }
            guard let suffix else { return true }
            return try directory.status(of: FileName(bytes: name.bytes + Array(suffix.utf8))) == nil
        }
        if claim.name.bytes.count <= limit, try isFree(claim.name) {
            return claim.name
        }
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
