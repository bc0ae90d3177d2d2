import SeededRandom

/// Data poisoning: the worker trains on reversed labels and sends the gradient it gets,
/// honestly computed.
///
/// Rule: labels y → (classes − 1) − y (9 − y on FashionMNIST) through
/// ``labelTransform(classCount:)``, applied by the worker to its batch before it computes
/// its gradient; ``craft(into:context:generator:)`` then sends that gradient unchanged.
/// No parameters. Knowledge: the worker's own gradient (on the flipped labels).
///
/// From Li et al., "Efficient Byzantine-Resilient SGD" (BrSGD), §5.1 ("Label Shift";
/// "Label Inverse" in Table 1: every training label y replaced with 9 − y).
public struct LabelFlipAttack: Attack {
    public init() {}

    public var name: String { "label-flip" }
    public var knowledge: AttackKnowledge { .ownGradient }

    /// y → (classCount − 1) − y.
    /// - Precondition: `classCount >= 1`.
    public func labelTransform(classCount: Int) -> LabelTransform? {
        .reversal(classCount: classCount)
    }

    /// Copies the own gradient (nothing to do when it is `output` itself).
    /// - Precondition: `context.ownGradient` has d values.
    /// - Complexity: O(d).
    public func craft(
        into output: UnsafeMutableBufferPointer<Float>, context: AttackContext,
        generator: inout SeededGenerator
    ) {
        let own = context.requireOwnGradient(count: output.count, attack: "label-flip")
        guard let source = own.baseAddress, let destination = output.baseAddress,
              source != UnsafePointer(destination) else { return }
        destination.update(from: source, count: output.count)
    }
}
