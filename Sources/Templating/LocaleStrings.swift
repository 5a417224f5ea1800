/// The words of one locale, looked up by dotted key (`kpi.messages`).
public struct LocaleStrings: Sendable, Hashable {
    public let locale: String
    public let values: [String: String]
    /// The keys the locale's own files define, without the English fallback.
    public let ownKeys: Set<String>

    /// Built once: every page of a site passes the same tree to its template.
    private let tree: TemplateTree

    public init(locale: String, values: [String: String], ownKeys: Set<String>? = nil) {
        self.locale = locale
        self.values = values
        self.ownKeys = ownKeys ?? Set(values.keys)
        tree = TemplateTree(values)
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
    public func text(_ key: String, _ arguments: [String: String] = [:]) -> String {
        var value = values[key] ?? key
        for (name, replacement) in arguments.sorted(by: { $0.key < $1.key }) {
            value = value.replacingOccurrences(of: "{\(name)}", with: replacement)
        }
        return value
    }

    /// Nested dictionaries for templates: `{{t.kpi.messages}}`.
    public var templateTree: [String: Any] { tree.root }
}

/// The strings as nested dictionaries. Never changed after `init`, so sharing it across
/// threads is safe although `[String: Any]` is not `Sendable`.
private final class TemplateTree: @unchecked Sendable {
    let root: [String: Any]

    init(_ values: [String: String]) {
        var tree: [String: Any] = [:]
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            Self.insert(value, at: key.split(separator: ".").map(String.init)[...], into: &tree)
        }
        root = tree
    }

    private static func insert(_ value: String, at path: ArraySlice<String>, into tree: inout [String: Any]) {
        guard let head = path.first else { return }
        if path.count == 1 {
            tree[head] = value
        } else {
            var child = tree[head] as? [String: Any] ?? [:]
            insert(value, at: path.dropFirst(), into: &child)
            tree[head] = child
        }
    }
}
