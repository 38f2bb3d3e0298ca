import ArgumentParser

/// Benchmarks that drive newsdrop's real parser and store over the shared development data.
@main
struct NewsdropBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "newsdrop-bench",
        abstract: "Benchmarks of newsdrop's real pipeline over the shared data.",
        subcommands: [QualityCommand.self, SyntheticCommand.self, ExtractCommand.self, IngestCommand.self, LatencyCommand.self,
                      ScalingCommand.self, StagesCommand.self, ControlCommand.self]
    )
}
