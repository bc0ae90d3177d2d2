extension Model {
    /// LeNet-5 as PyTorch users know it (after LeCun, Bottou, Bengio & Haffner 1998,
    /// "Gradient-based learning applied to document recognition"), for 1 × 28 × 28 images
    /// and 10 classes, trained with softmax cross-entropy:
    ///
    /// conv 1→6 5×5 pad 2 → ReLU → max-pool 2 → conv 6→16 5×5 → ReLU → max-pool 2 →
    /// flatten (400) → dense 120 → ReLU → dense 84 → ReLU → dense 10.
    ///
    /// 61,706 parameters. Departs from the 1998 network as PyTorch tutorials do: ReLU for
    /// the scaled tanh, max for average pooling, full C3 connections, no RBF output.
    public static func lenet5(classCount: Int = 10) -> Model {
        Model(
            inputShape: TensorShape(channels: 1, height: 28, width: 28),
            layers: [
                .conv2D(Conv2D(inputChannels: 1, outputChannels: 6, kernelSize: 5, padding: 2)),
                .relu,
                .maxPool2D(MaxPool2D(kernelSize: 2)),
                .conv2D(Conv2D(inputChannels: 6, outputChannels: 16, kernelSize: 5)),
                .relu,
                .maxPool2D(MaxPool2D(kernelSize: 2)),
                .flatten,
                .dense(Dense(inputSize: 400, outputSize: 120)),
                .relu,
                .dense(Dense(inputSize: 120, outputSize: 84)),
                .relu,
                .dense(Dense(inputSize: 84, outputSize: classCount)),
            ],
            loss: .softmaxCrossEntropy)
    }
}
