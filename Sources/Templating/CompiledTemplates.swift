/// The templates and partials of one theme, parsed once and linked: every partial and parent
/// a template names is found when the theme loads, not while a page renders.
struct CompiledTemplates: Sendable {
    private let bodies: [CompiledBody]
    private let indexByName: [String: Int]

    /// `templates`: each registered name (`month`, `base-month`, `header`…) with its parsed text.
    init(_ templates: [String: [MustacheNode]]) {
        let names = templates.keys.sorted()
        var indexByName: [String: Int] = [:]
        for (index, name) in names.enumerated() { indexByName[name] = index }
        self.indexByName = indexByName
        bodies = names.map { CompiledBody(templates[$0] ?? [], linkingTo: indexByName) }
    }

    var names: Set<String> { Set(indexByName.keys) }

    enum Failure: Error {
        case missing
        /// Partials and blocks nested deeper than `MustacheRendering.maximumDepth`: a partial
        /// or block that includes itself (swift-mustache ran out of stack).
        case nestedTooDeep
    }

    /// The page as UTF-8.
    func render(_ name: String, _ context: TemplateValue) throws(Failure) -> [UInt8] {
        guard let index = indexByName[name] else { throw .missing }
        var rendering = MustacheRendering(templates: self, root: context)
        rendering.render(bodies[index], MustacheRendering.Frame(), nil)
        guard !rendering.tooDeep else { throw .nestedTooDeep }
        return rendering.output
    }

    fileprivate func body(_ index: Int) -> CompiledBody { bodies[index] }
    fileprivate func index(of name: String) -> Int? { indexByName[name] }
}

/// A template, a section's content or a block, ready to render.
final class CompiledBody: Sendable {
    let steps: [Step]

    enum Step: Sendable {
        case text([UInt8])
        case variable(MustachePath, escaped: Bool)
        case section(MustachePath, CompiledBody, inverted: Bool)
        /// The template's index (nil: no such template, which renders nothing).
        case partial(Int?, indentation: [UInt8]?, overrides: [String: CompiledBody]?)
        /// `{{>*name}}`: the partial named by the value of `name`.
        case dynamicPartial(MustachePath, indentation: [UInt8]?, overrides: [String: CompiledBody]?)
        case block(String, CompiledBody, indentation: [UInt8])
    }

    init(_ nodes: [MustacheNode], linkingTo indexByName: [String: Int]) {
        func link(_ nodes: [MustacheNode]) -> CompiledBody { CompiledBody(nodes, linkingTo: indexByName) }
        steps = nodes.compactMap { node -> Step? in
            switch node {
            case .text(let text): return .text(Array(text.utf8))
            case .variable(let path): return .variable(path, escaped: true)
            case .unescapedVariable(let path): return .variable(path, escaped: false)
            case .section(let path, let body): return .section(path, link(body), inverted: false)
            case .invertedSection(let path, let body): return .section(path, link(body), inverted: true)
            case .partial(let name, let dynamic, let indentation, let overrides):
                let bytes = indentation.map { Array($0.utf8) }
                let linked = overrides?.mapValues(link)
                return dynamic ? .dynamicPartial(MustachePath(name, transforms: []), indentation: bytes, overrides: linked)
                    : .partial(indexByName[name], indentation: bytes, overrides: linked)
            case .block(let name, let body, let indentation): return .block(name, link(body), indentation: Array(indentation.utf8))
            case .blockDefinition, .contentTypeHTML: return nil
            }
        }
    }
}

/// One page being rendered: the output bytes and the context stack.
///
/// Renders as swift-mustache does, with two deliberate differences: `{{{…}}}` prints only
/// `SafeHTML` unescaped (any other value is escaped as with `{{…}}`), and the five HTML
/// characters are escaped wherever they occur, also when a combining mark follows them (which
/// swift-mustache, comparing whole grapheme clusters, left as they were).
struct MustacheRendering {
    struct Frame {
        /// Written before each line a partial or block starts, when it stands alone on its line.
        var indentation: [UInt8]?
        /// The blocks the parents being rendered override; the outermost parent's win.
        var overrides: [String: CompiledBody]?
    }

    /// Where an element is in the list being iterated, for `first()`, `last()`, `index()`…
    struct ListPosition {
        var index: Int
        var count: Int
    }

    /// Far more partials and blocks inside each other than a page needs.
    static let maximumDepth = 200

    let templates: CompiledTemplates
    var output: [UInt8] = []
    private var stack: [TemplateValue]
    private var depth = 0
    private(set) var tooDeep = false

    init(templates: CompiledTemplates, root: TemplateValue) {
        self.templates = templates
        stack = [root]
        output.reserveCapacity(64 * 1024)
    }

    mutating func render(_ body: CompiledBody, _ frame: Frame, _ position: ListPosition?) {
        guard let indentation = frame.indentation, !indentation.isEmpty else {
            for step in body.steps { render(step, frame, position) }
            return
        }
        let start = output.count
        for step in body.steps {
            let mark = output.count
            render(step, frame, position)
            if output.count > mark, endsWithLineFeed(from: start, to: mark) {
                output.insert(contentsOf: indentation, at: mark)
            }
        }
    }

    /// Whether the text written from `start` to `end` ends with a line break that is `\n`
    /// alone (a `\r\n` is one character in Swift, and not `\n`).
    private func endsWithLineFeed(from start: Int, to end: Int) -> Bool {
        guard end > start, output[end - 1] == UInt8(ascii: "\n") else { return false }
        return end - 2 < start || output[end - 2] != UInt8(ascii: "\r")
    }

