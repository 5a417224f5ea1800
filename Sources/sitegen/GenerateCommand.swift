import ArgumentParser
import Foundation

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write realistic synthetic DMARC aggregate reports (deterministic for a seed).")

    @Option(name: .long, help: ArgumentHelp("The reports folder to write into.", valueName: "dir"))
    var out: String

    func run() throws {
        throw ValidationError("not wired yet")
    }
}
