// swift-tools-version: 6.1
// brsgd — Byzantine-resilient distributed SGD (Li et al., "Efficient Byzantine-Resilient
// Stochastic Gradient Descent"). Targets show the architecture; dependencies point down only:
//
//   brsgd (executable)
//     ├─ BrSGDTransportGRPC ─ gRPC, SwiftNIO, swift-protobuf (the only target that needs them;
//     │    └─ BrSGDCluster      `brsgd` links it only with the Networking trait, see below)
//     ├─ BrSGDCluster ────── state machines (master, worker), ledger, simulation, grids
//     │    ├─ NeuralEngine ── CNeuralKernels, KernelPaths, SeededRandom
//     │    └─ BrSGDRecords
//     ├─ BrSGDExperiments ── tables, SVG figures
//     │    └─ BrSGDRecords ── the typed Experiment, RunRecord
//     │         ├─ ByzantineAttacks ── RobustAggregation, SeededRandom
//     │         ├─ Datasets ────────── CZlib, SeededRandom
//     │         └─ TensorIO            (.npy / JSON matrices, atomic files)
//     ├─ BrSGDAggregationC ─ a C interface over RobustAggregation (python/ loads it)
//     └─ RobustAggregation ── CAggregationKernels ── CKernelSelection (no package dependencies)
//
//   KernelPaths / CKernelSelection: which instruction-set path the kernels take (BRSGD_KERNELS)
import PackageDescription

// `BRSGD_WITHOUT_GRPC=1` (what `make demo`, `make release` and `make bench` set) leaves the
// gRPC stack out of the package graph altogether: no gRPC, SwiftNIO, swift-protobuf or
// swift-crypto to fetch, check out, load and plan, no BrSGDTransportGRPC, no BrSGDNetwork
// product, no Networking trait. The trait alone keeps that code out of the `brsgd` executable,
// but SwiftPM still resolves and plans the trait's packages (18 manifests and BoringSSL's
// sources: about 15 s of a first build on two cores). Unset (the default, and always for a
// package that depends on this one), the package is whole.
let withGRPC = Context.environment["BRSGD_WITHOUT_GRPC"] != "1"

