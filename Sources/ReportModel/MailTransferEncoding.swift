/// Content-Transfer-Encoding decoders for MIME bodies (RFC 2045 §6), tolerant of what
/// real mailers send.
enum MailTransferEncoding: Equatable {
    case base64, quotedPrintable, identity

    /// Unknown encodings (`x-uuencode`, typos) are passed through as-is, like 7bit.
    init(headerValue: String?) {
        let token = headerValue.map(MailHeaderValue.leadingToken) ?? ""
        switch token {
        case "base64": self = .base64
        case "quoted-printable": self = .quotedPrintable
        default: self = .identity
        }
    }

    func decode(_ body: ArraySlice<UInt8>) throws(MailBase64.Failure) -> [UInt8] {
        switch self {
        case .base64: try MailBase64.decode(body)
        case .quotedPrintable: MailQuotedPrintable.decode(body)
        case .identity: Array(body)
        }
    }
}

enum MailBase64 {
    enum Failure: Error, Equatable, CustomStringConvertible {
        case unexpectedByte(UInt8, line: Int)
        case danglingCharacter

        var description: String {
            switch self {
            case .unexpectedByte(let byte, let line):
                let shown = (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(hex(byte))"
                return "unexpected \(shown) on line \(line)"
            case .danglingCharacter:
                return "it ends with a lone character that cannot form a byte"
            }
        }

        private func hex(_ byte: UInt8) -> String {
            let digits = Array("0123456789ABCDEF")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
        }
    }

    private static let invalid: UInt8 = 0xFF
    private static let table: [UInt8] = {
        var table = [UInt8](repeating: invalid, count: 256)
        for (value, byte) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(byte)] = UInt8(value)
        }
        return table
    }()

    /// Skips white space and line breaks anywhere and accepts missing padding. An `=` ends a
    /// quantum; data after it starts a new one, which decodes base64 chunks that a mailer
    /// concatenated, each with its own padding.
    static func decode(_ input: ArraySlice<UInt8>) throws(Failure) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count / 4 * 3 + 3)
        var accumulator: UInt32 = 0
        var pending = 0
        var line = 1
        // Unsafe buffers keep unoptimised (debug) builds fast on multi-megabyte bodies.
        let failure: Failure? = input.withUnsafeBufferPointer { source in
            table.withUnsafeBufferPointer { table in
                for byte in source {
                    let value = table[Int(byte)]
                    if value != invalid {
                        accumulator = accumulator << 6 | UInt32(value)
                        pending += 1
                        if pending == 4 {
                            output.append(UInt8(truncatingIfNeeded: accumulator >> 16))
                            output.append(UInt8(truncatingIfNeeded: accumulator >> 8))
                            output.append(UInt8(truncatingIfNeeded: accumulator))
                            accumulator = 0
                            pending = 0
                        }
                    } else if byte == 0x0A {
                        line += 1
                    } else if byte == UInt8(ascii: "=") {
                        if let failure = flush(&accumulator, &pending, into: &output) { return failure }
                    } else if !(byte == 0x0D || byte == 0x20 || byte == 0x09 || byte == 0x0B || byte == 0x0C) {
                        return .unexpectedByte(byte, line: line)
                    }
                }
                return flush(&accumulator, &pending, into: &output)
            }
        }
        if let failure { throw failure }
        return output
    }

    private static func flush(_ accumulator: inout UInt32, _ pending: inout Int, into output: inout [UInt8]) -> Failure? {
        switch pending {
        case 1: return .danglingCharacter
        case 2:
            output.append(UInt8(truncatingIfNeeded: accumulator >> 4))
        case 3:
            output.append(UInt8(truncatingIfNeeded: accumulator >> 10))
            output.append(UInt8(truncatingIfNeeded: accumulator >> 2))
        default: break
        }
        accumulator = 0
        pending = 0
        return nil
    }
}

enum MailQuotedPrintable {
    /// Decodes `=XX` escapes and soft line breaks; keeps line ends as they are (CRLF or LF).
    /// Trailing white space is dropped as RFC 2045 asks; a malformed `=` is kept literally.
    static func decode(_ input: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var lineStart = input.startIndex
        while lineStart < input.endIndex {
            let lineFeed = MailBytes.lineFeed(in: input, from: lineStart)
            let breakStart = lineFeed.map { $0 > lineStart && input[$0 - 1] == 0x0D ? $0 - 1 : $0 } ?? input.endIndex
            var contentEnd = breakStart
            while contentEnd > lineStart, input[contentEnd - 1] == 0x20 || input[contentEnd - 1] == 0x09 {
                contentEnd -= 1
            }
            let softBreak = contentEnd > lineStart && input[contentEnd - 1] == UInt8(ascii: "=")
            if softBreak { contentEnd -= 1 }
            decodeEscapes(input[lineStart..<contentEnd], into: &output)
            guard let lineFeed else { break }
            if !softBreak { output.append(contentsOf: input[breakStart...lineFeed]) }
            lineStart = lineFeed + 1
        }
        return output
    }

    static func decodeEscapes(_ line: ArraySlice<UInt8>, into output: inout [UInt8]) {
        var index = line.startIndex
        while index < line.endIndex {
            let byte = line[index]
            if byte == UInt8(ascii: "="), let high = hexValue(line, index + 1), let low = hexValue(line, index + 2) {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(byte)
                index += 1
            }
        }
    }

    /// The value of the hex digit at `index`, or nil outside the slice or for other bytes.
    static func hexValue(_ bytes: ArraySlice<UInt8>, _ index: Int) -> UInt8? {
        guard index < bytes.endIndex else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return bytes[index] - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return bytes[index] - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return bytes[index] - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}
