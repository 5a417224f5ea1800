import Mustache

/// A page model turned into nested dictionaries and arrays, reflecting each value once.
///
/// swift-mustache looks a name up in a struct by reflecting the struct (a `Mirror` over all
/// of its fields) every time, at every level of the context stack it searches; in a
/// dictionary the same lookup is one hash. The snapshot renders the same: a missing key and a
/// `nil` field both let the lookup go on down the stack, arrays stay arrays (of snapshots),
/// and values the library treats specially (custom renderables such as `SafeHTML`,
/// dictionaries, strings, numbers, Booleans, enums) are kept as they are.
enum TemplateSnapshot {
    static func of(_ value: Any) -> Any {
        // Most values are plain text, numbers or flags, which stay as they are whatever the
        // checks below say; testing their type first skips three protocol lookups and a mirror.
        if value is String || value is Int || value is Bool { return value }
        // The busiest models list their fields themselves: no mirror of them or of each field.
        if let model = value as? TemplateFields { return model.templateFields.mapValues(of) }
        if value is MustacheCustomRenderable || value is MustacheParent || value is MustacheCustomRepresentation {
            return value
        }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .struct:
            var fields: [String: Any] = [:]
            for child in mirror.children {
                guard let label = child.label, let present = unwrapped(child.value) else { continue }
                fields[label] = of(present)
            }
            return fields
        case .collection:
            // Only arrays of structs change; arrays of plain values keep their type (and with
            // it transforms such as `sorted`).
            guard let elements = value as? [Any], let first = elements.first,
                  Mirror(reflecting: first).displayStyle == .struct, !(first is MustacheCustomRenderable)
            else { return value }
            return elements.map(of)
        default:
            return value
        }
    }

    /// The wrapped value of an optional (nil when empty); any other value as it is.
    private static func unwrapped(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        return mirror.children.first?.value
    }
}

/// A page model that lists its own fields for templates, so that its snapshot needs no
/// `Mirror`: what the snapshot would find, each stored property by its name, nil ones left out
/// (see `present`). Values are snapshotted in turn.
public protocol TemplateFields {
    var templateFields: [String: Any] { get }
}

extension Dictionary where Key == String, Value == Any {
    /// The fields with the optional ones that hold a value; the snapshot leaves out nil fields.
    public func present(_ optional: [String: Any?]) -> [String: Any] {
        var fields = self
        for (name, value) in optional {
            if let value { fields[name] = value }
        }
        return fields
    }
}
