extension Model {
    /// The convolutional network ByzFL's benchmark trains on MNIST (`cnn_mnist` in
    /// `byzfl/fed_framework/models.py`, LPD-EPFL/byzfl), for 1 × 28 × 28 images and 10
    /// classes, trained with softmax cross-entropy (ByzFL: `log_softmax` then `NLLLoss`, the
    /// same loss):
    ///
    /// conv 1→20 5×5 (no padding) → ReLU → max-pool 2 → conv 20→50 5×5 → ReLU → max-pool 2 →
    /// flatten (800) → dense 500 → ReLU → dense 10.
    ///
    /// 431,080 parameters (520 + 25,050 + 400,500 + 5,010), initialised as PyTorch
    /// initialises `nn.Conv2d` and `nn.Linear` (``initialParameters(seed:)``), which is what
    /// ByzFL leaves them at. Shapes: 20 × 24 × 24 → 20 × 12 × 12 → 50 × 8 × 8 → 50 × 4 × 4.
    public static func byzflCNN(classCount: Int = 10) -> Model {
        Model(
            inputShape: TensorShape(channels: 1, height: 28, width: 28),
            layers: [
                .conv2D(Conv2D(inputChannels: 1, outputChannels: 20, kernelSize: 5)),
                .relu,
                .maxPool2D(MaxPool2D(kernelSize: 2)),
                .conv2D(Conv2D(inputChannels: 20, outputChannels: 50, kernelSize: 5)),
                .relu,
                .maxPool2D(MaxPool2D(kernelSize: 2)),
                .flatten,
                .dense(Dense(inputSize: 800, outputSize: 500)),
                .relu,
                .dense(Dense(inputSize: 500, outputSize: classCount)),
            ],
            loss: .softmaxCrossEntropy)
    }
}