    private mutating func render(_ step: CompiledBody.Step, _ frame: Frame, _ position: ListPosition?) {
        switch step {
        case .text(let bytes):
            output.append(contentsOf: bytes)
        case .variable(let path, let escaped):
            guard let value = lookUp(path, position) else { return }
            switch value {
            case .html(let html) where !escaped: output.append(contentsOf: html.html.utf8)
            case .html(let html): appendEscaped(html.html)
            case .string(let text): appendEscaped(text)
            default: appendEscaped(value.printed)
            }
        case .section(let path, let body, let inverted):
            let value = lookUp(path, position)
            if inverted {
                renderInverted(body, value, frame, position)
            } else {
                renderSection(body, value, frame, position)
            }
        case .partial(let index, let indentation, let overrides):
            guard let index else { return }
            renderNested(templates.body(index), partialFrame(frame, indentation, overrides))
        case .dynamicPartial(let path, let indentation, let overrides):
            guard case .string(let name)? = lookUp(path, position), let index = templates.index(of: name) else { return }
            renderNested(templates.body(index), partialFrame(frame, indentation, overrides))
        case .block(let name, let body, let indentation):
            let chosen = frame.overrides?[name] ?? body
            renderNested(chosen, Frame(indentation: (frame.indentation ?? []) + indentation, overrides: frame.overrides))
        }
    }

    /// A partial or block; one nested too deep stops the page instead of the process.
    private mutating func renderNested(_ body: CompiledBody, _ frame: Frame) {
        guard depth < Self.maximumDepth, !tooDeep else {
            tooDeep = true
            return
        }
        depth += 1
        render(body, frame, nil)
        depth -= 1
    }

    private func partialFrame(_ frame: Frame, _ indentation: [UInt8]?, _ overrides: [String: CompiledBody]?) -> Frame {
        var inner = frame
        if let indentation { inner.indentation = (frame.indentation ?? []) + indentation }
        if let overrides {
            inner.overrides = frame.overrides.map { $0.merging(overrides) { outer, _ in outer } } ?? overrides
        }
        return inner
    }

    /// A list renders once per element, `true` once in the same context, an empty `SafeHTML`
    /// or a missing value not at all, anything else (text, numbers, fields, even `""` and `0`)
    /// once with that value on top of the stack.
    private mutating func renderSection(_ body: CompiledBody, _ value: TemplateValue?, _ frame: Frame, _ position: ListPosition?) {
        switch value {
        case nil, .bool(false):
            return
        case .bool(true):
            render(body, frame, position)
        case .html(let html) where html.html.isEmpty:
            return
        case .list(let elements):
            for (index, element) in elements.enumerated() {
                stack.append(element)
                render(body, frame, ListPosition(index: index, count: elements.count))
                stack.removeLast()
            }
        case let value?:
            stack.append(value)
            render(body, frame, nil)
            stack.removeLast()
        }
    }

    /// The reverse of `renderSection`; an empty list is on top of the stack while it renders.
    private mutating func renderInverted(_ body: CompiledBody, _ value: TemplateValue?, _ frame: Frame, _ position: ListPosition?) {
        switch value {
        case nil, .bool(false):
            render(body, frame, position)
        case .html(let html) where html.html.isEmpty:
            render(body, frame, position)
        case .list(let elements) where elements.isEmpty:
            stack.append(.list(elements))
            render(body, frame, nil)
            stack.removeLast()
        default:
            return
        }
    }

    // MARK: Looking names up

    private func lookUp(_ path: MustachePath, _ position: ListPosition?) -> TemplateValue? {
        var value: TemplateValue
        var transforms = path.transforms[...]
        switch path.start {
        case .current:
            guard let top = stack.last, let found = Self.follow(path.fields[...], from: top) else { return nil }
            value = found
        case .stack:
            guard let first = path.fields.first, let found = firstOnStack(first) else { return nil }
            guard let rest = Self.follow(path.fields.dropFirst(), from: found) else { return nil }
            value = rest
        case .listPosition:
            guard let position, let innermost = transforms.popLast(), let found = position.transform(innermost) else { return nil }
            value = found
        }
        for transform in transforms.reversed() {
            guard let transformed = value.transform(transform) else { return nil }
            value = transformed
        }
        return value
    }

    private func firstOnStack(_ name: String) -> TemplateValue? {
        var index = stack.count
        while index > 0 {
            index -= 1
            if let found = stack[index].field(name) { return found }
        }
        return nil
    }

    private static func follow(_ fields: ArraySlice<String>, from start: TemplateValue) -> TemplateValue? {
        var value = start
        for name in fields {
            guard let next = value.field(name) else { return nil }
            value = next
        }
        return value
    }

    // MARK: Escaping

    /// `&`, `<`, `>`, `"` and `'` as entities; they are ASCII, so they are found byte by byte.
    private mutating func appendEscaped(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var runStart = 0
            for index in bytes.indices {
                let entity: StaticString
                switch bytes[index] {
                case UInt8(ascii: "&"): entity = "&amp;"
                case UInt8(ascii: "<"): entity = "&lt;"
                case UInt8(ascii: ">"): entity = "&gt;"
                case UInt8(ascii: "\""): entity = "&quot;"
                case UInt8(ascii: "'"): entity = "&#39;"
                default: continue
                }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                entity.withUTF8Buffer { output.append(contentsOf: $0) }
                runStart = index + 1
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
    }
}

extension MustacheRendering.ListPosition {
    func transform(_ name: String) -> TemplateValue? {
        switch name {
        case "first": .bool(index == 0)
        case "last": .bool(index == count - 1)
        case "index": .int(index)
        case "even": .bool(index & 1 == 0)
        case "odd": .bool(index & 1 == 1)
        default: nil
        }
    }
}
