import Foundation
import NewsdropStore

/// A store on a fresh SQLite file in a temporary folder of its own; the folder goes with it.
final class TemporaryStore {
    let folder: URL
    let store: ArticleStore

    init(stages: ArticleStore.Stages = ArticleStore.Stages()) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("newsdrop-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        store = try ArticleStore(path: folder.appendingPathComponent("test.db").path, stages: stages)
    }

    deinit {
        try? FileManager.default.removeItem(at: folder)
    }
}