let package = Package(
    name: "brsgd",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "RobustAggregation", targets: ["RobustAggregation"]),
        .library(name: "NeuralEngine", targets: ["NeuralEngine"]),
        .executable(name: "brsgd", targets: ["brsgd"]),
        .library(name: "BrSGDAggregationC", type: .dynamic, targets: ["BrSGDAggregationC"]),
    ] + (withGRPC ? grpcProducts : []),
    // `brsgd master`, `worker` and `cluster` run training over gRPC. Compiling gRPC, SwiftNIO,
    // BoringSSL and swift-protobuf is most of a first build (minutes), and nothing else needs
    // them, so the `brsgd` executable links BrSGDTransportGRPC only when this trait is on:
    //   swift build -c release --product brsgd --traits Networking     (or `make network`)
    // Off by default, so that `make demo`, `swift run brsgd …` and a package that depends on
    // this one by URL never compile the gRPC stack for commands they do not run. The trait
    // defines the compilation condition `Networking` in every target of this package; the
    // files of the networked commands are wrapped in `#if Networking`. (`make test` turns it
    // on; a plain `swift build` or `swift test` still compiles BrSGDTransportGRPC and runs
    // its tests, as it builds every target of the package.)
    traits: withGRPC ? networkingTraits : [],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ] + (withGRPC ? grpcPackages : []),
    targets: [
        // Which instruction-set path every kernel takes: the widest this CPU runs, or the one
        // BRSGD_KERNELS forces (reference | avx2 | avx512). Every path gives the same bits.
        .target(name: "CKernelSelection"),
        .target(name: "KernelPaths", dependencies: ["CKernelSelection"]),
        // Aggregation rules. Depends on nothing but its C kernels (which read the path choice), so anyone can drop it into a server or app.
        .target(name: "RobustAggregation", dependencies: ["CAggregationKernels"]),
        // RobustAggregation's hottest kernels (median networks, BrSGD's tile step, the iterative
        // rules' fused tile, the Gram matrix of the pairwise distances) in AVX-512/AVX2 for x86-64, chosen at run time, in C for the
        // per-function target attributes Swift lacks; the same bits as the Swift kernels.
        .target(name: "CAggregationKernels", dependencies: ["CKernelSelection"]),
        .target(name: "BrSGDAggregationC", dependencies: ["RobustAggregation"], exclude: ["include"]),
        // The seeded generator every random draw takes (xoshiro256**), so a seed fixes the bytes.
        .target(name: "SeededRandom"),
        // Reads and writes the .npy and JSON files other tools exchange matrices through. Foundation only.
        .target(name: "TensorIO"),
        // zlib, for gzip-compressed IDX files (Foundation on Linux does not inflate gzip).
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        // FashionMNIST / MNIST (IDX + gzip), partitioning over workers, batching, synthetic data.
        .target(name: "Datasets", dependencies: ["CZlib", "SeededRandom"]),
        // The CPU training engine: flat parameters, layers, losses, models, SGD. Its arithmetic
        // is its own: every product, reduction, exp and log in an order written once in Swift.
        .target(name: "NeuralEngine", dependencies: ["CNeuralKernels", "KernelPaths", "SeededRandom"]),
        // NeuralEngine's products (AVX-512 and AVX2) and data-movement kernels (im2col, col2im,
        // 2 × 2 max pooling; AVX-512) for x86-64, in C for its per-function target attributes;
        // the same bits as the Swift reference.
        .target(name: "CNeuralKernels", dependencies: ["CKernelSelection"]),
        // The typed experiment and the run records (what a run is and what it measured). No plots.
        .target(name: "BrSGDRecords", dependencies: ["RobustAggregation", "ByzantineAttacks", "Datasets", "TensorIO"]),
        // Tables (Table 1 of the paper) and SVG figures, built from run records.
        .target(name: "BrSGDExperiments", dependencies: ["BrSGDRecords"]),
        // The attacks, injected at the worker boundary (the paper's four and the modern ones).
        .target(name: "ByzantineAttacks", dependencies: ["RobustAggregation", "SeededRandom"]),
        // The round protocol (Algorithm 1) as a state machine, the in-process simulation, the runner.
        .target(
            name: "BrSGDCluster",
            dependencies: ["RobustAggregation", "ByzantineAttacks", "NeuralEngine", "Datasets", "SeededRandom",
                           "BrSGDRecords", "TensorIO"]
        ),
        .executableTarget(
            name: "brsgd",
            dependencies: [
                "RobustAggregation",
                "TensorIO",
                "Datasets",
                "NeuralEngine",
                "KernelPaths",
                "SeededRandom",
                "ByzantineAttacks",
                "BrSGDCluster",
                "BrSGDRecords",
                "BrSGDExperiments",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ] + (withGRPC ? networkCommandDependencies : [])
        ),
        // What several test targets share (bitwise comparisons that fail in one short line).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "RobustAggregationTests", dependencies: ["RobustAggregation", "CAggregationKernels", "SeededRandom", "TestSupport"]),
        .testTarget(name: "BrSGDAggregationCTests", dependencies: ["BrSGDAggregationC", "RobustAggregation", "TestSupport"]),
        .testTarget(name: "SeededRandomTests", dependencies: ["SeededRandom", "TestSupport"]),
        .testTarget(
            name: "NeuralEngineTests",
            dependencies: ["NeuralEngine", "CNeuralKernels", "SeededRandom", "TestSupport"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "ByzantineAttacksTests",
            dependencies: ["ByzantineAttacks", "RobustAggregation", "SeededRandom", "TestSupport"]
        ),
        .testTarget(name: "BrSGDRecordsTests", dependencies: ["BrSGDRecords", "RobustAggregation", "ByzantineAttacks", "Datasets"]),
        .testTarget(name: "BrSGDExperimentsTests", dependencies: ["BrSGDExperiments", "BrSGDRecords"]),
        .testTarget(
            name: "BrSGDClusterTests",
            dependencies: ["BrSGDCluster", "BrSGDRecords", "NeuralEngine", "Datasets", "ByzantineAttacks", "RobustAggregation",
                           "SeededRandom", "TestSupport"]
        ),
        // Runs the built `brsgd` executable end to end (files, exit codes, messages).
        .testTarget(name: "BrSGDCommandTests", dependencies: ["brsgd", "RobustAggregation", "TensorIO", "KernelPaths", "TestSupport"]),
        .testTarget(name: "TensorIOTests", dependencies: ["TensorIO"], resources: [.copy("Fixtures")]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "CZlib", "SeededRandom"]),
    ] + (withGRPC ? grpcTargets : []),
    swiftLanguageModes: [.v6]
)

