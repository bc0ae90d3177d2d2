/// A hand-written parser for nested JSON arrays of numbers, producing a shape and flat
/// row-major values in one pass (O(n) time, no per-row allocation).
///
/// It accepts exactly JSON's number grammar plus the tokens Python's `json` module writes for
/// non-finite floats — bare `NaN`, `Infinity`, `-Infinity` — and the same three as quoted
/// strings. Numbers are rounded straight to the nearest `Float` (no detour through `Double`);
/// magnitudes beyond Float range become ±infinity.
///
/// Every array at a given depth must have the length of the first one there, and a depth
/// holds either only arrays or only numbers; the first violation is reported with its index
/// path (`row 3, column 1` for matrices) and its line and column in the text.
struct JSONArrayParser {
    private let bytes: UnsafeRawBufferPointer
    /// The rank the caller wants (2 for a matrix, 1 for a vector), or `nil` for any.
    private let expectedRank: Int?
    private var index = 0
    private var values: [Float] = []
    /// Per depth: the length every array there must have (from the first one completed), and
    /// where that first one is. The shape is `lengths` up to the first depth with no arrays.
    private var lengths: [Int?] = []
    private var firstPaths: [[Int]] = []
    /// Per depth: whether the values there are arrays (`true`), numbers (`false`), or unknown.
    private var holdsArrays: [Bool?] = []
    private var path: [Int] = []
    static let maxDepth = 32

    init(bytes: UnsafeRawBufferPointer, expectedRank: Int?) {
        self.bytes = bytes
        self.expectedRank = expectedRank
    }

