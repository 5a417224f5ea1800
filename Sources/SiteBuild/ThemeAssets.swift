import Foundation
import Templating

/// A theme's assets under fingerprinted names, with the stylesheet carrying the brand tokens.
struct ThemeAssets {
    static let stylesheetPath = "assets/style.css"
    /// Optional reseller additions, appended to the stylesheet so a theme can adjust the look
    /// without copying the whole of style.css.
    static let customStylesheetPath = "assets/custom.css"

    /// Output path (relative to the reseller root) → bytes.
    var files: [String: Data] = [:]
    /// Theme path (`assets/logo.svg`) → output path (`assets/logo.1a2b3c4d5e.svg`).
    var published: [String: String] = [:]

    /// Fonts and images first, so the stylesheets can point at their fingerprinted names.
    init(theme: ResolvedTheme) throws(ThemeError) {
        let paths = theme.assetPaths.filter { $0 != Self.customStylesheetPath }
        for path in paths where !path.hasSuffix(".css") {
            publish(path, try theme.data(at: path))
        }
        for path in paths where path.hasSuffix(".css") {
            var css = String(decoding: try theme.data(at: path), as: UTF8.self)
            if path == Self.stylesheetPath {
                css = theme.brand.cssCustomProperties + css
                if theme.files[Self.customStylesheetPath] != nil {
                    css += "\n/* assets/custom.css */\n" + String(decoding: try theme.data(at: Self.customStylesheetPath), as: UTF8.self)
                }
            }
            publish(path, Data(CSSReferences.rewritingURLs(in: css, of: path, to: published).utf8))
        }
        guard published[Self.stylesheetPath] != nil else {
            throw ThemeError(file: theme.layers.first?.root.path ?? theme.name, reason: "\(Self.stylesheetPath) is missing from the theme and the themes it extends")
        }
    }

    private mutating func publish(_ path: String, _ data: Data) {
        let output = Fingerprint.fingerprintedPath(path, data: data)
        files[output] = data
        published[path] = output
    }

    var stylesheet: String { published[Self.stylesheetPath] ?? Self.stylesheetPath }
}
