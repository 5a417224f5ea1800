import Foundation

/// What a template reads: text, numbers, flags, sitegen's own HTML, lists and named fields.
///
/// Page models turn themselves into this tree (`TemplateRepresentable`) once per page, so a
/// template looks a name up with one switch and one hash instead of casting `Any` values.
public enum TemplateValue: Sendable {
    case string(String)
    case int(Int)
    case bool(Bool)
    /// The only value printed unescaped, by `{{{…}}}`.
    case html(SafeHTML)
    case list([TemplateValue])
    case object([String: TemplateValue])

    /// Named fields, with those of `optional` that hold a value: a field that is nil is left
    /// out, so a template's lookup of it goes on down the context stack.
    public static func object(_ fields: [String: TemplateValue], present optional: [String: TemplateValue?]) -> TemplateValue {
        var all = fields
        for (name, value) in optional {
            if let value { all[name] = value }
        }
        return .object(all)
    }

    public static func list<Element: TemplateRepresentable>(of elements: [Element]) -> TemplateValue {
        .list(elements.map(\.templateValue))
    }
}

/// A value that templates can read.
public protocol TemplateRepresentable {
    var templateValue: TemplateValue { get }
}

extension TemplateValue: TemplateRepresentable {
    public var templateValue: TemplateValue { self }
}

extension String: TemplateRepresentable {
    public var templateValue: TemplateValue { .string(self) }
}

extension Int: TemplateRepresentable {
    public var templateValue: TemplateValue { .int(self) }
}

extension Bool: TemplateRepresentable {
    public var templateValue: TemplateValue { .bool(self) }
}

extension SafeHTML: TemplateRepresentable {
    public var templateValue: TemplateValue { .html(self) }
}

extension Array: TemplateRepresentable where Element: TemplateRepresentable {
    public var templateValue: TemplateValue { .list(map(\.templateValue)) }
}

extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: TemplateValue...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        self = .object(Dictionary(elements) { _, last in last })
    }
}

extension TemplateValue {
    /// How swift-mustache printed a value that is not text (Swift's `description`): lists as
    /// `["a", "b"]`. Fields are listed sorted by name, where Swift's order was the hash order.
    var printed: String {
        switch self {
        case .string(let text): text
        case .int(let number): String(number)
        case .bool(let flag): flag ? "true" : "false"
        case .html(let html): html.html
        case .list(let elements): "[" + elements.map(\.debugPrinted).joined(separator: ", ") + "]"
        case .object(let fields):
            fields.isEmpty ? "[:]"
                : "[" + fields.sorted { $0.key < $1.key }.map { "\($0.key.debugDescription): \($0.value.debugPrinted)" }
                    .joined(separator: ", ") + "]"
        }
    }

    /// As an element of a printed list: text quoted and escaped as Swift's `debugDescription`.
    private var debugPrinted: String {
        if case .string(let text) = self { return text.debugDescription }
        return printed
    }
}

extension TemplateValue {
    /// The field a template names. `SafeHTML` has one, `html`: its markup (which swift-mustache
    /// found by reflection); text, numbers, flags and lists have none.
    func field(_ name: String) -> TemplateValue? {
        switch self {
        case .object(let fields): fields[name]
        case .html(let html): name == "html" ? .html(html) : nil
        default: nil
        }
    }

    /// swift-mustache's transforms (`{{#empty(list)}}`, `{{uppercased(name)}}`…); nil when the
    /// value has no transform of that name.
    func transform(_ name: String) -> TemplateValue? {
        switch self {
        case .string(let text):
            switch name {
            case "empty": .bool(text.isEmpty)
            case "capitalized": .string(text.capitalized)
            case "lowercased": .string(text.lowercased())
            case "uppercased": .string(text.uppercased())
            case "reversed": .string(String(text.reversed()))
            default: nil
            }
        case .int(let number):
            switch name {
            case "equalzero": .bool(number == 0)
            case "plusone": .int(number + 1)
            case "minusone": .int(number - 1)
            case "even": .bool(number & 1 == 0)
            case "odd": .bool(number & 1 == 1)
            default: nil
            }
        case .list(let elements):
            switch name {
            case "first": elements.first
            case "last": elements.last
            case "reversed": .list(elements.reversed())
            case "count": .int(elements.count)
            case "empty": .bool(elements.isEmpty)
            case "sorted": Self.sorted(elements)
            default: nil
            }
        case .object(let fields):
            switch name {
            case "count": .int(fields.count)
            case "empty": .bool(fields.isEmpty)
            case "enumerated", "sorted":
                .list(fields.sorted { $0.key < $1.key }.map { .object(["key": .string($0.key), "value": $0.value]) })
            default: nil
            }
        case .bool, .html:
            nil
        }
    }

    /// Lists of text or of numbers sort (they are `Comparable` in Swift); other lists do not.
    private static func sorted(_ elements: [TemplateValue]) -> TemplateValue? {
        var texts: [String] = []
        var numbers: [Int] = []
        for element in elements {
            switch element {
            case .string(let text): texts.append(text)
            case .int(let number): numbers.append(number)
            default: return nil
            }
        }
        if numbers.isEmpty { return .list(texts.sorted().map(TemplateValue.string)) }
        if texts.isEmpty { return .list(numbers.sorted().map(TemplateValue.int)) }
        return nil
    }
}
