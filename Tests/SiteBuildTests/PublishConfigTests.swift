import Foundation
import SiteBuild
import Testing

@Suite("Publish: the publish, host_config and basic_auth keys of sitegen.yml")
struct PublishConfigTests {
    /// A reseller whose `publish:` value is on line 4.
    static func config(publish: String, extra: String = "") -> String {
        """
        resellers:
          - id: acme-it
            base_url: https://reports.acme-it.example/
            publish: \(publish)
        \(extra.isEmpty ? "" : "    " + extra + "\n")    clients:
              - id: contoso
                domains: [contoso.example]
        """
    }

    static func read(_ text: String) throws -> WorkspaceConfig {
        try WorkspaceConfigReader().parse(text, file: "sitegen.yml")
    }

    @Test func readsEachTarget() throws {
        #expect(try Self.read(Self.config(publish: "{target: dir, path: /var/www/acme}")).resellers[0].publish == .directory(path: "/var/www/acme"))
        #expect(try Self.read(Self.config(publish: "{target: archive, path: dist/acme.tgz}")).resellers[0].publish
                == .archive(path: "dist/acme.tgz", format: .tarGzip))
        let rsync = try Self.read(Self.config(publish: """
            {target: rsync, host: web1.acme.example, user: deploy, port: 2222, path: /srv/reports, identity_file: secrets/deploy_ed25519, known_hosts: secrets/known_hosts}
            """)).resellers[0].publish
        #expect(rsync == .rsync(RsyncDestination(
            host: "web1.acme.example", path: "/srv/reports", user: "deploy", port: 2222,
            identityFile: "secrets/deploy_ed25519", knownHosts: "secrets/known_hosts")))
        let hosts = try Self.read(Self.config(publish: "{target: dir, path: www}", extra: "host_config: [nginx, netlify]"))
        #expect(hosts.resellers[0].hostConfig == [.nginx, .netlify])
    }

    @Test(arguments: [
        ("{target: rsync, host: -oProxyCommand=evil, path: /srv}", "resellers[0].publish.host", "starts with '-'"),
        ("{target: rsync, host: web1, path: --delete}", "resellers[0].publish.path", "starts with '-'"),
        ("{target: rsync, host: 'web 1', path: /srv}", "resellers[0].publish.host", "not a host name"),
        ("{target: rsync, host: web1, user: -l, path: /srv}", "resellers[0].publish.user", "starts with '-'"),
        ("{target: rsync, host: web1, path: /srv, port: 70000}", "resellers[0].publish.port", "not a port number"),
        ("{target: rsync, path: /srv}", "resellers[0].publish.host", "required key is missing"),
        ("{target: dir, path: /srv, host: web1}", "resellers[0].publish.host", "unknown key"),
        ("{target: ftp, path: /srv}", "resellers[0].publish.target", "unknown target"),
        ("{path: /srv}", "resellers[0].publish.target", "required key is missing"),
    ])
    func refusesBadTargetsNamingLineAndKey(_ publish: String, _ key: String, _ reason: String) {
        #expect {
            try Self.read(Self.config(publish: publish))
        } throws: { error in
            let text = "\(error)"
            return text.contains("sitegen.yml:4") && text.contains(key) && text.contains(reason)
        }
    }

    @Test func refusesUnknownHostsAndBasicAuthWithoutAServerThatReadsIt() {
        #expect {
            try Self.read(Self.config(publish: "{target: dir, path: www}", extra: "host_config: [nginx, iis]"))
        } throws: { "\($0)".contains("resellers[0].host_config[1]") && "\($0)".contains("unknown host \"iis\"") }
        #expect {
            try Self.read(Self.config(publish: "{target: dir, path: www}", extra: "host_config: [netlify]\n    basic_auth: true"))
        } throws: { "\($0)".contains("resellers[0].basic_auth") && "\($0)".contains("nginx or apache") }
        #expect {
            try Self.read(Self.config(publish: "{target: archive, path: a.zip}", extra: "host_config: [apache]\n    basic_auth: true"))
        } throws: { "\($0)".contains("resellers[0].basic_auth") && "\($0)".contains("absolute path") }
    }
}
