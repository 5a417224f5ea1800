import Foundation
import SiteBuild
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Publish: rsync target over SSH", .timeLimit(.minutes(1)))
struct PublishRsyncTests {
    @Test func argumentsKeepValuesApartFromOptions() throws {
        let destination = RsyncDestination(host: "web1.example", path: "/srv/my site", user: "deploy", port: 2222)
        #expect(destination.remoteSpec == "deploy@web1.example:/srv/my site/")
        #expect(RsyncDestination(host: "::1", path: "site").remoteSpec == "[::1]:site/")
    }

    /// A throw-away sshd on 127.0.0.1 accepts a generated key; the first publish uploads the
    /// site, the second only what changed, and stale files go last. The host key is checked
    /// against a generated known_hosts file.
    @Test(.enabled(if: PublishTestTools.canRunSSHD, "needs root, /usr/sbin/sshd, ssh, ssh-keygen and rsync"))
    func secondRunSendsOnlyWhatChanged() throws {
        let sshd = try LoopbackSSHD()
        defer { sshd.stop() }
        let remote = sshd.folder.appendingPathComponent("remote/site")
        let workspace = try PublishWorkspace(publish: """
            target: rsync
            host: 127.0.0.1
            port: \(sshd.port)
            user: root
            identity_file: \(sshd.identity.path)
            known_hosts: \(sshd.knownHosts.path)
            path: \(remote.path)
            """)
        defer { workspace.remove() }

        let first = ["index.html": "<h1>v1</h1>", "contoso/index.html": "contoso", "assets/style.0123456789.css": "body{}", "old.txt": "old"]
        try workspace.build(first)
        let initial = try workspace.publish()
        #expect(initial.changes.added == first.keys.sorted())
        #expect(SiteTree.read(remote) == first)

        // Certificate challenges beside the site survive the deletion pass.
        try SiteTree.write([".well-known/acme-challenge/token": "challenge"], to: remote)
        var second = first
        second["index.html"] = "<h1>v2</h1>"
        second["new.txt"] = "new"
        second["old.txt"] = nil
        try workspace.build(second)

        let dryRun = try workspace.publish(dryRun: true)
        #expect(dryRun.changes.added == ["new.txt"] && dryRun.changes.updated == ["index.html"] && dryRun.changes.removed == ["old.txt"])
        #expect(SiteTree.read(remote)["index.html"] == "<h1>v1</h1>", "a dry run sends nothing")

        let update = try workspace.publish()
        #expect(update.changes.added == ["new.txt"])
        #expect(update.changes.updated == ["index.html"], "unchanged files (rewritten by the build) are not sent")
        #expect(update.changes.removed == ["old.txt"])
        #expect(update.changes.bytes == Int64("<h1>v2</h1>".utf8.count + "new".utf8.count))
        var expected = second
        expected[".well-known/acme-challenge/token"] = "challenge"
        #expect(SiteTree.read(remote) == expected)

        let again = try workspace.publish()
        #expect(again.changes.isEmpty)
    }

    @Test(.enabled(if: PublishTestTools.canRunSSHD, "needs root, /usr/sbin/sshd, ssh, ssh-keygen and rsync"))
    func anUnknownHostKeyIsRefused() throws {
        let sshd = try LoopbackSSHD()
        defer { sshd.stop() }
        try Data("[127.0.0.1]:\(sshd.port) ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n".utf8)
            .write(to: sshd.knownHosts)
        let workspace = try PublishWorkspace(publish: """
            target: rsync
            host: 127.0.0.1
            port: \(sshd.port)
            user: root
            identity_file: \(sshd.identity.path)
            known_hosts: \(sshd.knownHosts.path)
            path: \(sshd.folder.path)/remote
            """)
        defer { workspace.remove() }
        try workspace.build(["index.html": "x"])
        #expect {
            try workspace.publish()
        } throws: { "\($0)".contains("[publish rsync]") && "\($0)".contains("rsync exited with status") }
        #expect(!FileManager.default.fileExists(atPath: sshd.folder.appendingPathComponent("remote").path))
    }
}

/// An sshd on 127.0.0.1 with a generated host key that lets root in with one generated key.
final class LoopbackSSHD {
    let folder: URL
    let port: UInt16
    let identity: URL
    let knownHosts: URL
    private let process: SpawnedProcess

    init() throws {
        folder = try SiteTree.temporaryFolder("sshd")
        port = try LoopbackPort.free()
        identity = folder.appendingPathComponent("user_key")
        knownHosts = folder.appendingPathComponent("known_hosts")
        guard let keygen = PublishTestTools.path("ssh-keygen") else { throw ToolFailure(description: "no ssh-keygen") }
        for key in ["host_key", "user_key"] {
            let result = try runTool(keygen, ["-q", "-t", "ed25519", "-N", "", "-C", "sitegen-test", "-f", folder.appendingPathComponent(key).path])
            guard result.status == 0 else { throw ToolFailure(description: "ssh-keygen: \(result.output)") }
        }
        try FileManager.default.copyItem(at: folder.appendingPathComponent("user_key.pub"), to: folder.appendingPathComponent("authorized_keys"))
        let hostKey = try String(contentsOf: folder.appendingPathComponent("host_key.pub"), encoding: .utf8)
            .split(separator: " ").prefix(2).joined(separator: " ")
        try Data("[127.0.0.1]:\(port) \(hostKey)\n".utf8).write(to: knownHosts)
        let config = """
            ListenAddress 127.0.0.1
            Port \(port)
            HostKey \(folder.path)/host_key
            PidFile none
            AuthorizedKeysFile \(folder.path)/authorized_keys
            PermitRootLogin prohibit-password
            PubkeyAuthentication yes
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            StrictModes no
            UsePAM no
            AllowUsers root
            """
        try Data(config.utf8).write(to: folder.appendingPathComponent("sshd_config"))
        // sshd refuses to start without its privilege separation folder.
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)

        let log = folder.appendingPathComponent("sshd.log")
        process = try SpawnedProcess("/usr/sbin/sshd", ["-D", "-e", "-f", folder.appendingPathComponent("sshd_config").path], log: log)
        guard LoopbackPort.waitUntilOpen(port) else {
            stop()
            throw ToolFailure(description: "sshd did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
    }

    func stop() {
        process.kill()
        try? FileManager.default.removeItem(at: folder)
    }
}
