import CCmarkGFM
import Foundation

/// Renders Markdown to HTML with cmark-gfm and its GitHub extensions, in safe mode: raw HTML
/// and `javascript:` links are dropped by cmark itself, so the result can be trusted.
public struct MarkdownRenderer: Sendable {
    /// Registering the core extensions is not thread-safe; a `static let` runs it exactly once.
    private static let extensionsRegistered: Bool = {
        cmark_gfm_core_extensions_ensure_registered()
        return true
    }()

    private static let extensionNames = ["table", "strikethrough", "autolink", "tagfilter", "tasklist"]

    public init() {}

    public func render(_ markdown: String) -> SafeHTML {
        _ = Self.extensionsRegistered
        // Never CMARK_OPT_UNSAFE: that would pass raw HTML from theme texts through.
        let options = CMARK_OPT_DEFAULT | CMARK_OPT_SMART | CMARK_OPT_VALIDATE_UTF8
        guard let parser = cmark_parser_new(options) else { return SafeHTML.escaping(markdown) }
        defer { cmark_parser_free(parser) }
        for name in Self.extensionNames {
            if let syntaxExtension = cmark_find_syntax_extension(name) {
                cmark_parser_attach_syntax_extension(parser, syntaxExtension)
            }
        }
        markdown.withCString { text in
            cmark_parser_feed(parser, text, strlen(text))
        }
        guard let document = cmark_parser_finish(parser) else { return SafeHTML.escaping(markdown) }
        defer { cmark_node_free(document) }
        guard let rendered = cmark_render_html(document, options, cmark_parser_get_syntax_extensions(parser))
        else { return SafeHTML.escaping(markdown) }
        defer { free(rendered) }
        return SafeHTML(producedBySitegen: String(cString: rendered))
    }
}
