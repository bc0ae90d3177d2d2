/// The image-classification datasets brsgd reads, both 28 × 28 grey-scale, 10 classes,
/// 60,000 training and 10,000 test images, in LeCun's IDX format
/// (http://yann.lecun.com/exdb/mnist/).
///
/// - `fashionMNIST`: Zalando's article images (Xiao, Rasul & Vollgraf, "Fashion-MNIST: a
///   Novel Image Dataset for Benchmarking Machine Learning Algorithms", 2017), the
///   dataset of the BrSGD paper's experiments.
/// - `mnist`: LeCun, Cortes & Burges' handwritten digits.
public enum DatasetName: String, CaseIterable, Sendable, Codable {
    case fashionMNIST = "fashion-mnist"
    case mnist = "mnist"

    /// The directory name used under a data directory, the system directory and the cache.
    public var directoryName: String { rawValue }

    /// A human-readable name.
    public var displayName: String {
        switch self {
        case .fashionMNIST: "FashionMNIST"
        case .mnist: "MNIST"
        }
    }

    /// The number of classes (10 for both).
    public var classCount: Int { 10 }

    /// The number of training examples (60,000 for both).
    public var trainingCount: Int { 60_000 }

    /// The number of test examples (10,000 for both).
    public var testCount: Int { 10_000 }

    /// The four file names of the dataset, gzip-compressed (the names they are
    /// distributed under); the same names without `.gz` are accepted too.
    public static func fileNames(for split: DatasetSplit) -> (images: String, labels: String) {
        ("\(split.filePrefix)-images-idx3-ubyte.gz", "\(split.filePrefix)-labels-idx1-ubyte.gz")
    }

    /// How to get the data, in sentences, naming the package or URL and the file names.
    func howToGet(into directory: String) -> String {
        let names = DatasetSplit.allCases.flatMap {
            let n = DatasetName.fileNames(for: $0)
            return [n.images, n.labels]
        }.joined(separator: ", ")
        switch self {
        case .fashionMNIST:
            return """
                To get FashionMNIST: on Debian or Ubuntu, `sudo apt-get install dataset-fashion-mnist` \
                (installs it in /usr/share/datasets/fashion-mnist); or download the four files \
                \(names) from https://github.com/zalandoresearch/fashion-mnist (data/fashion) \
                into \(directory), or into any directory given with --data-dir or \
                \(DatasetLocator.environmentVariable).
                """
        case .mnist:
            return """
                To get MNIST: download the four files \(names) from http://yann.lecun.com/exdb/mnist/ \
                (mirror: https://ossci-datasets.s3.amazonaws.com/mnist/) into \(directory), or into \
                any directory given with --data-dir or \(DatasetLocator.environmentVariable).
                """
        }
    }
}

/// The training or the test split of a dataset.
public enum DatasetSplit: String, CaseIterable, Sendable {
    /// 60,000 examples (`train-*` files).
    case train
    /// 10,000 examples (`t10k-*` files).
    case test

    /// The prefix of the split's file names: `train` or `t10k`.
    public var filePrefix: String {
        switch self {
        case .train: "train"
        case .test: "t10k"
        }
    }
}
