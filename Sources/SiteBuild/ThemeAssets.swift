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

    init(theme: ResolvedTheme) throws(ThemeError) {
        for path in theme.assetPaths where path != Self.customStylesheetPath {
            var data = try theme.data(at: path)
            if path == Self.stylesheetPath {
                data = Data(theme.brand.cssCustomProperties.utf8) + data
                if theme.files[Self.customStylesheetPath] != nil {
                    data += Data("\n/* assets/custom.css */\n".utf8) + (try theme.data(at: Self.customStylesheetPath))
                }
            }
            let output = Fingerprint.fingerprintedPath(path, data: data)
            files[output] = data
            published[path] = output
        }
        guard published[Self.stylesheetPath] != nil else {
            throw ThemeError(file: theme.layers.first?.root.path ?? theme.name, reason: "\(Self.stylesheetPath) is missing from the theme and the themes it extends")
        }
    }

    var stylesheet: String { published[Self.stylesheetPath] ?? Self.stylesheetPath }
}
