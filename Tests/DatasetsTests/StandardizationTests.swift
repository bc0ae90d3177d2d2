import Foundation
import Testing
@testable import Datasets

@Suite struct StandardizationTests {
    /// Hand-worked: μ = 0.25, σ = 0.5 (both exact in binary), so every result is exact:
    /// (0 − 0.25)/0.5 = −0.5, (0.25 − 0.25)/0.5 = 0, (0.5 − 0.25)/0.5 = 0.5, (1 − 0.25)/0.5 = 1.5.
    @Test func subtractsTheMeanThenDividesByTheStandardDeviation() {
        let raw = LabeledDataset(features: [0, 0.25, 0.5, 1, 0.75, 0.125], labels: [0, 1, 0], featureCount: 2,
                                 classCount: 2, sampleShape: [1, 1, 2])
        let standardized = Standardization(mean: 0.25, standardDeviation: 0.5).apply(to: raw)
        #expect(standardized.features == [-0.5, 0, 0.5, 1.5, 1, -0.25])
        #expect(standardized.labels == raw.labels)
        #expect(standardized.sampleShape == raw.sampleShape && standardized.featureCount == 2 && standardized.classCount == 2)
    }

    /// FashionMNIST's constants, in the order torchvision's Normalize applies them:
    /// (x − 0.2860) / 0.3530 in Float, e.g. a black pixel −0.81019…, a white one 2.02266….
    @Test func fashionMNISTsConstantsAsTorchvisionAppliesThem() {
        let s = DatasetName.fashionMNIST.trainingStandardization
        #expect(s.mean == 0.2860 && s.standardDeviation == 0.3530)
        #expect(s.standardize(0) == (Float(0) - Float(0.2860)) / Float(0.3530))
        #expect(abs(s.standardize(0) - -0.810198) < 1e-6)
        #expect(abs(s.standardize(1) - 2.022663) < 1e-6)
        #expect(s.standardize(0.2860) == 0)
    }

    /// The measured statistics of a hand-worked set: {0, 1, 0, 1} has mean 0.5, σ 0.5, and
    /// standardises to ±1 with mean 0 and σ 1.
    @Test func measuredStatisticsStandardiseToMeanZeroAndDeviationOne() {
        let raw = LabeledDataset(features: [0, 1, 0, 1], labels: [0, 1], featureCount: 2, classCount: 2)
        let s = Standardization.measured(on: raw)
        #expect(s.mean == 0.5 && s.standardDeviation == 0.5)
        let standardized = s.apply(to: raw)
        #expect(standardized.features == [-1, 1, -1, 1])
        let again = Standardization.measured(on: standardized)
        #expect(again.mean == 0 && again.standardDeviation == 1)
    }

    /// The published constants are what the training split as loaded gives, to 4 digits.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"),
                   "FashionMNIST is not installed in /usr/share/datasets/fashion-mnist"))
    func fashionMNISTsPublishedConstantsAgreeWithItsTrainingSplitTo4Digits() throws {
        let locator = DatasetLocator(environment: [:], systemRoot: "/usr/share/datasets", cacheRoot: nil)
        let train = try LabeledDataset.load(.fashionMNIST, split: .train, from: locator)
        #expect(train.count == 60_000)
        let measured = Standardization.measured(on: train)
        let published = DatasetName.fashionMNIST.trainingStandardization
        #expect((Double(measured.mean) * 1e4).rounded() == (Double(published.mean) * 1e4).rounded(), "\(measured)")
        #expect((Double(measured.standardDeviation) * 1e4).rounded() == (Double(published.standardDeviation) * 1e4).rounded(),
                "\(measured)")
    }
}
