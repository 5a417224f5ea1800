import Foundation

/// The `rsync` target: uploads the reseller root over SSH. Only files whose content changed are
/// sent (`--checksum`); new and changed files are put in place together at the end
/// (`--delay-updates`), and stale files are deleted only after that (`--delete-after`).
struct PublishRsync {
    let resellerID: String
    let destination: RsyncDestination
    let workspace: URL

    private var display: String { "rsync \(destination.remoteSpec)" }

    func publish(from source: URL, dryRun: Bool) throws(PublishError) -> PublishResult {
        // Refuses links and special files before anything is sent.
        let tree = try PublishTree.read(source, step: .source)
        for file in [destination.identityFile, destination.knownHosts].compactMap({ $0 }) {
            let url = PublishPaths.resolve(file, in: workspace)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw PublishError(step: .rsync, subject: url.path, reason: "the file named in publish: does not exist")
            }
        }
        guard let rsync = PublishProcess.locate("rsync") else {
            throw PublishError(step: .rsync, subject: display, reason: "rsync is not installed (Debian: apt-get install rsync openssh-client)")
        }
        let output: PublishProcess.Output
        do {
            output = try PublishProcess.run(rsync, arguments(source: source, dryRun: dryRun))
        } catch {
            throw PublishError(step: .rsync, subject: rsync.path, reason: "cannot start (\(error.localizedDescription))")
        }
        guard output.status == 0 else {
            let lines = output.standardError.split(separator: "\n").suffix(5).joined(separator: " / ")
            throw PublishError(step: .rsync, subject: display, reason: "rsync exited with status \(output.status): \(lines)")
        }
        var changes = Self.changes(itemized: output.standardOutput)
        changes.unchanged = max(0, tree.files.count - changes.added.count - changes.updated.count)
        return PublishResult(reseller: resellerID, destination: display, changes: changes, dryRun: dryRun)
    }

    func arguments(source: URL, dryRun: Bool) -> [String] {
        var arguments = [
            "--recursive", "--checksum", "--perms", "--chmod=D755,F644",
            "--delay-updates", "--delete-after", "--mkpath",
            // Certificates' ACME challenges live beside the site; never delete them.
            "--filter=P /.well-known/",
            "--timeout=120",
            "--out-format=%i %l %n",
            "-e", sshCommand,
        ]
        if dryRun { arguments.append("--dry-run") }
        arguments += [source.standardizedFileURL.path + "/", destination.remoteSpec]
        return arguments
    }

    /// The ssh command rsync runs. rsync splits it at spaces and honours double quotes, so a
    /// path with spaces is quoted whole (quotes themselves are refused when the config is read).
    var sshCommand: String {
        var words = ["ssh", "-oBatchMode=yes", "-oConnectTimeout=15"]
        if let port = destination.port { words += ["-p", String(port)] }
        if let identity = destination.identityFile {
            words += ["-i", PublishPaths.resolve(identity, in: workspace).path, "-oIdentitiesOnly=yes"]
        }
        if let knownHosts = destination.knownHosts {
            words += ["-oUserKnownHostsFile=" + PublishPaths.resolve(knownHosts, in: workspace).path, "-oStrictHostKeyChecking=yes"]
        }
        return words.map { $0.contains(" ") ? "\"\($0)\"" : $0 }.joined(separator: " ")
    }

    /// Reads `--out-format='%i %l %n'` lines: `<f+++++++++ 1234 path` (sent, new),
    /// `<f.st...... 1234 path` (sent, changed), `*deleting   0 path`. Folders are left out.
    static func changes(itemized: String) -> PublishChanges {
        var changes = PublishChanges()
        for line in itemized.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            guard parts.count == 2 else { continue }
            let flags = parts[0]
            let rest = parts[1].drop { $0 == " " }
            let sizeText = rest.prefix { $0.isNumber }
            let path = String(rest.dropFirst(sizeText.count + 1))
            guard !path.isEmpty, !path.hasSuffix("/") else { continue }
            let size = Int64(sizeText) ?? 0
            if flags == "*deleting" {
                changes.removed.append(path)
            } else if flags.count >= 2, flags.dropFirst().first == "f", flags.first == "<" || flags.first == ">" {
                if flags.dropFirst(2).allSatisfy({ $0 == "+" }) { changes.added.append(path) } else { changes.updated.append(path) }
                changes.bytes += size
            }
        }
        changes.added.sort()
        changes.updated.sort()
        changes.removed.sort()
        return changes
    }
}
