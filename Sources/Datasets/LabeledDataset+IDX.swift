extension LabeledDataset {
    /// Loads a split of FashionMNIST or MNIST, found by `locator`.
    ///
    /// ```swift
    /// let train = try LabeledDataset.load(.fashionMNIST, split: .train,
    ///                                     from: DatasetLocator(dataDirectory: dataDir))
    /// ```
    ///
    /// - Parameter limit: keep only the first `limit` examples (quick tests); a gzip file
    ///   is then inflated only that far.
    /// - Throws: `DatasetError`: `.datasetNotFound` (with where it looked and how to get
    ///   the data), or any error of `init(imagesAt:labelsAt:classCount:limit:)`.
    /// - Complexity: O(count × 784).
    public static func load(
        _ name: DatasetName, split: DatasetSplit, from locator: DatasetLocator = DatasetLocator(),
        limit: Int? = nil
    ) throws(DatasetError) -> LabeledDataset {
        let files = try locator.locate(name, split: split)
        return try LabeledDataset(
            imagesAt: files.images, labelsAt: files.labels, classCount: name.classCount, limit: limit)
    }

    /// Reads an IDX images file (`00 00 08 03`, count × rows × columns) and an IDX labels
    /// file (`00 00 08 01`, count), gzip-compressed or not. Pixels become Float in [0, 1]
    /// (value / 255); `sampleShape` is `[1, rows, columns]`.
    ///
    /// - Throws: `DatasetError`: any `IDXFile` error; `.countMismatch` when the two
    ///   headers disagree on the number of examples; `.invalidLabel` for a label outside
    ///   `0..<classCount`. Each message names the file.
    public init(
        imagesAt imagesPath: String, labelsAt labelsPath: String, classCount: Int = 10,
        limit: Int? = nil
    ) throws(DatasetError) {
        precondition(classCount > 0 && classCount <= Int(Int32.max), "classCount must be positive")
        let images = try IDXFile(contentsOf: imagesPath, rank: 3, limit: limit)
        let labels = try IDXFile(contentsOf: labelsPath, rank: 1, limit: limit)
        // Compare the counts the headers declare, not the (possibly limited) payloads.
        let imageCount = images.headerDimensions[0], labelCount = labels.headerDimensions[0]
        if imageCount != labelCount {
            throw DatasetError(
                code: .countMismatch,
                message: "\(imagesPath) holds \(imageCount) images but \(labelsPath) holds \(labelCount) labels; the two files must come from the same split of the same dataset.",
                path: labelsPath)
        }
        if let index = labels.payload.firstIndex(where: { Int($0) >= classCount }) {
            throw DatasetError(
                code: .invalidLabel,
                message: "\(labelsPath): label \(labels.payload[index]) of example \(index) is outside 0..<\(classCount).",
                path: labelsPath)
        }
        let pixels = images.payload
        var features = [Float](repeating: 0, count: pixels.count)
        features.withUnsafeMutableBufferPointer { out in
            pixels.withUnsafeBufferPointer { src in
                for i in 0..<src.count { out[i] = Float(src[i]) / 255 }
            }
        }
        let rows = images.dimensions[1], columns = images.dimensions[2]
        self.init(
            features: features, labels: labels.payload.map { Int32($0) },
            featureCount: rows * columns, classCount: classCount, sampleShape: [1, rows, columns])
    }
}
