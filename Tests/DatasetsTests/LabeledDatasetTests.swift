import SeededRandom
import Testing
@testable import Datasets

@Suite struct LabeledDatasetTests {
    func sample(count: Int = 9, width: Int = 5) -> LabeledDataset {
        LabeledDataset(
            features: (0..<(count * width)).map { Float($0) }, labels: (0..<count).map { Int32($0 % 3) },
            featureCount: width, classCount: 3)
    }

    @Test func gatherMatchesTheNaiveCopy() {
        let data = sample()
        var rng = SeededGenerator(seed: 4)
        var order = Array(0..<data.count)
        rng.shuffle(&order)
        let batch = order[2..<7]
        var features = [Float](repeating: -1, count: 6 * data.featureCount)  // one spare row
        var labels = [Int32](repeating: -1, count: 6)
        features.withUnsafeMutableBufferPointer { f in
            labels.withUnsafeMutableBufferPointer { l in data.gather(indices: batch, features: f, labels: l) }
        }
        let expected = batch.flatMap { i in (0..<data.featureCount).map { data.features[i * data.featureCount + $0] } }
        #expect(Array(features.prefix(batch.count * data.featureCount)) == expected)
        #expect(features.suffix(data.featureCount).allSatisfy { $0 == -1 })  // untouched
        #expect(Array(labels.prefix(batch.count)) == batch.map { data.labels[$0] })
    }

    @Test func subsetKeepsOrderAndShape() {
        let data = sample()
        let part = data.subset([8, 0, 4])
        #expect(part.count == 3)
        #expect(part.labels == [data.labels[8], data.labels[0], data.labels[4]])
        #expect(Array(part.features(of: 0)) == Array(data.features(of: 8)))
        #expect(part.classCount == data.classCount && part.sampleShape == data.sampleShape)
    }
}
