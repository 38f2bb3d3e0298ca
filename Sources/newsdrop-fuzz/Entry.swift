import Foundation
#if FUZZING
import CNewsdropSystem
#endif

/// Built normally, replays files (a seed corpus, or a crash libFuzzer saved) through a target:
///     newsdrop-fuzz TARGET FILE-OR-FOLDER…
/// Built by scripts/fuzz (-sanitize=fuzzer -DFUZZING), hands the process to libFuzzer, which
/// drives the target named by NEWSDROP_FUZZ_TARGET; the arguments are libFuzzer's.
@main
enum FuzzEntry {
    static func main() {
        #if FUZZING
        runLibFuzzer()
        #else
        replay()
        #endif
    }

    #if FUZZING
    private static func runLibFuzzer() -> Never {
        guard let target = FuzzTarget(rawValue: ProcessInfo.processInfo.environment["NEWSDROP_FUZZ_TARGET"] ?? "") else {
            fail("set NEWSDROP_FUZZ_TARGET to one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        selected = target
        var argc = CommandLine.argc
        var argv = Optional(CommandLine.unsafeArgv)
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            FuzzEntry.selected.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
            return 0
        })
    }

    /// The target libFuzzer's callback runs (a C callback cannot capture it).
    nonisolated(unsafe) private static var selected = FuzzTarget.text
    #else
    private static func replay() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name), arguments.count > 1 else {
            fail("usage: newsdrop-fuzz TARGET FILE-OR-FOLDER…  (targets: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        var replayed = 0
        for path in arguments.dropFirst() {
            for file in files(at: path) {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                target.run(Array(data))
                replayed += 1
            }
        }
        print("replayed \(replayed) input(s) through \(target.rawValue)")
    }

    private static func files(at path: String) -> [String] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return [] }
        guard isFolder.boolValue else { return [path] }
        return ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { path + "/" + $0 }
    }
    #endif

    private static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(2)
    }
}
