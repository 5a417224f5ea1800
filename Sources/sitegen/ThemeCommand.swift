import ArgumentParser
import Foundation
import Templating

struct ThemeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "theme",
        abstract: "Check a reseller theme folder, or start a new one.",
        subcommands: [ThemeCheckCommand.self, ThemeNewCommand.self])
}

struct ThemeCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a theme folder and the themes it extends.",
        discussion: """
            Reports, one line each with file and line: unknown keys, malformed colors, text and \
            link contrast below WCAG 2.2 AA (with the measured ratio), a logo or asset path \
            leaving the theme folder, templates or partials naming a missing partial or parent, \
            Mustache syntax errors, {{{…}}} on anything but sitegen's own HTML, stylesheets \
            loading from another host, and words missing from a locale. Exit status 1 when the \
            theme has errors (build refuses it), 0 otherwise; missing translations are warnings.
            """)

    @Argument(help: ArgumentHelp("The theme folder, or the name of a built-in theme.", valueName: "path"))
    var path: String

    @Option(name: .long, help: ArgumentHelp("The folder of built-in themes (default: found next to sitegen).", valueName: "dir"))
    var themes: String?

    func run() throws {
        guard let builtin = BuiltinThemes.locate(explicit: themes) else {
            FileHandle.standardError.write(Data("sitegen: cannot find the built-in themes; pass --themes DIR or set SITEGEN_THEMES\n".utf8))
            throw ExitCode(2)
        }
        let locator = ThemeLocator(builtinRoot: builtin)
        let current = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        do {
            let theme = try locator.resolve(path, relativeTo: current)
            for warning in theme.warnings { print("warning: \(Self.line(warning))") }
            let chain = theme.layers.map(\.name).joined(separator: " → ")
            print("ok: \(chain): \(theme.templateNames.filter { !$0.hasPrefix("base-") }.count) templates and partials, \(theme.assetPaths.count) assets, \(theme.warnings.count) warnings")
        } catch {
            for problem in error.problems { print("error: \(Self.line(problem))") }
            print("\(error.problems.count) problems: the theme is refused")
            throw ExitCode(1)
        }
    }

    static func line(_ problem: ThemeError) -> String {
        "\(problem.file)\(problem.line.map { ":\($0)" } ?? ""): \(problem.reason)"
    }
}

struct ThemeNewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Write a documented starter theme folder that extends the default theme.")

    @Argument(help: ArgumentHelp("The theme's name (also the folder name).", valueName: "name"))
    var name: String

    @Option(name: .long, help: ArgumentHelp("Where to create the folder (default: ./themes).", valueName: "dir"))
    var into: String = "themes"

    func validate() throws {
        guard !name.isEmpty, name.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_" }) else {
            throw ValidationError("the name may hold only letters, digits, '-' and '_'")
        }
    }

    func run() throws {
        let folder = URL(fileURLWithPath: into).appendingPathComponent(name)
        try ThemeStarter.write(name: name, to: folder)
        print("wrote \(folder.path); name it in sitegen.yml as `theme: \(into)/\(name)` and check it with `sitegen theme check \(folder.path)`")
    }
}
