import Foundation
import Mustache
@testable import Templating

// swift-mustache, the engine sitegen rendered with before it compiled its own, is kept as the
// reference the differential tests render every template with.

extension SafeHTML: MustacheCustomRenderable {
    public var renderText: String { html }
    public var isNull: Bool { html.isEmpty }
}

/// Both engines side by side on the same templates.
struct MustacheReference {
    let texts: [String: String]

    /// A value as swift-mustache was given it: dictionaries, arrays (of text kept `[String]`,
    /// as the old snapshot kept them), text, numbers, flags and `SafeHTML`.
    static func reference(_ value: TemplateValue) -> Any {
        switch value {
        case .string(let text): return text
        case .int(let number): return number
        case .bool(let flag): return flag
        case .html(let html): return html
        case .list(let elements):
            let texts = elements.compactMap { element -> String? in
                if case .string(let text) = element { return text }
                return nil
            }
            if !elements.isEmpty, texts.count == elements.count { return texts }
            return elements.map(reference)
        case .object(let fields): return fields.mapValues(reference)
        }
    }

    /// What swift-mustache renders, or its syntax error as sitegen reports one.
    func referenceOutput(_ name: String, _ context: TemplateValue) -> Outcome {
        var library = MustacheLibrary()
        for (templateName, text) in texts.sorted(by: { $0.key < $1.key }) {
            do {
                library.register(try MustacheTemplate(string: text), named: templateName)
            } catch let error as MustacheTemplate.ParserError {
                return .syntaxError(templateName, line: error.context.lineNumber, column: error.context.columnNumber, "\(error.error)")
            } catch {
                return .syntaxError(templateName, line: 0, column: 0, "\(error)")
            }
        }
        guard let output = library.render(Self.reference(context), withTemplate: name) else { return .missing }
        return .rendered(output.bidiControlsMadeVisible)
    }

    /// What sitegen's engine renders, or its syntax error.
    func engineOutput(_ name: String, _ context: TemplateValue) -> Outcome {
        var parsed: [String: [MustacheNode]] = [:]
        for (templateName, text) in texts.sorted(by: { $0.key < $1.key }) {
            do {
                parsed[templateName] = try MustacheParser.parse(text)
            } catch {
                return .syntaxError(templateName, line: error.line, column: error.column, error.error.description)
            }
        }
        do {
            let output = try CompiledTemplates(parsed).render(name, context)
            return .rendered(String(decoding: BidiControls.madeVisible(in: output), as: UTF8.self))
        } catch {
            switch error {
            case .missing: return .missing
            case .nestedTooDeep: return .nestedTooDeep
            }
        }
    }

    enum Outcome: Equatable, CustomStringConvertible {
        case rendered(String)
        case syntaxError(String, line: Int, column: Int, String)
        case missing
        case nestedTooDeep

        var description: String {
            switch self {
            case .rendered(let text): "rendered \(text.debugDescription)"
            case .syntaxError(let name, let line, let column, let reason): "\(name):\(line):\(column) \(reason)"
            case .missing: "missing"
            case .nestedTooDeep: "nested too deep"
            }
        }
    }
}
