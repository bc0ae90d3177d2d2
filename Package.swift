// swift-tools-version: 6.1
// brsgd — Byzantine-resilient distributed SGD (Li et al., "Efficient Byzantine-Resilient
// Stochastic Gradient Descent"). Targets show the architecture; dependencies point down only:
//
//   brsgd (executable) ─┬─ NeuralEngine ── CBLAS (OpenBLAS / Accelerate)
//                       ├─ Datasets ────── CZlib
//                       ├─ TensorIO        (.npy / JSON matrices)
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
        // Experiment records (config → run → JSON), Table 1 and Figure 3 of the paper, SVG plots.
        // Foundation only: it reads and writes files people read, and depends on no other target.
        .target(name: "BrSGDExperiments"),
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
        .testTarget(name: "TensorIOTests", dependencies: ["TensorIO"], resources: [.copy("Fixtures")]),
        .testTarget(name: "BrSGDExperimentsTests", dependencies: ["BrSGDExperiments"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "CZlib", "SeededRandom"]),
    ],
    swiftLanguageModes: [.v6]
)