// MARK: - The gRPC stack (left out with BRSGD_WITHOUT_GRPC=1)

/// A worker for a Swift server or app with its own engine: NetworkWorker.run(options, source:)
/// with a GradientSource of its own (BrSGDCluster), over gRPC.
var grpcProducts: [Product] {
    [.library(name: "BrSGDNetwork", targets: ["BrSGDTransportGRPC", "BrSGDCluster"])]
}

/// `brsgd master`, `worker` and `cluster`, compiled into `brsgd` only with this trait.
var networkingTraits: Set<Trait> {
    [
        .trait(
            name: "Networking",
            description: "The networked commands of brsgd (master, worker, cluster) over gRPC: builds gRPC, SwiftNIO, BoringSSL and swift-protobuf."
        ),
        .default(enabledTraits: []),
    ]
}

/// The networked master and workers only (target BrSGDTransportGRPC and its tests).
var grpcPackages: [Package.Dependency] {
    [
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // The master's request gate reads HTTP/2 frames (already built for gRPC's transport).
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        // The master logs failed TLS handshakes (already built for gRPC's TLS).
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ]
}

/// What BrSGDTransportGRPC and its tests import from the gRPC stack.
var grpcStackProducts: [Target.Dependency] {
    [
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
        .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        // The master's request gate, and the tests' raw HTTP/2 client (requests no gRPC client sends).
        .product(name: "NIOHTTP2", package: "swift-nio-http2"),
        .product(name: "NIOHPACK", package: "swift-nio-http2"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
    ]
}

/// Only the networked commands (Sources/brsgd/Network) use these.
var networkCommandDependencies: [Target.Dependency] {
    [
        .target(name: "BrSGDTransportGRPC", condition: .when(traits: ["Networking"])),
        .product(name: "Logging", package: "swift-log", condition: .when(traits: ["Networking"])),
    ]
}

var grpcTargets: [Target] {
    [
        // The round protocol over gRPC (HTTP/2, protobuf): networked master and worker. Generated
        // code is committed (Scripts/generate-protos.sh); only `brsgd` and its tests depend on it.
        .target(
            name: "BrSGDTransportGRPC",
            dependencies: [
                "BrSGDCluster", "BrSGDRecords", "NeuralEngine", "Datasets", "ByzantineAttacks", "RobustAggregation",
                "TensorIO",
                // The Prometheus endpoint (HTTP/1.1); gRPC already builds SwiftNIO.
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ] + grpcStackProducts,
            exclude: ["Generated/README.md"]
        ),
        // Not gated by the Networking trait: it tests the library target, which `swift build`
        // and `swift test` compile whatever the traits (they build every target of the package),
        // so gating it would hide these tests without saving any build time.
        .testTarget(
            name: "BrSGDTransportGRPCTests",
            dependencies: ["BrSGDTransportGRPC", "BrSGDCluster", "BrSGDRecords", "NeuralEngine", "Datasets", "TestSupport"]
                + grpcStackProducts
        ),
    ]
}
