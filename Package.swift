// swift-tools-version: 6.1
// brsgd — Byzantine-resilient distributed SGD (Li et al., "Efficient Byzantine-Resilient
// Stochastic Gradient Descent"). Targets show the architecture; dependencies point down only:
//
//   brsgd (executable) ─┬─ NeuralEngine ── CBLAS (OpenBLAS / Accelerate)
//                       ├─ Datasets ────── CZlib
//                       ├─ TensorIO        (.npy / JSON matrices)
//                       ├─ ByzantineAttacks ─┬─ RobustAggregation
//                       │                    └─ SeededRandom
//                       └─ RobustAggregation (no dependencies at all)
import PackageDescription

let package = Package(
    name: "brsgd",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "RobustAggregation", targets: ["RobustAggregation"]),
        .executable(name: "brsgd", targets: ["brsgd"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // Aggregation rules. Depends on nothing, so anyone can drop it into a server or app.
        .target(name: "RobustAggregation"),
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
        // Byzantine behaviour, injected at the worker boundary: the paper's four attacks and more.
        .target(name: "ByzantineAttacks", dependencies: ["RobustAggregation", "SeededRandom"]),
        .executableTarget(
            name: "brsgd",
            dependencies: [
                "RobustAggregation",
                "TensorIO",
                "Datasets",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "RobustAggregationTests", dependencies: ["RobustAggregation", "SeededRandom"]),
        .testTarget(name: "SeededRandomTests", dependencies: ["SeededRandom"]),
        // Runs the built `brsgd` executable end to end (files, exit codes, messages).
        .testTarget(name: "BrSGDCommandTests", dependencies: ["brsgd", "RobustAggregation", "TensorIO"]),
        .testTarget(name: "TensorIOTests", dependencies: ["TensorIO"], resources: [.copy("Fixtures")]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "CZlib", "SeededRandom"]),
        .testTarget(
            name: "ByzantineAttacksTests",
            dependencies: ["ByzantineAttacks", "RobustAggregation", "SeededRandom"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
