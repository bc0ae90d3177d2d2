import Foundation
import Testing
@testable import Datasets

@Suite struct DatasetLocatorTests {
    /// A sandbox with four candidate places: explicit, environment, system root, cache.
    struct Sandbox {
        let root: TemporaryDirectory
        var explicit: String { root.file("explicit") }
        var fromEnvironment: String { root.file("env") }
        var system: String { root.file("system") }
        var cache: String { root.file("cache") }

        init() throws { root = try TemporaryDirectory() }

        func locator(explicit: Bool = true, environment: Bool = true) -> DatasetLocator {
            DatasetLocator(
                dataDirectory: explicit ? self.explicit : nil,
                environment: environment ? [DatasetLocator.environmentVariable: fromEnvironment] : [:],
                systemRoot: system, cacheRoot: cache)
        }
    }

    @Test func searchOrderIsExplicitEnvironmentSystemCache() throws {
        let box = try Sandbox()
        defer { box.root.cleanUp() }
        let path = box.locator(explicit: false).searchPath(for: .fashionMNIST).map(\.directory)
        #expect(path == [
            box.fromEnvironment + "/fashion-mnist", box.fromEnvironment,
            box.system + "/fashion-mnist", box.cache + "/fashion-mnist",
        ])
        // An explicit directory is the only place searched: no silent fall-back.
        #expect(box.locator().searchPath(for: .fashionMNIST).map(\.directory) == [
            box.explicit + "/fashion-mnist", box.explicit,
        ])
        #expect(DatasetLocator(environment: [:]).searchPath(for: .mnist).map(\.directory)
            == ["/usr/share/datasets/mnist"])
        #expect(DatasetLocator(environment: ["HOME": "/home/u"]).searchPath(for: .mnist).last?.directory
            == "/home/u/.cache/brsgd/mnist")
    }

    @Test func firstDirectoryHoldingTheFilesWins() throws {
        let box = try Sandbox()
        defer { box.root.cleanUp() }
        // Distinguishable contents: the number of images says where they came from.
        try TinyImages(count: 4).writeSplits(into: box.cache + "/fashion-mnist")
        #expect(try LabeledDataset.load(.fashionMNIST, split: .train, from: box.locator(explicit: false)).count == 4)
        try TinyImages(count: 3).writeSplits(into: box.system + "/fashion-mnist", compressed: false)
        #expect(try LabeledDataset.load(.fashionMNIST, split: .test, from: box.locator(explicit: false)).count == 3)
        try TinyImages(count: 2).writeSplits(into: box.fromEnvironment)
        #expect(try LabeledDataset.load(.fashionMNIST, split: .train, from: box.locator(explicit: false)).count == 2)
        // An explicit directory without the files is an error, though other places have them.
        #expect(throws: DatasetError.self) { try LabeledDataset.load(.fashionMNIST, split: .train, from: box.locator()) }
        try TinyImages(count: 1).writeSplits(into: box.explicit + "/fashion-mnist")
        #expect(try LabeledDataset.load(.fashionMNIST, split: .train, from: box.locator()).count == 1)
        #expect(try LabeledDataset.load(.fashionMNIST, split: .train, from: box.locator(explicit: false)).count == 2)
        #expect(try LabeledDataset.load(.fashionMNIST, split: .train, from: box.locator(explicit: false, environment: false)).count == 3)
    }

    @Test func aDirectoryNeedsBothFilesOfTheSplit() throws {
        let box = try Sandbox()
        defer { box.root.cleanUp() }
        try TinyImages(count: 4).writeSplits(into: box.cache + "/mnist")
        try FileManager.default.createDirectory(atPath: box.explicit, withIntermediateDirectories: true)
        try writeGzip(TinyImages(count: 9).imagesIDX, to: box.explicit + "/train-images-idx3-ubyte.gz")
        let files = try box.locator(explicit: false).locate(.mnist, split: .train)
        #expect(throws: DatasetError.self) { try box.locator().locate(.mnist, split: .train) }
        #expect(files.images == box.cache + "/mnist/train-images-idx3-ubyte.gz")
        #expect(files.labels == box.cache + "/mnist/train-labels-idx1-ubyte.gz")
    }

    @Test(arguments: DatasetName.allCases)
    func missingDatasetSaysWhereItLookedAndHowToGetIt(name: DatasetName) throws {
        let box = try Sandbox()
        defer { box.root.cleanUp() }
        let locator = box.locator()
        let error = try #require(captureError { try LabeledDataset.load(name, split: .test, from: locator) } as? DatasetError)
        #expect(error.code == .datasetNotFound)
        for place in locator.searchPath(for: name) { #expect(error.message.contains(place.directory)) }
        for file in ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz"] {
            #expect(error.message.contains(file))
        }
        #expect(error.message.contains("--data-dir"))
        #expect(error.message.contains("BRSGD_DATA_DIR"))
        switch name {
        case .fashionMNIST:
            #expect(error.message.contains("apt-get install dataset-fashion-mnist"))
            #expect(error.message.contains("https://github.com/zalandoresearch/fashion-mnist"))
        case .mnist:
            #expect(error.message.contains("http://yann.lecun.com/exdb/mnist/"))
        }
        #expect(error.description.hasPrefix("dataset_not_found: "))
    }
}
