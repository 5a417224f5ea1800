import ArgumentParser
import Foundation

@main
struct Sitegen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sitegen",
        abstract: "Turn DMARC aggregate reports into one branded static report site per client.",
        discussion: """
            sitegen reads a workspace: sitegen.yml (resellers → clients → domains), a reports/ folder \
            of DMARC aggregate reports (XML, .xml.gz, .zip, any nesting) and reseller theme folders. \
            It writes one static site per reseller under public/<reseller>/ with a folder per client.
            """,
        subcommands: [BuildCommand.self, IngestCommand.self, PublishCommand.self, ServeCommand.self, ThemeCommand.self, GenerateCommand.self, BenchCommand.self])
}
