/// A JSON value whose object members keep the order they were given in, so the same value
/// always gives the same text (`JSONSerialization` orders keys as its dictionary hashes them).
indirect enum JSONValue: Sendable, Hashable {
    case string(String)
    case integer(Int)
    case array([JSONValue])
    case object([JSONMember])
}

struct JSONMember: Sendable, Hashable {
    let key: String
    let value: JSONValue

    init(_ key: String, _ value: JSONValue) {
        self.key = key
        self.value = value
    }
}

/// Writes JSON text (RFC 8259): compact on one line, or indented by two spaces per level with
/// a final newline.
struct JSONTextWriter: Sendable {
    var indented = false

    func text(_ value: JSONValue) -> String {
        var out = ""
        write(value, depth: 0, to: &out)
        if indented { out += "\n" }
        return out
    }

    private func write(_ value: JSONValue, depth: Int, to out: inout String) {
        switch value {
        case .string(let string):
            Self.writeString(string, to: &out)
        case .integer(let number):
            out += String(number)
        case .array(let items):
            writeList(items, open: "[", close: "]", depth: depth, to: &out) { item, out in
                write(item, depth: depth + 1, to: &out)
            }
        case .object(let members):
            writeList(members, open: "{", close: "}", depth: depth, to: &out) { member, out in
                Self.writeString(member.key, to: &out)
                out += indented ? ": " : ":"
                write(member.value, depth: depth + 1, to: &out)
            }
        }
    }

    private func writeList<Item>(
        _ items: [Item], open: String, close: String, depth: Int, to out: inout String,
        _ writeItem: (Item, inout String) -> Void
    ) {
        out += open
        guard !items.isEmpty else {
            out += close
            return
        }
        for (index, item) in items.enumerated() {
            if index > 0 { out += "," }
            newline(depth + 1, &out)
            writeItem(item, &out)
        }
        newline(depth, &out)
        out += close
    }

    private func newline(_ depth: Int, _ out: inout String) {
        guard indented else { return }
        out += "\n" + String(repeating: "  ", count: depth)
    }

    /// Quotes, backslashes and control characters escaped; everything else as UTF-8.
    private static func writeString(_ string: String, to out: inout String) {
        out += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
