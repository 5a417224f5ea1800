import ContentDigest
import Foundation

/// A theme with its `extends` chain applied: per-file overrides, merged brand tokens and
/// locale strings, and the Mustache templates compiled and ready to render.
public struct ResolvedTheme: Sendable {
    /// Top layer first.
    public let layers: [ThemeFolder]
    public let brand: BrandTokens
    /// Relative path → the file that wins (the highest layer that has it).
    public let files: [String: URL]
    private let templates: CompiledTemplates
    /// Template and partial names known to the library, `base-` variants included.
    public let templateNames: Set<String>
    /// The supported locales' strings, read while the theme was checked.
    private let checkedStrings: [String: LocaleStrings]

    public var name: String { layers.first?.name ?? "default" }

    /// A digest of every file of every layer (settings, templates, partials, assets, content,
    /// locales): it changes whenever anything that could change a page does.
    public func contentFingerprint() throws -> String {
        var hasher = SHA256()
        for layer in layers {
            var files = layer.files
            files[ThemeFolder.settingsFile] = layer.root.appendingPathComponent(ThemeFolder.settingsFile)
            for (path, url) in files.sorted(by: { $0.key < $1.key }) {
                hasher.update(Data("\u{0}\(layer.name)/\(path)\u{0}".utf8))
                hasher.update(try Data(contentsOf: url))
            }
        }
        return SHA256.hex(hasher.finalize())
    }
    private var settingsFile: String { (layers.first?.root.appendingPathComponent(ThemeFolder.settingsFile).path) ?? ThemeFolder.settingsFile }

    /// Problems that do not stop the theme: words a locale lacks (English is shown instead).
    public let warnings: [ThemeError]

    /// Layers the chain and runs every check; all errors are reported together.
    public init(chain: [ThemeFolder]) throws(ThemeCheckFailure) {
        layers = chain
        var files: [String: URL] = [:]
        for layer in chain.reversed() {
            files.merge(layer.files) { _, top in top }
        }
        self.files = files
        let file = chain.first.map { $0.root.appendingPathComponent(ThemeFolder.settingsFile).path } ?? ThemeFolder.settingsFile

        var problems = chain.flatMap { layer in
            BrandTokens.problems(in: layer.settings, file: layer.root.appendingPathComponent(ThemeFolder.settingsFile).path)
        }
        let settings = chain.reversed().reduce(YAMLValue.map([], line: 1)) { $0.merging($1.settings) }
        brand = BrandTokens(merged: settings)
        problems += brand.problems(file: file)
        for (key, path) in [("logo", brand.logo), ("logo_dark", brand.logoDark), ("favicon", brand.favicon)] {
            if let path, files[path] == nil {
                problems.append(ThemeError(file: file, reason: "\(key) \"\(path)\" is not a file in this theme or the themes it extends"))
            }
        }
        let (templates, templateErrors) = Self.compileTemplates(chain: chain)
        self.templates = templates
        let names = templates.names
        templateNames = names
        problems += templateErrors

        var english = LocaleStrings(locale: "en", values: [:])
        var others: [LocaleStrings] = []
        var checkedStrings: [String: LocaleStrings] = [:]
        for locale in ThemeChecks.supportedLocales {
            do {
                let strings = try Self.strings(for: locale, layers: chain)
                checkedStrings[locale] = strings
                if locale == "en" { english = strings } else { others.append(strings) }
            } catch {
                problems.append(error)
            }
        }
        self.checkedStrings = checkedStrings
        problems += ThemeChecks.templateProblems(files: files, templateNames: names, englishKeys: Set(english.values.keys))
        problems += ThemeChecks.stylesheetProblems(files: files)
        warnings = ThemeChecks.missingTranslations(english: english, others: others, file: file)
        guard problems.isEmpty else { throw ThemeCheckFailure(problems: problems) }
    }

    /// Registers every template and partial under its file name, and the version one layer
    /// below the winning one (or the only one) also as `base-<name>`; each file is parsed once.
    private static func compileTemplates(chain: [ThemeFolder]) -> (CompiledTemplates, [ThemeError]) {
        var versions: [String: [URL]] = [:]
        for layer in chain {
            for (path, url) in layer.files.sorted(by: { $0.key < $1.key }) {
                guard let name = templateName(path) else { continue }
                versions[name, default: []].append(url)
            }
        }
        var parsed: [URL: Result<[MustacheNode], ThemeError>] = [:]
        var registered: [String: [MustacheNode]] = [:]
        var problems: [ThemeError] = []
        for (name, urls) in versions.sorted(by: { $0.key < $1.key }) {
            for (registeredName, url) in [(name, urls[0]), ("base-" + name, urls.count > 1 ? urls[1] : urls[0])] {
                let result = parsed[url] ?? Result { () throws(ThemeError) in try parseTemplate(url) }
                parsed[url] = result
                switch result {
                case .success(let nodes): registered[registeredName] = nodes
                case .failure(let error): if registeredName == name || urls.count > 1 { problems.append(error) }
                }
            }
        }
        return (CompiledTemplates(registered), problems)
    }