    mutating func parse() throws(TensorFileError) -> LoadedArray {
        // An upper bound on the count of numbers, so `values` never regrows.
        values.reserveCapacity(bytes.reduce(1) { $0 &+ ($1 == UInt8(ascii: ",") ? 1 : 0) })
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }  // UTF-8 byte-order mark
        skipWhitespace()
        guard index < bytes.count else {
            throw TensorFileError(code: .empty, message: "the file holds no JSON value")
        }
        try element(depth: 0)
        skipWhitespace()
        guard index == bytes.count else {
            throw failure(.malformed, "unexpected \(found()) after the array")
        }
        let shape = lengths.prefix { $0 != nil }.map { $0 ?? 0 }
        if let expectedRank {
            guard shape.count == expectedRank || shape.contains(0) else {
                throw Shape.rankError(expected: expectedRank, shape: shape)
            }
            if let error = Shape.emptinessError(expectedRank: expectedRank, shape: shape) { throw error }
        }
        return LoadedArray(shape: shape, values: values)
    }

    // MARK: Grammar

    private mutating func element(depth: Int) throws(TensorFileError) {
        guard index < bytes.count else { throw endOfInput(expecting: "a number or '['") }
        let isArray = bytes[index] == UInt8(ascii: "[")
        // A non-number is malformed wherever it is; check that before the nesting.
        let start = index
        let value: Float = isArray ? 0 : try number()
        let end = index
        index = start
        while holdsArrays.count <= depth {
            holdsArrays.append(nil); lengths.append(nil); firstPaths.append([])
        }
        if let known = holdsArrays[depth], known != isArray {
            throw failure(.badShape, "expected \(known ? "an array" : "a number") at \(position()) like its neighbours, found \(found())")
        }
        holdsArrays[depth] = isArray
        if let expectedRank {
            if isArray && depth >= expectedRank {
                throw failure(.badShape, "expected \(Self.rankPhrase(expectedRank)), but \(position()) is an array (nested too deeply)")
            }
            if !isArray && depth < expectedRank {
                throw failure(.badShape, "expected \(Self.rankPhrase(expectedRank)), but \(position()) is a number, \(found())")
            }
        }
        if isArray {
            try array(depth: depth)
        } else {
            index = end
            values.append(value)
        }
    }

    private mutating func array(depth: Int) throws(TensorFileError) {
        guard depth < Self.maxDepth else {
            throw failure(.badShape, "arrays nested deeper than \(Self.maxDepth) levels")
        }
        index += 1  // "["
        skipWhitespace()
        var count = 0
        if index < bytes.count && bytes[index] == UInt8(ascii: "]") {
            index += 1
        } else {
            while true {
                path.append(count)
                try element(depth: depth + 1)
                path.removeLast()
                count += 1
                skipWhitespace()
                guard index < bytes.count else { throw endOfInput(expecting: "',' or ']'") }
                let b = bytes[index]
                index += 1
                if b == UInt8(ascii: "]") { break }
                guard b == UInt8(ascii: ",") else {
                    index -= 1
                    throw failure(.malformed, "expected ',' or ']' after \(position(path + [count - 1])), found \(found())")
                }
                skipWhitespace()
            }
        }
        if let expected = lengths[depth] {
            guard count == expected else {
                let noun = depth + 1 < holdsArrays.count && holdsArrays[depth + 1] == true ? "array" : "number"
                throw failure(.badShape,
                              "ragged rows: \(position()) has \(count) \(noun)\(count == 1 ? "" : "s") but \(position(firstPaths[depth])) has \(expected)",
                              at: index - 1)
            }
        } else {
            lengths[depth] = count
            firstPaths[depth] = path
        }
    }

    private mutating func number() throws(TensorFileError) -> Float {
        let start = index
        var isQuoted = false
        if bytes[index] == UInt8(ascii: "\"") {
            isQuoted = true
            index += 1
        }
        let tokenStart = index
        if index < bytes.count && bytes[index] == UInt8(ascii: "-") { index += 1 }
        if let special = matchWord() {
            if isQuoted {
                guard index < bytes.count && bytes[index] == UInt8(ascii: "\"") else {
                    index = start
                    throw failure(.malformed, "expected a number at \(position()), found \(found())")
                }
                index += 1
            }
            let negative = bytes[tokenStart] == UInt8(ascii: "-")
            switch special {
            case "Infinity": return negative ? -.infinity : .infinity
            case "NaN" where !negative: return .nan
            default: break
            }
        } else if !isQuoted && scanJSONNumber(from: tokenStart) {
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[tokenStart..<index]), as: UTF8.self)
            if let value = Float(text) { return value }
        }
        index = start
        let wanted = path.isEmpty ? "an array of numbers" : "a number at \(position())"
        throw failure(.malformed, "expected \(wanted), found \(found())")
    }

    /// Consumes `NaN` or `Infinity` if it starts at `index`.
    private mutating func matchWord() -> String? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "N") || bytes[index] == UInt8(ascii: "I") else { return nil }
        for word in ["NaN", "Infinity"] {
            let utf8 = Array(word.utf8)
            if bytes.count - index >= utf8.count && bytes[index..<index + utf8.count].elementsEqual(utf8) {
                let end = index + utf8.count
                if end < bytes.count && Self.isLetter(bytes[end]) { return nil }
                index = end
                return word
            }
        }
        return nil
    }

    /// Consumes `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`; `index` is past any `-`.
    private mutating func scanJSONNumber(from tokenStart: Int) -> Bool {
        func digits() -> Int {
            let s = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - s
        }
        let intStart = index
        let intDigits = digits()
        guard intDigits > 0, !(intDigits > 1 && bytes[intStart] == UInt8(ascii: "0")) else { return false }
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return false }
        }
        if index < bytes.count && (bytes[index] | 0x20) == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) { index += 1 }
            guard digits() > 0 else { return false }
        }
        // A number runs up to a delimiter; "1x" or "1.5.2" is one bad token, not a number and junk.
        return index == bytes.count || !(Self.isLetter(bytes[index]) || bytes[index] == UInt8(ascii: ".")
                                         || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]))
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    // MARK: Diagnostics (computed only when failing)

    private static func isLetter(_ b: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b | 0x20) || b == UInt8(ascii: "_")
    }

    private static func rankPhrase(_ rank: Int) -> String {
        switch rank {
        case 1: "a 1-D array of numbers"
        case 2: "a 2-D array (an array of equal-length arrays of numbers)"
        default: "a \(rank)-D array"
        }
    }

    /// `row 3, column 1` for matrices, `element 4` for vectors, `[1][2][0]` otherwise.
    private func position(_ path: [Int]? = nil) -> String {
        let path = path ?? self.path
        switch (expectedRank, path.count) {
        case (_, 0): return "the top level"
        case (2, 1): return "row \(path[0])"
        case (2, 2): return "row \(path[0]), column \(path[1])"
        case (1, 1): return "element \(path[0])"
        default: return path.map { "[\($0)]" }.joined()
        }
    }

    /// A short quote of the text at `index`.
    private func found() -> String {
        guard index < bytes.count else { return "the end of the file" }
        if bytes[index] == UInt8(ascii: "[") { return "an array" }
        var end = index
        while end < bytes.count && end - index < 20, !" \t\r\n,]".utf8.contains(bytes[end]) { end += 1 }
        if end == index { end += 1 }
        return "'" + String(decoding: UnsafeRawBufferPointer(rebasing: bytes[index..<end]), as: UTF8.self) + "'"
    }

    private func lineAndColumn(_ offset: Int) -> String {
        var line = 1, lineStart = 0
        for i in 0..<min(offset, bytes.count) where bytes[i] == 0x0A {
            line += 1
            lineStart = i + 1
        }
        return "line \(line), column \(offset - lineStart + 1)"
    }

    private func failure(_ code: TensorFileError.Code, _ message: String, at offset: Int? = nil) -> TensorFileError {
        TensorFileError(code: code, message: "\(message) (\(lineAndColumn(offset ?? index)))")
    }

    private func endOfInput(expecting: String) -> TensorFileError {
        TensorFileError(code: .truncated,
                        message: "the file ends inside the array at \(position()), expecting \(expecting) (\(lineAndColumn(index)))")
    }
}
