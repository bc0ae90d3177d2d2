/// Stochastic gradient descent with optional momentum and weight decay, as PyTorch's
/// `torch.optim.SGD` (dampening 0, no Nesterov):
///
/// `g ← ∇ + λ·θ`;  `v ← μ·v + g` (v starts at 0, so the first v is g);  `θ ← θ − η·v`.
///
/// With μ = 0 this is plain `θ ← θ − η(∇ + λθ)` and keeps no state.
/// (Robbins & Monro 1951; momentum: Polyak 1964, Sutskever et al. 2013.)
public struct SGD: Sendable {
    /// η, the step size.
    public var learningRate: Float
    /// μ ∈ [0, 1): the weight of the previous step.
    public let momentum: Float
    /// λ ≥ 0: the L2 penalty's coefficient.
    public let weightDecay: Float
    /// The momentum buffer v, allocated at the first step when μ > 0.
    public private(set) var velocity: [Float] = []

    /// An optimiser with these hyperparameters.
    /// - Precondition: `learningRate > 0`, `0 ≤ momentum < 1`, `weightDecay ≥ 0`.
    public init(learningRate: Float, momentum: Float = 0, weightDecay: Float = 0) {
        precondition(learningRate > 0, "learning rate must be positive")
        precondition(momentum >= 0 && momentum < 1, "momentum must be in [0, 1)")
        precondition(weightDecay >= 0, "weight decay must be non-negative")
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
    }

    /// An optimiser resumed from a checkpoint: the hyperparameters and the momentum buffer
    /// `velocity` as ``velocity`` held it (empty before the first step, or with μ = 0).
    /// - Precondition: as ``init(learningRate:momentum:weightDecay:)``.
    public init(learningRate: Float, momentum: Float, weightDecay: Float, velocity: [Float]) {
        self.init(learningRate: learningRate, momentum: momentum, weightDecay: weightDecay)
        self.velocity = velocity
    }

    /// One update of `parameters` along `gradient`.
    /// - Precondition: equal lengths; the same length at every step.
    /// - Complexity: O(d); allocates only at the first step with momentum.
    public mutating func step(parameters: UnsafeMutableBufferPointer<Float>, gradient: UnsafeBufferPointer<Float>) {
        precondition(parameters.count == gradient.count, "parameters and gradient differ in length")
        let count = parameters.count
        guard let p = parameters.baseAddress, let g = gradient.baseAddress else { return }
        let eta = learningRate, lambda = weightDecay, mu = momentum
        if mu == 0 {
            sgdStep(p, g, count: count, learningRate: eta, weightDecay: lambda)
            return
        }
        if velocity.isEmpty { velocity = [Float](repeating: 0, count: count) }
        precondition(velocity.count == count, "the parameter count changed between steps")
        velocity.withUnsafeMutableBufferPointer { v in
            guard let v = v.baseAddress else { return }
            momentumStep(p, g, v, count: count, learningRate: eta, momentum: mu, weightDecay: lambda)
        }
    }

    /// One update of `parameters` along `gradient` (array convenience).
    public mutating func step(parameters: inout [Float], gradient: [Float]) {
        parameters.withUnsafeMutableBufferPointer { p in
            gradient.withUnsafeBufferPointer { g in step(parameters: p, gradient: g) }
        }
    }
}

/// `θ ← θ − η(∇ + λθ)`.
func sgdStep(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, count: Int, learningRate: Float, weightDecay: Float) {
    for i in 0..<count { p[i] -= learningRate * (g[i] + weightDecay * p[i]) }
}

/// `v ← μv + ∇ + λθ`, `θ ← θ − ηv`.
func momentumStep(
    _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ v: UnsafeMutablePointer<Float>,
    count: Int, learningRate: Float, momentum: Float, weightDecay: Float
) {
    for i in 0..<count {
        v[i] = momentum * v[i] + (g[i] + weightDecay * p[i])
        p[i] -= learningRate * v[i]
    }
}
