import ArgumentParser
import Foundation
import SiteBuild

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Preview the sites on this machine; rebuild when the workspace changes.",
        discussion: """
            Builds the workspace (as `sitegen build` does), serves the output folder at \
            http://127.0.0.1:PORT/ and checks every second whether sitegen.yml, a theme folder, a \
            report or a secret changed; then it builds again. When the build stops on a config or \
            theme error, every page shows the error lines until the next build works. Serves \
            only files below the output folder; hidden files (.htpasswd) never. Stop with Ctrl-C.
            """)

    @Option(name: .long, help: ArgumentHelp("The workspace folder holding sitegen.yml and reports/.", valueName: "dir"))
    var workspace: String

    @Option(name: .long, help: "The port to listen on (0: any free port).")
    var port: UInt16 = 8080

    @Option(name: .long, help: ArgumentHelp("The IPv4 address to listen on; other than 127.0.0.1 shows the reports to the network.", valueName: "address"))
    var host = "127.0.0.1"

    @Option(name: .long, help: ArgumentHelp("Where to write the sites (default: <workspace>/public).", valueName: "dir"))
    var out: String?

    @Option(name: .long, help: ArgumentHelp("The folder of built-in themes (default: found next to sitegen).", valueName: "dir"))
    var themes: String?

    func run() throws {
        guard let builtinThemes = BuiltinThemes.locate(explicit: themes) else {
            FileHandle.standardError.write(Data("sitegen: cannot find the built-in themes; pass --themes DIR or set SITEGEN_THEMES\n".utf8))
            throw ExitCode(2)
        }
        let options = BuildOptions(
            workspace: URL(fileURLWithPath: workspace).standardizedFileURL,
            output: out.map { URL(fileURLWithPath: $0).standardizedFileURL }, builtinThemes: builtinThemes)
        let session: PreviewSession
        do {
            session = try PreviewSession(options: options, host: host, port: port) { line in
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
        } catch {
            FileHandle.standardError.write(Data("sitegen: \(error.description)\n".utf8))
            throw ExitCode(2)
        }
        if !host.hasPrefix("127.") && host != "localhost" {
            FileHandle.standardError.write(Data("sitegen: warning: listening on \(host): anyone who reaches this machine can read the reports\n".utf8))
        }
        session.start()
        // Written at once, not buffered: scripts and tests read the address from it.
        FileHandle.standardOutput.write(Data("sitegen serve: http://\(session.server.host):\(session.server.port)/ (serving \(options.outputFolder.path); Ctrl-C stops)\n".utf8))
        session.rebuild()
        session.watch()
    }
}
