import SeededRandom

extension Model {
    /// Parameters drawn as PyTorch initialises `nn.Conv2d` and `nn.Linear` by default:
    /// `kaiming_uniform_(a: √5)` for weights, which is U(−1/√fan_in, 1/√fan_in), and the
    /// same bound for biases (He et al. 2015; PyTorch `reset_parameters`).
    ///
    /// Draws come from `SeededGenerator(seed:)`, layer by layer, the weight then the bias,
    /// each value `−b + 2b·u` with `u = nextUnitDouble()` rounded to Float. The same seed
    /// gives the same bytes on every machine. (The values follow PyTorch's distribution,
    /// not its random stream.)
    /// - Complexity: O(parameterCount).
    public func initialParameters(seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        var parameters = [Float](repeating: 0, count: parameterCount)
        for (index, layer) in layers.enumerated() {
            guard let fanIn = layer.fanIn else { continue }
            let bound = 1 / Double(fanIn).squareRoot()
            let start = parameterOffsets[index]
            for i in start..<(start + layer.parameterCount) {
                parameters[i] = Float(-bound + 2 * bound * generator.nextUnitDouble())
            }
        }
        return parameters
    }
}
