import Yams

/// A YAML document read into plain values, keeping the line of every key for error messages.
public indirect enum YAMLValue: Sendable, Hashable {
    case string(String, line: Int)
    case list([YAMLValue], line: Int)
    case map([YAMLEntry], line: Int)

    public var line: Int {
        switch self {
        case .string(_, let line), .list(_, let line), .map(_, let line): line
        }
    }

    public var string: String? {
        if case .string(let value, _) = self { return value }
        return nil
    }

    public var entries: [YAMLEntry]? {
        if case .map(let entries, _) = self { return entries }
        return nil
    }

    public var items: [YAMLValue]? {
        if case .list(let items, _) = self { return items }
        return nil
    }

    public subscript(key: String) -> YAMLValue? {
        entries?.first { $0.key == key }?.value
    }

    public var kindName: String {
        switch self {
        case .string: "a single value"
        case .list: "a list"
        case .map: "a mapping"
        }
    }

    /// Reads YAML text. An empty document is an empty mapping.
    public static func parse(_ text: String, file: String) throws(YAMLReadError) -> YAMLValue {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw YAMLReadError(file: file, line: Self.line(of: error), reason: "not valid YAML: \(error)")
        } catch {
            throw YAMLReadError(file: file, line: nil, reason: "not valid YAML: \(error)")
        }
        guard let node else { return .map([], line: 1) }
        return try convert(node, file: file)
    }

    private static func convert(_ node: Node, file: String) throws(YAMLReadError) -> YAMLValue {
        let line = (node.mark?.line ?? 0)
        switch node {
        case .scalar(let scalar):
            return .string(scalar.string, line: line)
        case .sequence(let sequence):
            var items: [YAMLValue] = []
            for item in sequence { items.append(try convert(item, file: file)) }
            return .list(items, line: line)
        case .mapping(let mapping):
            var entries: [YAMLEntry] = []
            for (key, value) in mapping {
                guard let name = key.scalar?.string else {
                    throw YAMLReadError(file: file, line: key.mark?.line, reason: "a key must be a plain word")
                }
                if entries.contains(where: { $0.key == name }) {
                    throw YAMLReadError(file: file, line: key.mark?.line, key: name, reason: "the key appears twice")
                }
                entries.append(YAMLEntry(key: name, keyLine: key.mark?.line ?? line, value: try convert(value, file: file)))
            }
            return .map(entries, line: line)
        case .alias:
            throw YAMLReadError(file: file, line: line, reason: "YAML aliases are not supported")
        }
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default:
            return nil
        }
    }
}

public struct YAMLEntry: Sendable, Hashable {
    public var key: String
    public var keyLine: Int
    public var value: YAMLValue
}

/// A problem in a YAML file: the file, the line and key where known, and why.
public struct YAMLReadError: Error, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var key: String?
    public var reason: String

    public init(file: String, line: Int?, key: String? = nil, reason: String) {
        self.file = file
        self.line = line
        self.key = key
        self.reason = reason
    }

    public var description: String {
        var place = file
        if let line { place += ":\(line)" }
        if let key { place += " (\(key))" }
        return "\(place): \(reason)"
    }
}
