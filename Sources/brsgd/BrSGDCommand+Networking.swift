import ArgumentParser

/// `brsgd master`, `worker` and `cluster` (Sources/brsgd/Network) run training over gRPC and
/// are compiled only with the package's Networking trait, so that a first build of the other
/// commands does not compile gRPC, SwiftNIO, BoringSSL and swift-protobuf.
extension BrSGDCommand {
    /// How to build the networked commands, as the help and the placeholders say it.
    static let networkBuildHint = """
        `make network` (it builds .build-network/release/brsgd), or \
        `swift build -c release --product brsgd --traits Networking`
        """

    #if Networking
    static var networkCommands: [any ParsableCommand.Type] {
        [MasterCommand.self, WorkerCommand.self, ClusterCommand.self]
    }

    static var networkCommandsNote: String { "" }
    #else
    /// Hidden placeholders: `brsgd master …` in this build says how to get the real command
    /// instead of "unexpected argument".
    static var networkCommands: [any ParsableCommand.Type] {
        [MasterPlaceholder.self, WorkerPlaceholder.self, ClusterPlaceholder.self]
    }

    static var networkCommandsNote: String {
        """


        This build leaves out the networked commands (master, worker, cluster: training \
        over gRPC). To build them: \(networkBuildHint).
        """
    }
    #endif
}

#if !Networking
/// A networked command this build leaves out: hidden from the help; run, it refuses with a
/// usage error (exit code 64) that says how to build it, whatever arguments it is given.
private protocol NetworkCommandPlaceholder: ParsableCommand {
    var arguments: [String] { get }
}

extension NetworkCommandPlaceholder {
    func run() throws {
        try reportingErrors {
            throw UsageError("""
                `brsgd \(Self.configuration.commandName ?? "")` is one of the networked commands, \
                which this build of brsgd leaves out. To build them: \(BrSGDCommand.networkBuildHint).
                """)
        }
    }
}

private struct MasterPlaceholder: NetworkCommandPlaceholder {
    static let configuration = CommandConfiguration(
        commandName: "master", abstract: "Left out of this build: see `brsgd --help` for how to build it.", shouldDisplay: false)
    @Argument(parsing: .allUnrecognized, help: .private) var arguments: [String] = []
}

private struct WorkerPlaceholder: NetworkCommandPlaceholder {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Left out of this build: see `brsgd --help` for how to build it.", shouldDisplay: false)
    @Argument(parsing: .allUnrecognized, help: .private) var arguments: [String] = []
}

private struct ClusterPlaceholder: NetworkCommandPlaceholder {
    static let configuration = CommandConfiguration(
        commandName: "cluster", abstract: "Left out of this build: see `brsgd --help` for how to build it.", shouldDisplay: false)
    @Argument(parsing: .allUnrecognized, help: .private) var arguments: [String] = []
}
#endif
