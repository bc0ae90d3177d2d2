import Foundation
import Testing
@testable import NeuralEngine

/// LeNet-5's loss and gradient against PyTorch (float64 reference) for fixed weights and
/// a fixed batch, produced once by `Scripts/make_lenet_fixture.py`.
@Suite("LeNet-5 against PyTorch")
struct LeNetFixtureTests {
    struct Metadata: Decodable {
        var parameterCount: Int
        var batchSize: Int
        var inputSize: Int
        var labels: [Int32]
        var loss: Double
        struct Block: Decodable { var name: String; var offset: Int; var shape: [Int] }
        var parameterBlocks: [Block]
    }

    func load() throws -> (Metadata, parameters: [Float], inputs: [Float], gradient: [Float]) {
        let json = try #require(Bundle.module.url(forResource: "lenet5_fixture", withExtension: "json",
                                                  subdirectory: "Fixtures"))
        let bin = try #require(Bundle.module.url(forResource: "lenet5_fixture", withExtension: "bin",
                                                 subdirectory: "Fixtures"))
        let meta = try JSONDecoder().decode(Metadata.self, from: Data(contentsOf: json))
        let data = try Data(contentsOf: bin)
        let floats: [Float] = data.withUnsafeBytes { raw in
            (0..<(raw.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
        let d = meta.parameterCount, n = meta.batchSize * meta.inputSize
        try #require(floats.count == 2 * d + n)
        return (meta, Array(floats[0..<d]), Array(floats[d..<(d + n)]), Array(floats[(d + n)...]))
    }

    @Test func parameterLayoutIsPyTorchs() throws {
        let (meta, _, _, _) = try load()
        let blocks = Model.lenet5().parameterBlocks
        #expect(blocks.map(\.name) == meta.parameterBlocks.map(\.name))
        #expect(blocks.map(\.offset) == meta.parameterBlocks.map(\.offset))
        #expect(blocks.map(\.shape) == meta.parameterBlocks.map(\.shape))
    }

    @Test(arguments: [(1, nil), (2, nil), (1, 1), (2, 3), (1, 64)] as [(Int, Int?)])
    func lossAndGradientMatchPyTorch(shardCount: Int, microBatchSize: Int?) throws {
        let (meta, parameters, inputs, expected) = try load()
        let model = Model.lenet5()
        #expect(model.parameterCount == meta.parameterCount)
        let workspace = Workspace(model: model, maxBatchSize: meta.batchSize, shardCount: shardCount,
                                  microBatchSize: microBatchSize)
        let (loss, gradient) = lossAndGradient(model, parameters: parameters, inputs: inputs, labels: meta.labels,
                                               batchSize: meta.batchSize, workspace: workspace)
        #expect(abs(Double(loss) - meta.loss) <= 1e-5 * abs(meta.loss))
        let scale = expected.map(abs).max() ?? 1
        // Per coordinate: relative 1e-4, with an absolute floor of 1e-4 of the largest entry.
        let worst = maxRelativeError(gradient, expected, floor: 1e-4 * scale)
        #expect(worst < 1e-3, "largest relative error \(worst)")
        var difference = 0.0, norm = 0.0
        for i in gradient.indices {
            difference += Double(gradient[i] - expected[i]) * Double(gradient[i] - expected[i])
            norm += Double(expected[i]) * Double(expected[i])
        }
        #expect((difference / norm).squareRoot() < 1e-5)  // measured 2.4e-7
    }
}
