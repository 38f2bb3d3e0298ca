import ArgumentParser
import Foundation

/// Input data that is not there. The quality command skips the part that needs it and says so;
/// it is not an error, because a fresh clone has no ../shared folder.
struct MissingData: Error, CustomStringConvertible {
    var description: String
}

/// The shared development data (../shared beside the package), and the options that choose it.
struct DataOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The shared data folder.", discussion: "Default: ../shared beside the package root, found from the executable's location or the current directory.", valueName: "path"))
    var shared: String?

    @Option(help: ArgumentHelp("Use only the first N of the data set: basil-dev stories (and the synthetic set made from them), or readability pages: a quick smoke run.", valueName: "n"))
    var limit: Int?

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func sharedFolder() throws(MissingData) -> SharedFolder {
        let folder: URL
        if let shared {
            folder = URL(fileURLWithPath: shared)
        } else {
            let starts = [Bundle.main.executableURL?.deletingLastPathComponent(),
                          URL(fileURLWithPath: FileManager.default.currentDirectoryPath)].compactMap { $0 }
            guard let root = starts.lazy.compactMap(Self.packageRoot(above:)).first else {
                throw MissingData(description: "no package root (a folder holding Package.swift) above "
                    + starts.map(\.path).joined(separator: " or ") + "; pass --shared PATH")
            }
            folder = root.deletingLastPathComponent().appendingPathComponent("shared")
        }
        guard FileManager.default.isDirectory(folder) else {
            throw MissingData(description: "missing the shared data folder \(folder.standardizedFileURL.path)")
        }
        return SharedFolder(url: folder.standardizedFileURL)
    }

    /// The nearest folder at or above `start` that holds Package.swift.
    private static func packageRoot(above start: URL) -> URL? {
        var folder = start.standardizedFileURL
        while true {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) { return folder }
            let parent = folder.deletingLastPathComponent()
            if parent.path == folder.path { return nil }
            folder = parent
        }
    }
}

struct SharedFolder {
    var url: URL
    var seeds: URL { url.appendingPathComponent("seeds") }
    var basil: URL { url.appendingPathComponent("corpus/basil-dev.jsonl") }

    /// basil-dev, cut to `limit` stories; MissingData when the file is not there.
    func basilArticles(limit: Int?) throws -> [BasilArticle] {
        guard FileManager.default.fileExists(atPath: basil.path) else {
            throw MissingData(description: "missing \(basil.path)")
        }
        return try BasilCorpus.load(basil, storyLimit: limit)
    }
}

extension FileManager {
    func isDirectory(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
