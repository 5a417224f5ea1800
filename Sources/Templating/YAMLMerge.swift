extension YAMLValue {
    /// Deep merge: keys of `overlay` replace those of `self`; mappings merge key by key;
    /// lists and single values are replaced whole.
    public func merging(_ overlay: YAMLValue) -> YAMLValue {
        guard case .map(let baseEntries, _) = self, case .map(let overlayEntries, let line) = overlay else {
            return overlay
        }
        var merged = baseEntries
        for entry in overlayEntries {
            if let index = merged.firstIndex(where: { $0.key == entry.key }) {
                merged[index] = YAMLEntry(key: entry.key, keyLine: entry.keyLine,
                                          value: merged[index].value.merging(entry.value))
            } else {
                merged.append(entry)
            }
        }
        return .map(merged, line: line)
    }

    /// The leaves of a mapping as dotted keys: `kpi: {messages: …}` → `kpi.messages`.
    public func flattenedStrings(prefix: String = "") -> [String: String] {
        switch self {
        case .string(let value, _):
            return [prefix: value]
        case .list:
            return [:]
        case .map(let entries, _):
            var result: [String: String] = [:]
            for entry in entries {
                let key = prefix.isEmpty ? entry.key : prefix + "." + entry.key
                result.merge(entry.value.flattenedStrings(prefix: key)) { _, new in new }
            }
            return result
        }
    }
}