    static func templateName(_ path: String) -> String? {
        for section in ["templates/", "partials/"] where path.hasPrefix(section) && path.hasSuffix(".mustache") {
            let name = path.dropFirst(section.count).dropLast(".mustache".count)
            return name.contains("/") ? nil : String(name)
        }
        return nil
    }

    static func parseTemplate(_ url: URL) throws(ThemeError) -> [MustacheNode] {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ThemeError(file: url.path, reason: "cannot read the template (\(error.localizedDescription))")
        }
        do {
            return try MustacheParser.parse(text)
        } catch {
            throw ThemeError(file: url.path, line: error.line,
                             reason: "Mustache syntax error at column \(error.column): \(error.error)")
        }
    }

    /// Renders a page template. A template that does not exist is an error, never an empty page.
    public func render(_ template: String, _ context: TemplateValue) throws(ThemeError) -> String {
        String(decoding: try renderBytes(template, context), as: UTF8.self)
    }

    /// The page as UTF-8 bytes, ready to write.
    public func renderData(_ template: String, _ context: TemplateValue) throws(ThemeError) -> Data {
        Data(try renderBytes(template, context))
    }

    private func renderBytes(_ template: String, _ context: TemplateValue) throws(ThemeError) -> [UInt8] {
        do {
            return BidiControls.madeVisible(in: try templates.render(template, context))
        } catch {
            switch error {
            case .missing:
                throw ThemeError(file: settingsFile, reason: "template \"\(template)\" is missing from templates/")
            case .nestedTooDeep:
                let name = template.hasPrefix("base-") ? String(template.dropFirst(5)) : template
                let file = files["templates/\(name).mustache"] ?? files["partials/\(name).mustache"]
                throw ThemeError(file: file?.path ?? settingsFile,
                                 reason: "template \"\(template)\" nests partials or blocks more than \(MustacheRendering.maximumDepth) deep; does a partial or block include itself?")
            }
        }
    }

    /// Markdown text from `content/<name>.md`, if any layer has it.
    public func content(named name: String, locale: String) -> String? {
        let candidates = ["content/\(name).\(locale).md", "content/\(name).md"]
        for path in candidates {
            if let url = files[path], let text = try? String(contentsOf: url, encoding: .utf8) { return text }
        }
        return nil
    }

    /// The locale's strings over English, each merged across the layers.
    public func strings(for locale: String) throws(ThemeError) -> LocaleStrings {
        if let checked = checkedStrings[locale] { return checked }
        return try Self.strings(for: locale, layers: layers)
    }

    private static func strings(for locale: String, layers: [ThemeFolder]) throws(ThemeError) -> LocaleStrings {
        var merged = YAMLValue.map([], line: 1)
        var own = YAMLValue.map([], line: 1)
        for code in locale == "en" ? ["en"] : ["en", locale] {
            for layer in layers.reversed() {
                guard let url = layer.files["locales/\(code).yml"] else { continue }
                let text: String
                do {
                    text = try String(contentsOf: url, encoding: .utf8)
                } catch {
                    throw ThemeError(file: url.path, reason: "cannot read the locale file (\(error.localizedDescription))")
                }
                let values: YAMLValue
                do {
                    values = try YAMLValue.parse(text, file: url.path)
                } catch {
                    throw ThemeError(file: url.path, line: error.line, reason: error.reason)
                }
                merged = merged.merging(values)
                if code == locale { own = own.merging(values) }
            }
        }
        return LocaleStrings(locale: locale, values: merged.flattenedStrings(), ownKeys: Set(own.flattenedStrings().keys))
    }

    /// Every file under `assets/`, by its path relative to the theme.
    public var assetPaths: [String] {
        files.keys.filter { $0.hasPrefix("assets/") }.sorted()
    }

    public func data(at path: String) throws(ThemeError) -> Data {
        guard let url = files[path] else { throw ThemeError(file: settingsFile, reason: "no file \(path) in the theme") }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw ThemeError(file: url.path, reason: "cannot read (\(error.localizedDescription))")
        }
    }
}
