/// The rectified linear unit, `y = max(0, x)`, elementwise; `∂x = ∂y · [y > 0]`.
/// - Complexity: O(n) forward and backward.
struct ReLU: Sendable, Hashable {
    init() {}

    /// Values per vector step. Values in the steps compute as `x < 0 ? 0 : x` forward
    /// (−0 and NaN pass) and `y ≤ 0 ? 0 : ∂y` backward (NaN passes ∂y); the last
    /// `count % laneCount` go through the scalar tail, `max(x, 0)` and `y > 0 ? ∂y : 0`,
    /// which differ only there.
    static let laneCount = SIMD8<Float>.scalarCount

    /// Whether every one of `count` values goes through the vector steps, so that a fused
    /// kernel computing the steps' rule gives this layer's bytes.
    /// - Complexity: O(1).
    static func computesInLanesOnly(count: Int) -> Bool { count % laneCount == 0 }

    func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i &+ 8 <= count {
            let x = UnsafeRawPointer(input + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(output + i).storeBytes(of: x.replacing(with: 0, where: x .< 0), as: SIMD8<Float>.self)
            i &+= 8
        }
        while i < count {
            output[i] = max(input[i], 0)
            i &+= 1
        }
    }

    func backward(
        output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>, count: Int
    ) {
        var i = 0
        while i &+ 8 <= count {
            let y = UnsafeRawPointer(output + i).loadUnaligned(as: SIMD8<Float>.self)
            let dy = UnsafeRawPointer(outputGradient + i).loadUnaligned(as: SIMD8<Float>.self)
            let dx = dy.replacing(with: 0, where: y .<= 0)
            UnsafeMutableRawPointer(inputGradient + i).storeBytes(of: dx, as: SIMD8<Float>.self)
            i &+= 8
        }
        while i < count {
            inputGradient[i] = output[i] > 0 ? outputGradient[i] : 0
            i &+= 1
        }
    }
}

/// The hyperbolic tangent, `y = tanh(x)` (``engineTanh(_:)``), elementwise; `∂x = ∂y · (1 − y²)`.
/// - Complexity: O(n) forward and backward.
struct Tanh: Sendable, Hashable {
    init() {}

    func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { output[i] = engineTanh(input[i]) }
    }

    func backward(
        output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>, count: Int
    ) {
        for i in 0..<count { inputGradient[i] = outputGradient[i] * (1 - output[i] * output[i]) }
    }
}

/// Flattens each sample's `C × H × W` maps into one vector of `C·H·W` features in
/// PyTorch's order (c, h, w), turning a channel-major batch (`[C·H·W][B]`) into a
/// batch-major one (`[B][C·H·W]`).
/// - Complexity: O(B · C · H · W) forward and backward (a transpose).
struct Flatten: Sendable, Hashable {
    init() {}

    /// A flat vector of `input.count` features.
    func outputShape(for input: TensorShape) -> TensorShape { TensorShape(flat: input.count) }
}
