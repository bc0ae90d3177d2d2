/// The training objective applied to a model's outputs, averaged over the batch.
public enum Loss: Sendable, Hashable {
    /// Softmax cross-entropy on logits against class labels, as PyTorch's
    /// `nn.CrossEntropyLoss`: `ℓ = log Σ_k exp(z_k) − z_y`; `∂z = softmax(z) − onehot(y)`.
    case softmaxCrossEntropy
    /// Half the squared error against real-valued targets: `ℓ = ½ ‖y − t‖²`; `∂y = y − t`.
    ///
    /// Departs from PyTorch's `nn.MSELoss` (mean of `(y − t)²` over every element) by
    /// the factor ½ and by summing over outputs, the usual least-squares objective.
    case squaredError

    /// Whether the targets are class labels (`true`) or real values.
    public var takesLabels: Bool { self == .softmaxCrossEntropy }
}

/// The targets of a batch: class labels for `.softmaxCrossEntropy`, or `outputCount`
/// real values per sample (row-major) for `.squaredError`.
public enum Targets {
    case labels(UnsafeBufferPointer<Int32>)
    case values(UnsafeBufferPointer<Float>)
}

/// Σ_b ℓ(z_b, y_b) for softmax cross-entropy over `batchSize × classCount` logits, and
/// `gradient = scale · (softmax(z) − onehot(y))` (overwritten).
///
/// Per sample, in this order: the peak logit; the partition Σ_k e^(z_k − peak), added in
/// order of k; ℓ = ln(partition) + peak − z_y; ∂z_k = e^(z_k − peak) · (scale / partition),
/// then − scale at the label. `exp` and `ln` are the engine's own (``engineExp(_:)``,
/// ``engineLog(_:)``), so the bits do not depend on the C library.
/// - Precondition: every label is in `0..<classCount`.
/// - Complexity: O(B · K).
func softmaxCrossEntropy(
    logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>, batchSize: Int, classCount: Int,
    scale: Float, gradient: UnsafeMutablePointer<Float>?
) -> Double {
    var total = 0.0
    for b in 0..<batchSize {
        let z = logits + b * classCount
        let label = Int(labels[b])
        precondition(label >= 0 && label < classCount, "label \(label) outside 0..<\(classCount)")
        var peak = z[0]
        for k in 1..<max(classCount, 1) where z[k] > peak { peak = z[k] }
        var partition: Float = 0
        for k in 0..<classCount { partition += engineExp(z[k] - peak) }
        total += Double(engineLog(partition) + peak - z[label])
        if let gradient {
            let g = gradient + b * classCount
            let inverse = scale / partition
            for k in 0..<classCount { g[k] = engineExp(z[k] - peak) * inverse }
            g[label] -= scale
        }
    }
    return total
}

/// Σ_b ½ ‖y_b − t_b‖² over `batchSize × outputCount` outputs, and
/// `gradient = scale · (y − t)` (overwritten).
/// - Complexity: O(B · K).
func squaredError(
    outputs: UnsafePointer<Float>, targets: UnsafePointer<Float>, count: Int,
    scale: Float, gradient: UnsafeMutablePointer<Float>?
) -> Double {
    var total = 0.0
    for i in 0..<count {
        let residual = outputs[i] - targets[i]
        total += 0.5 * Double(residual) * Double(residual)
        gradient?[i] = scale * residual
    }
    return total
}
