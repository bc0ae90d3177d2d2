/// The subset of Python literal syntax that `.npy` headers use: a dict of strings, bools,
/// ints, `None`, tuples and lists. Tolerant like `ast.literal_eval`: either quote style,
/// `(3,)`, `(2, 5)`, `()`, trailing commas, any spacing, Python 2 `3L` ints.
enum PythonLiteral: Equatable {
    case string(String)
    case bool(Bool)
    case int(Int)
    case none
    case tuple([PythonLiteral])
    case list([PythonLiteral])
    case dict([String: PythonLiteral])

    /// A parse failure: what was expected and the byte offset in the header text.
    struct ParseError: Error, Equatable {
        var message: String
        var offset: Int
    }

    /// Parses `text` as one literal followed only by whitespace.
    static func parse(_ text: [UInt8]) throws(ParseError) -> PythonLiteral {
        var parser = Parser(bytes: text)
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.index == text.count else { throw parser.failure("unexpected text after the literal") }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0
        static let maxDepth = 16

        func failure(_ message: String) -> ParseError { ParseError(message: message, offset: index) }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipSpace() {
            while let b = current, b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { index += 1 }
        }

        mutating func value(depth: Int) throws(ParseError) -> PythonLiteral {
            guard depth < Self.maxDepth else { throw failure("literal nested too deeply") }
            skipSpace()
            guard let b = current else { throw failure("unexpected end of header") }
            switch b {
            case UInt8(ascii: "{"): return try dict(depth: depth)
            case UInt8(ascii: "("):
                let (items, sawComma) = try sequence(close: UInt8(ascii: ")"), depth: depth)
                // `(3)` is just 3 in Python; `(3,)` and `()` are tuples.
                return items.count == 1 && !sawComma ? items[0] : .tuple(items)
            case UInt8(ascii: "["): return .list(try sequence(close: UInt8(ascii: "]"), depth: depth).items)
            case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .int(try int())
            default:
                let start = index
                while let c = current, Self.isIdentifier(c) { index += 1 }
                switch String(decoding: bytes[start..<index], as: UTF8.self) {
                case "True": return .bool(true)
                case "False": return .bool(false)
                case "None": return .none
                default:
                    index = start
                    throw failure("expected a value")
                }
            }
        }

        static func isIdentifier(_ c: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || c == UInt8(ascii: "_")
        }

        /// Items up to `close`, comma-separated, trailing comma allowed.
        mutating func sequence(close: UInt8, depth: Int) throws(ParseError) -> (items: [PythonLiteral], sawComma: Bool) {
            index += 1  // the opening bracket
            var items: [PythonLiteral] = []
            var sawComma = false
            while true {
                skipSpace()
                if current == close { index += 1; return (items, sawComma) }
                items.append(try value(depth: depth + 1))
                skipSpace()
                if current == UInt8(ascii: ",") { index += 1; sawComma = true; continue }
                if current == close { index += 1; return (items, sawComma) }
                throw failure("expected ',' or '\(Character(Unicode.Scalar(close)))'")
            }
        }

        mutating func dict(depth: Int) throws(ParseError) -> PythonLiteral {
            index += 1  // "{"
            var entries: [String: PythonLiteral] = [:]
            while true {
                skipSpace()
                if current == UInt8(ascii: "}") { index += 1; return .dict(entries) }
                guard case .string(let key) = try value(depth: depth + 1) else {
                    throw failure("expected a string key")
                }
                skipSpace()
                guard current == UInt8(ascii: ":") else { throw failure("expected ':' after key '\(key)'") }
                index += 1
                entries[key] = try value(depth: depth + 1)
                skipSpace()
                if current == UInt8(ascii: ",") { index += 1; continue }
                if current == UInt8(ascii: "}") { index += 1; return .dict(entries) }
                throw failure("expected ',' or '}'")
            }
        }

        mutating func string() throws(ParseError) -> String {
            let quote = bytes[index]
            index += 1
            var out: [UInt8] = []
            while let c = current {
                index += 1
                if c == quote { return String(decoding: out, as: UTF8.self) }
                if c == UInt8(ascii: "\\") {
                    guard let escaped = current else { break }
                    index += 1
                    out.append(escaped)  // \' \" \\ — the only escapes a dtype name needs
                } else {
                    out.append(c)
                }
            }
            throw failure("unterminated string")
        }

        mutating func int() throws(ParseError) -> Int {
            let start = index
            if current == UInt8(ascii: "-") || current == UInt8(ascii: "+") { index += 1 }
            let digitsStart = index
            while let c = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) { index += 1 }
            guard index > digitsStart else { throw failure("expected digits") }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            if current == UInt8(ascii: "L") || current == UInt8(ascii: "l") { index += 1 }  // Python 2 long
            guard let value = Int(text) else {
                index = start
                throw failure("integer \(text) is too large")
            }
            return value
        }
    }
}
