import ArgumentParser

/// Benchmarks that drive newsdrop's real parser and store over the shared development data.
@main
struct NewsdropBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "newsdrop-bench",
        abstract: "Benchmarks of newsdrop's real pipeline over the shared data.",
        subcommands: [QualityCommand.self, SyntheticCommand.self, ControlCommand.self, IngestCommand.self, ExtractCommand.self]
    )
}
