import Foundation
import Testing
@testable import Datasets

@Suite struct IDXReadingTests {
    @Test(arguments: [true, false])
    func roundTripsImagesAndLabels(compressed: Bool) throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let tiny = TinyImages()
        try tiny.writeSplits(into: dir.path, compressed: compressed)
        let ext = compressed ? ".gz" : ""
        let data = try LabeledDataset(
            imagesAt: dir.file("train-images-idx3-ubyte" + ext),
            labelsAt: dir.file("train-labels-idx1-ubyte" + ext))
        #expect(data.count == tiny.count)
        #expect(data.featureCount == tiny.rows * tiny.columns)
        #expect(data.sampleShape == [1, tiny.rows, tiny.columns])
        #expect(data.classCount == 10)
        #expect(data.features == tiny.pixels.map { Float($0) / 255 })
        #expect(data.labels == tiny.labels.map { Int32($0) })
    }

    @Test func limitKeepsTheFirstExamples() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let tiny = TinyImages(count: 50)
        try tiny.writeSplits(into: dir.path)
        let full = try LabeledDataset(
            imagesAt: dir.file("t10k-images-idx3-ubyte.gz"), labelsAt: dir.file("t10k-labels-idx1-ubyte.gz"))
        let first = try LabeledDataset(
            imagesAt: dir.file("t10k-images-idx3-ubyte.gz"), labelsAt: dir.file("t10k-labels-idx1-ubyte.gz"),
            limit: 7)
        #expect(first.count == 7)
        #expect(first.features == Array(full.features.prefix(7 * full.featureCount)))
        #expect(first.labels == Array(full.labels.prefix(7)))
        let more = try LabeledDataset(
            imagesAt: dir.file("t10k-images-idx3-ubyte.gz"), labelsAt: dir.file("t10k-labels-idx1-ubyte.gz"),
            limit: 1_000)
        #expect(more.count == 50)
    }

    @Test func largeGzipGrowsItsBuffer() throws {
        // 200 KB of incompressible-ish bytes, with a gzip trailer that is right, and again
        // as two concatenated gzip members.
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        var state: UInt32 = 1
        let payload = (0..<200_000).map { _ -> UInt8 in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(state >> 24)
        }
        let idx = idxBytes(dimensions: [payload.count], payload: payload)
        try writeGzip(idx, to: dir.file("one.gz"))
        #expect(try IDXFile(contentsOf: dir.file("one.gz"), rank: 1).payload == payload)
        try writeGzip(Array(idx.prefix(100_000)), to: dir.file("a.gz"))
        try writeGzip(Array(idx.dropFirst(100_000)), to: dir.file("b.gz"))
        try writeRaw(try readRaw(dir.file("a.gz")) + readRaw(dir.file("b.gz")), to: dir.file("two.gz"))
        #expect(try IDXFile(contentsOf: dir.file("two.gz"), rank: 1).payload == payload)
    }

    // MARK: - Damaged files: each throws its code, naming the file

    private func expectError(
        _ code: DatasetError.Code, naming path: String, containing fragments: [String] = [],
        _ body: () throws -> Void
    ) throws {
        let error = try #require(captureError(body) as? DatasetError)
        #expect(error.code == code)
        #expect(error.path == path)
        #expect(error.message.contains(path))
        for fragment in fragments { #expect(error.message.contains(fragment), "\(error.message)") }
    }

    @Test(arguments: [0.5, 0.97])
    func truncatedGzipIsReported(keptFraction: Double) throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        try TinyImages(count: 40).writeSplits(into: dir.path)
        let path = dir.file("train-images-idx3-ubyte.gz")
        let bytes = try readRaw(path)
        try writeRaw(Array(bytes.prefix(Int(Double(bytes.count) * keptFraction))), to: path)
        try expectError(.truncatedCompressedData, naming: path, containing: ["truncated", "download it again"]) {
            _ = try LabeledDataset(imagesAt: path, labelsAt: dir.file("train-labels-idx1-ubyte.gz"))
        }
    }

    @Test func gzipWithBadChecksumIsCorrupt() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        try TinyImages().writeSplits(into: dir.path)
        let path = dir.file("train-labels-idx1-ubyte.gz")
        var bytes = try readRaw(path)
        bytes[bytes.count - 8] ^= 0xff  // CRC-32 in the trailer
        try writeRaw(bytes, to: path)
        try expectError(.corruptCompressedData, naming: path, containing: ["incorrect data check"]) {
            _ = try IDXFile(contentsOf: path, rank: 1)
        }
    }

    @Test func gzipWithBadHeaderIsCorrupt() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        try TinyImages().writeSplits(into: dir.path)
        let path = dir.file("train-images-idx3-ubyte.gz")
        var bytes = try readRaw(path)
        bytes[2] = 7  // compression method: only 8 (deflate) exists
        try writeRaw(bytes, to: path)
        try expectError(.corruptCompressedData, naming: path, containing: ["not a valid gzip file"]) {
            _ = try IDXFile(contentsOf: path, rank: 3)
        }
    }

    @Test(arguments: [true, false])
    func wrongMagicIsReported(compressed: Bool) throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        try TinyImages().writeSplits(into: dir.path, compressed: compressed)
        let ext = compressed ? ".gz" : ""
        // Images and labels swapped: each has the other's magic number.
        let labels = dir.file("train-labels-idx1-ubyte" + ext)
        try expectError(.badMagicNumber, naming: labels, containing: ["00 00 08 01", "expected 00 00 08 03"]) {
            _ = try LabeledDataset(imagesAt: labels, labelsAt: dir.file("train-images-idx3-ubyte" + ext))
        }
        // Not unsigned bytes (0x0d = float).
        let floats = dir.file("floats" + ext)
        let write = compressed ? writeGzip : writeRaw
        try write(idxBytes(type: 0x0d, dimensions: [2], payload: [0, 0, 0, 0, 0, 0, 0, 0]), floats)
        try expectError(.badMagicNumber, naming: floats) { _ = try IDXFile(contentsOf: floats, rank: 1) }
    }

    @Test(arguments: [true, false])
    func truncatedPayloadReportsExpectedAndActualBytes(compressed: Bool) throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let tiny = TinyImages(count: 5, rows: 4, columns: 4)
        let path = dir.file("images" + (compressed ? ".gz" : ""))
        let short = Array(tiny.imagesIDX.dropLast(16))  // header says 5 × 16, holds 4 × 16
        try (compressed ? writeGzip : writeRaw)(short, path)
        try expectError(.truncatedPayload, naming: path, containing: ["needs 80 bytes", "has 64"]) {
            _ = try IDXFile(contentsOf: path, rank: 3)
        }
        // With a limit the file is read only that far: 4 images are there, 5 are not.
        #expect(try IDXFile(contentsOf: path, rank: 3, limit: 4).dimensions == [4, 4, 4])
        try expectError(.truncatedPayload, naming: path) { _ = try IDXFile(contentsOf: path, rank: 3, limit: 5) }
        // Too long is wrong too.
        try (compressed ? writeGzip : writeRaw)(tiny.imagesIDX + [1, 2, 3], path)
        try expectError(.truncatedPayload, naming: path, containing: ["longer than its header says"]) {
            _ = try IDXFile(contentsOf: path, rank: 3)
        }
    }

    @Test func truncatedHeaderIsMalformed() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("labels")
        try writeRaw([0, 0, 8, 1, 0, 0], to: path)
        try expectError(.malformedHeader, naming: path) { _ = try IDXFile(contentsOf: path, rank: 1) }
        try writeRaw([0, 0], to: path)
        try expectError(.malformedHeader, naming: path) { _ = try IDXFile(contentsOf: path, rank: 1) }
    }

    @Test func countMismatchIsReported() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let images = TinyImages(count: 6), labels = TinyImages(count: 5)
        try writeGzip(images.imagesIDX, to: dir.file("i.gz"))
        try writeGzip(labels.labelsIDX, to: dir.file("l.gz"))
        try expectError(.countMismatch, naming: dir.file("l.gz"), containing: ["6 images", "5 labels", dir.file("i.gz")]) {
            _ = try LabeledDataset(imagesAt: dir.file("i.gz"), labelsAt: dir.file("l.gz"))
        }
        // Also when only a prefix is loaded: the headers still disagree.
        try expectError(.countMismatch, naming: dir.file("l.gz")) {
            _ = try LabeledDataset(imagesAt: dir.file("i.gz"), labelsAt: dir.file("l.gz"), limit: 2)
        }
    }

    @Test func labelOutOfRangeIsReported() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let tiny = TinyImages(count: 3)
        try writeGzip(tiny.imagesIDX, to: dir.file("i.gz"))
        try writeGzip(idxBytes(dimensions: [3], payload: [0, 10, 2]), to: dir.file("l.gz"))
        try expectError(.invalidLabel, naming: dir.file("l.gz"), containing: ["label 10 of example 1"]) {
            _ = try LabeledDataset(imagesAt: dir.file("i.gz"), labelsAt: dir.file("l.gz"))
        }
    }

    @Test func missingFileIsUnreadable() throws {
        let path = "/nonexistent/brsgd/train-images-idx3-ubyte.gz"
        try expectError(.unreadableFile, naming: path) { _ = try IDXFile(contentsOf: path, rank: 3) }
    }
}
