import ArgumentParser
import Foundation

/// `newsdrop-bench synthetic`: writes the synthetic near-duplicate set as JSON Lines with
/// synth.py's fields, to compare with the prototype's set or to feed other benchmarks.
struct SyntheticCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synthetic",
        abstract: "Write the synthetic near-duplicate set (SPEC §6) as JSON Lines."
    )

    @OptionGroup var data: DataOptions
    @OptionGroup var synthetic: SyntheticOptions

    @Option(help: "The file to write (default: standard output).")
    var output: String?

    func run() throws {
        let set = SyntheticSet.build(from: try data.sharedFolder().basilArticles(limit: data.limit), seed: synthetic.seed)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var lines = Data()
        for input in set {
            lines += try encoder.encode(Line(id: input.id, group: input.group, kind: input.role.name, story: input.story,
                                             outlet: input.outlet, date: input.date, text: input.text))
            lines.append(UInt8(ascii: "\n"))
        }
        if let output {
            try lines.write(to: URL(fileURLWithPath: output))
        } else {
            FileHandle.standardOutput.write(lines)
        }
    }

    /// One input as synth.py's `build` describes it.
    private struct Line: Encodable {
        var id: String
        var group: Int
        var kind: String
        var story: String
        var outlet: String
        var date: String
        var text: String
    }
}
