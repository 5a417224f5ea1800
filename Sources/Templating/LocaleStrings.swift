/// The words of one locale, looked up by dotted key (`kpi.messages`).
public struct LocaleStrings: Sendable, Hashable {
    public let locale: String
    public let values: [String: String]
    /// The keys the locale's own files define, without the English fallback.
    public let ownKeys: Set<String>

    /// Built once: every page of a site passes the same tree to its template.
    public let templateTree: TemplateValue

    public init(locale: String, values: [String: String], ownKeys: Set<String>? = nil) {
        self.locale = locale
        self.values = values
        self.ownKeys = ownKeys ?? Set(values.keys)
        templateTree = Self.tree(values)
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.locale == rhs.locale && lhs.values == rhs.values && lhs.ownKeys == rhs.ownKeys
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(locale)
        hasher.combine(values)
        hasher.combine(ownKeys)
    }

    /// The string for `key`, with `{name}` placeholders filled in; the key itself when missing
    /// so a gap is visible rather than blank.
    ///
    /// Placeholders are filled in one after the other, by name, each in the text the ones before
    /// left. ASCII text is searched byte by byte, which finds what Foundation's search finds
    /// (there is nothing to compose in ASCII); other text goes through Foundation.
    public func text(_ key: String, _ arguments: [String: String] = [:]) -> String {
        var value = values[key] ?? key
        for (name, replacement) in arguments.sorted(by: { $0.key < $1.key }) {
            let placeholder = "{\(name)}"
            if let replaced = PlaceholderASCII.replacing(placeholder, with: replacement, in: value) {
                value = replaced
            } else {
                value = value.replacingOccurrences(of: placeholder, with: replacement)
            }
        }
        return value
    }

    /// The strings as nested fields for templates: `{{t.kpi.messages}}`. A key that is both a
    /// word and the prefix of others (`a` and `a.b`) keeps the one that sorts last, as before.
    private static func tree(_ values: [String: String]) -> TemplateValue {
        var tree: [String: TemplateValue] = [:]
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            insert(value, at: key.split(separator: ".").map(String.init)[...], into: &tree)
        }
        return .object(tree)
    }

    private static func insert(_ value: String, at path: ArraySlice<String>, into tree: inout [String: TemplateValue]) {
        guard let head = path.first else { return }
        if path.count == 1 {
            tree[head] = .string(value)
        } else {
            var child: [String: TemplateValue] = [:]
            if case .object(let existing)? = tree[head] { child = existing }
            insert(value, at: path.dropFirst(), into: &child)
            tree[head] = .object(child)
        }
    }
}

/// Fills in a placeholder in ASCII text without Foundation's search, which bridges to NSString
/// for every call.
enum PlaceholderASCII {
    /// `text` with every occurrence of `placeholder`, left to right and not overlapping,
    /// replaced; nil when any of the three is not ASCII.
    static func replacing(_ placeholder: String, with replacement: String, in text: String) -> String? {
        let pattern = Array(placeholder.utf8), source = Array(text.utf8)
        guard !pattern.isEmpty, pattern.allSatisfy(\.isASCIIByte), source.allSatisfy(\.isASCIIByte),
              replacement.utf8.allSatisfy(\.isASCIIByte)
        else { return nil }
        guard source.count >= pattern.count else { return text }
        var output: [UInt8] = []
        output.reserveCapacity(source.count)
        var index = 0
        var found = false
        while index < source.count {
            if index + pattern.count <= source.count, source[index] == pattern[0],
               source[index..<index + pattern.count].elementsEqual(pattern) {
                output.append(contentsOf: replacement.utf8)
                index += pattern.count
                found = true
            } else {
                output.append(source[index])
                index += 1
            }
        }
        return found ? String(decoding: output, as: UTF8.self) : text
    }
}

extension UInt8 {
    fileprivate var isASCIIByte: Bool { self < 0x80 }
}
