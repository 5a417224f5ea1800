/// One piece of a parsed template, before partials are linked.
indirect enum MustacheNode {
    case text(String)
    case variable(MustachePath)
    /// `{{{name}}}` or `{{&name}}`.
    case unescapedVariable(MustachePath)
    case section(MustachePath, [MustacheNode])
    case invertedSection(MustachePath, [MustacheNode])
    /// `{{>name}}` (no overrides) or `{{<name}}…{{/name}}` (the blocks it overrides).
    /// `indentation` is set for a partial alone on its line, and always for a parent.
    case partial(String, dynamic: Bool, indentation: String?, overrides: [String: [MustacheNode]]?)
    /// `{{$name}}default{{/name}}` where a block is used.
    case block(String, [MustacheNode], indentation: String)
    /// `{{$name}}…{{/name}}` directly inside a parent: the block's override.
    case blockDefinition(String, [MustacheNode])
    /// `{{% CONTENT_TYPE: HTML }}`, which changes nothing.
    case contentTypeHTML
}

/// A tag's name, split once: where the lookup starts, the field names, and the transforms
/// (`empty(name)`) applied to what it finds, innermost first.
struct MustachePath: Equatable {
    enum Start: Equatable {
        /// `.`, `.name`: the current value only.
        case current
        /// `name`: the first value down the context stack that has the first field.
        case stack
        /// `first()`: the position in the list being iterated.
        case listPosition
    }

    var start: Start
    var fields: [String]
    /// Applied last to first, as written from the inside out.
    var transforms: [String]

    init(_ name: String, transforms: [String]) {
        self.transforms = transforms
        if name == "." {
            start = .current
            fields = []
        } else if name.isEmpty, !transforms.isEmpty {
            start = .listPosition
            fields = []
        } else {
            fields = name.split(separator: ".").map(String.init)
            start = name.first == "." || fields.isEmpty ? .current : .stack
        }
    }
}
