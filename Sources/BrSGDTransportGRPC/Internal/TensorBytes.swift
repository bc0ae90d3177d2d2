import Foundation

/// Tensors on the wire: packed little-endian IEEE-754 float32, 4 bytes a value, no header
/// (the receiver knows d). Bit patterns survive exactly, NaN payloads included.
enum TensorBytes {
    /// The values as 4·n bytes.
    /// - Complexity: O(n), one copy.
    static func pack(_ values: [Float]) -> Data {
        values.withUnsafeBufferPointer { pack($0) }
    }

    static func pack(_ values: UnsafeBufferPointer<Float>) -> Data {
        var data = Data(count: values.count * 4)
        data.withUnsafeMutableBytes { raw in
            #if _endian(little)
            raw.copyMemory(from: UnsafeRawBufferPointer(values))
            #else
            for (i, v) in values.enumerated() {
                raw.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: i * 4, as: UInt32.self)
            }
            #endif
        }
        return data
    }

    /// The values packed in `data`, or nil when its length is not a multiple of 4.
    /// - Complexity: O(n), one copy (the bytes need not be aligned).
    static func unpack(_ data: Data) -> [Float]? {
        guard data.count % 4 == 0 else { return nil }
        let n = data.count / 4
        return [Float](unsafeUninitializedCapacity: n) { buffer, count in
            data.withUnsafeBytes { raw in
                #if _endian(little)
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: raw)
                #else
                for i in 0 ..< n {
                    buffer[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
                }
                #endif
            }
            count = n
        }
    }
}
