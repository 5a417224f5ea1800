import ArgumentParser
import Foundation
import SiteBuild

struct PublishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Send each reseller's built site to its web host (the publish: target in sitegen.yml).",
        discussion: """
            Publishes what `sitegen build` wrote last (it never builds): run build first. Targets: \
            dir (a local folder, swapped in with one rename; the replaced version is kept in \
            <path>.previous), rsync (over SSH; only changed files are sent, stale files are \
            deleted after the new ones are in place) and archive (a reproducible .tar.gz or .zip). \
            Each target lists the files added (+), updated (~) and removed (-). \
            Exit status: 0 when every reseller was published; 1 when some could not be (the \
            others still are); 2 for bad usage, a bad sitegen.yml or a missing build.
            """)

    @Option(name: .long, help: ArgumentHelp("The workspace folder holding sitegen.yml.", valueName: "dir"))
    var workspace: String

    @Option(name: .long, help: ArgumentHelp("Only this reseller (default: every reseller with a publish: target).", valueName: "id"))
    var reseller: String?

    @Option(name: .long, help: ArgumentHelp("The folder build wrote to (default: <workspace>/public).", valueName: "dir"))
    var from: String?

    @Flag(name: .long, help: "Show what would change; change nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Put back the version a dir target replaced last (again: undo the rollback).")
    var rollback = false

    func run() throws {
        let publisher = Publisher(options: PublishOptions(
            workspace: URL(fileURLWithPath: workspace).standardizedFileURL,
            siteFolder: from.map { URL(fileURLWithPath: $0).standardizedFileURL },
            reseller: reseller, dryRun: dryRun, rollback: rollback))
        let jobs: [PublishJob]
        do {
            jobs = try publisher.plan()
        } catch {
            FileHandle.standardError.write(Data("sitegen: \(error.description)\n".utf8))
            throw ExitCode(2)
        }
        var failed = 0
        for job in jobs {
            do {
                print(PublishReport(result: try publisher.run(job), rollback: rollback).text)
            } catch {
                failed += 1
                FileHandle.standardError.write(Data("sitegen: \(error.description)\n".utf8))
            }
        }
        if failed > 0 { throw ExitCode(1) }
    }
}

/// What one reseller's publish printed: a line per changed file, then the totals.
struct PublishReport {
    let result: PublishResult
    let rollback: Bool

    var text: String {
        let changes = result.changes
        let verb = rollback ? "rollback" : "publish"
        var lines = ["sitegen \(verb) \(result.reseller) → \(result.destination)\(result.dryRun ? " (dry run: nothing changed)" : "")"]
        lines += changes.added.map { "  + \($0)" }
        lines += changes.updated.map { "  ~ \($0)" }
        lines += changes.removed.map { "  - \($0)" }
        let bytes = Self.grouped(changes.bytes)
        lines.append("  \(changes.added.count) added, \(changes.updated.count) updated, \(changes.removed.count) removed, \(changes.unchanged) unchanged; \(bytes) bytes in added and updated files")
        lines += result.notes.map { "  \($0)" }
        return lines.joined(separator: "\n")
    }

    /// 1234567 → "1,234,567".
    static func grouped(_ number: Int64) -> String {
        var digits = String(number.magnitude)
        var groups: [String] = []
        while digits.count > 3 {
            groups.insert(String(digits.suffix(3)), at: 0)
            digits.removeLast(3)
        }
        groups.insert(digits, at: 0)
        return (number < 0 ? "-" : "") + groups.joined(separator: ",")
    }
}
