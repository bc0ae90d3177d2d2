import Foundation
import Testing
@testable import Datasets

/// Where Debian's `dataset-fashion-mnist` package puts the real data.
private let systemFashionMNIST = "/usr/share/datasets/fashion-mnist"
private let isFashionMNISTInstalled = ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"].allSatisfy {
    FileManager.default.fileExists(atPath: systemFashionMNIST + "/" + $0)
}

@Suite struct FashionMNISTEndToEndTests {
    @Test(
        .enabled(
            if: isFashionMNISTInstalled,
            "FashionMNIST is not installed in \(systemFashionMNIST); `apt-get install dataset-fashion-mnist` to run this test"))
    func loadsTheFirstThousandTestImages() throws {
        // Only the system directory: the test reads what Debian's package installed.
        let locator = DatasetLocator(environment: [:], systemRoot: "/usr/share/datasets", cacheRoot: nil)
        let test = try LabeledDataset.load(.fashionMNIST, split: .test, from: locator, limit: 1_000)
        #expect(test.count == 1_000)
        #expect(test.featureCount == 784)
        #expect(test.sampleShape == [1, 28, 28])
        #expect(test.classCount == 10)
        #expect(test.features.count == 1_000 * 784)
        #expect(test.labels.allSatisfy { (0..<10).contains($0) })
        #expect(Set(test.labels).count == 10)  // 1,000 images cover every class
        #expect(test.features.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(test.features.min() == 0 && test.features.max() == 1)
        // Images have content: a typical article covers roughly half the frame.
        let mean = test.features.reduce(0, +) / Float(test.features.count)
        #expect(mean > 0.2 && mean < 0.4)
        // Reference values read independently with Python's gzip module:
        // labels[:10], sum(labels[:1000]), sum of the first image's 784 bytes.
        #expect(Array(test.labels.prefix(10)) == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7])
        #expect(test.labels.reduce(0, +) == 4363)
        #expect(test.features(of: 0).reduce(0) { $0 + Int(($1 * 255).rounded()) } == 33456)
    }
}
