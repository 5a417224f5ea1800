import Foundation
import SiteBuild
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Publish: host configuration written by build", .timeLimit(.minutes(1)))
struct PublishHostConfigTests {
    static let config = """
        resellers:
          - id: acme-it
            base_url: https://reports.acme-it.example/
            host_config: [nginx, apache, netlify]
            basic_auth: true
            publish: {target: dir, path: www/acme-it}
            clients:
              - id: contoso
                domains: [contoso.example]
              - id: fabrikam
                domains: [fabrikam.example]
          - id: plain
            base_url: http://plain.example/
            host_config: [netlify]
            private_client_folders: true
            clients:
              - id: northwind
                domains: [northwind.example]
        """

    static let secrets = """
        acme-it:
          contoso:
            - user: contoso
              password: "correct horse battery staple"
            - {user: auditor, password: "second-secret"}
        """

    static func workspace() throws -> FixtureWorkspace {
        let f = ReportFactory.self
        return try FixtureWorkspace(
            config: config,
            reports: [
                "c.xml": f.xml(f.report(id: "c-1", records: [f.record(count: 5)])),
                "f.xml": f.xml(f.report(id: "f-1", domain: "fabrikam.example", records: [f.record(count: 3, from: "fabrikam.example")])),
                "n.xml": f.xml(f.report(id: "n-1", domain: "northwind.example", records: [f.record(count: 2, from: "northwind.example")])),
            ],
            files: ["secrets/basic-auth.yml": secrets, "secrets/client-folder.key": "0123456789abcdef-test-secret"])
    }

    @Test func hostFilesCarryTheHeadersAndNameNoClient() throws {
        let workspace = try Self.workspace()
        defer { workspace.remove() }
        _ = try workspace.build()
        let nginx = try #require(workspace.text("public/acme-it/nginx.conf"))
        let apache = try #require(workspace.text("public/acme-it/.htaccess"))
        let netlify = try #require(workspace.text("public/acme-it/_headers"))
        for text in [nginx, apache, netlify] {
            #expect(text.contains(SecurityHeaders.contentSecurityPolicy))
            #expect(text.contains("nosniff") && text.contains("no-referrer"))
            #expect(text.contains("max-age=31536000") && text.contains("immutable"))
            #expect(!text.contains("contoso") && !text.contains("fabrikam"), "host files never list clients")
        }
        #expect(nginx.contains("Strict-Transport-Security"), "base_url is https")
        let plain = try #require(workspace.text("public/plain/_headers"))
        #expect(!plain.contains("Strict-Transport-Security"), "no HSTS for an http base_url")
        let privateFolder = try #require(workspace.files(under: "public/plain").first { $0.hasPrefix("northwind-") }?.split(separator: "/").first)
        #expect(!plain.contains(String(privateFolder)))
        #expect(!workspace.exists("public/plain/nginx.conf"), "only the hosts host_config lists")

        #expect(workspace.text("public/acme-it/contoso/.htaccess")?.contains("AuthUserFile \"\(workspace.root.path)/www/acme-it/contoso/.htpasswd\"") == true)
        #expect(!workspace.exists("public/acme-it/fabrikam/.htpasswd"), "a client the secrets file does not name stays public")
        let everything = workspace.files(under: "public").compactMap { workspace.text("public/" + $0) }.joined()
        #expect(!everything.contains("correct horse") && !everything.contains("second-secret"), "no password reaches the output")
        #expect(!workspace.exists("public/secrets") && !workspace.exists("public/acme-it/secrets"))
    }

    @Test func htpasswdHoldsBcryptHashesThatStayTheSame() throws {
        let workspace = try Self.workspace()
        defer { workspace.remove() }
        _ = try workspace.build(out: "one")
        _ = try workspace.build(out: "two")
        let file = try #require(workspace.text("one/acme-it/contoso/.htpasswd"))
        let lines = file.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { $0.contains(":$2y$10$") && $0.count > 60 })
        #expect(workspace.text("two/acme-it/contoso/.htpasswd") == file, "the same secrets give the same file")
        if let htpasswd = PublishTestTools.path("htpasswd") {
            let path = workspace.root.appendingPathComponent("one/acme-it/contoso/.htpasswd").path
            #expect(try runTool(htpasswd, ["-vb", path, "contoso", "correct horse battery staple"]).status == 0)
            #expect(try runTool(htpasswd, ["-vb", path, "auditor", "second-secret"]).status == 0)
            #expect(try runTool(htpasswd, ["-vb", path, "contoso", "wrong"]).status != 0)
        }
    }

    @Test func aBadSecretsFileStopsTheBuildNamingFileLineAndKey() throws {
        let workspace = try Self.workspace()
        defer { workspace.remove() }
        try workspace.write(Data("acme-it:\n  globex:\n    - {user: a, password: b}\n".utf8), to: "secrets/basic-auth.yml")
        #expect {
            try workspace.build()
        } throws: { error in
            "\(error)".contains("[config]") && "\(error)".contains("basic-auth.yml") && "\(error)".contains("line 2")
                && "\(error)".contains("acme-it.globex")
        }
        try FileManager.default.removeItem(at: workspace.root.appendingPathComponent("secrets/basic-auth.yml"))
        #expect(throws: BuildSetupError.self) { try workspace.build() }
        #expect(!workspace.exists("public"), "nothing is written")
    }

    /// The pages need nothing the Content-Security-Policy refuses: no scripts, inline styles or
    /// other hosts' files.
    @Test func pagesFitTheContentSecurityPolicy() throws {
        let workspace = try Self.workspace()
        defer { workspace.remove() }
        _ = try workspace.build()
        let pages = workspace.files(under: "public").filter { $0.hasSuffix(".html") }
        #expect(!pages.isEmpty)
        for page in pages {
            let html = workspace.text("public/" + page) ?? ""
            #expect(!html.contains("<script") && !html.contains(" style=") && !html.contains("<style"), "\(page)")
            #expect(html.range(of: #"(src|href)="https?://[^"]*\.(css|js|png|svg|woff2?)""#, options: .regularExpression) == nil, "\(page)")
        }
    }

    /// nginx accepts the snippet (`nginx -t`), and pages fetched through it carry the headers;
    /// the protected client asks for a password, hidden and host files are not served.
    @Test(.enabled(if: PublishTestTools.hasNginx, "needs nginx (Debian: apt-get install nginx)"))
    func nginxAcceptsTheSnippetAndSendsTheHeaders() throws {
        let workspace = try Self.workspace()
        defer { workspace.remove() }
        _ = try workspace.build()
        let site = workspace.root.appendingPathComponent("public/acme-it")
        let nginx = try LoopbackNginx(site: site)
        defer { nginx.stop() }
        let check = try nginx.test()
        #expect(check.status == 0, "nginx -t: \(check.output)")
        try nginx.start()

        let home = try RawHTTP.get(port: nginx.port, "/")
        #expect(home.status == 200)
        #expect(home.headers["content-security-policy"] == SecurityHeaders.contentSecurityPolicy)
        #expect(home.headers["x-content-type-options"] == "nosniff")
        #expect(home.headers["referrer-policy"] == "no-referrer")
        #expect(home.headers["strict-transport-security"] == "max-age=31536000")
        #expect(home.headers["cache-control"] == "no-cache")

        let stylesheet = try #require(workspace.files(under: "public/acme-it").first { $0.hasPrefix("assets/style.") && $0.hasSuffix(".css") })
        let asset = try RawHTTP.get(port: nginx.port, "/" + stylesheet)
        #expect(asset.status == 200)
        #expect(asset.headers["cache-control"] == "public, max-age=31536000, immutable")
        #expect(asset.headers["content-security-policy"] == SecurityHeaders.contentSecurityPolicy)

        #expect(try RawHTTP.get(port: nginx.port, "/contoso/").status == 401)
        let credentials = Data("contoso:correct horse battery staple".utf8).base64EncodedString()
        let protected = try RawHTTP.get(port: nginx.port, "/contoso/", headers: ["Authorization": "Basic \(credentials)"])
        #expect(protected.status == 200)
        #expect(protected.headers["content-security-policy"] == SecurityHeaders.contentSecurityPolicy)
        let wrong = Data("contoso:nope".utf8).base64EncodedString()
        #expect(try RawHTTP.get(port: nginx.port, "/contoso/", headers: ["Authorization": "Basic \(wrong)"]).status == 401)
        #expect(try RawHTTP.get(port: nginx.port, "/fabrikam/").status == 200, "a client without users stays public")

        for hidden in ["/contoso/.htpasswd", "/.htaccess", "/nginx.conf", "/_headers"] {
            #expect(try RawHTTP.get(port: nginx.port, hidden, headers: ["Authorization": "Basic \(credentials)"]).status == 404, "\(hidden)")
        }
    }
}

/// An nginx on 127.0.0.1 with a temporary prefix, serving one folder through its snippet.
final class LoopbackNginx {
    let prefix: URL
    let port: UInt16
    private let configFile: URL
    private var process: SpawnedProcess?

    init(site: URL) throws {
        prefix = try SiteTree.temporaryFolder("nginx")
        port = try LoopbackPort.free()
        configFile = prefix.appendingPathComponent("nginx.conf")
        for folder in ["logs", "tmp"] {
            try FileManager.default.createDirectory(at: prefix.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        let temporary = prefix.appendingPathComponent("tmp").path
        let mimeTypes = FileManager.default.fileExists(atPath: "/etc/nginx/mime.types") ? "include /etc/nginx/mime.types;" : ""
        let config = """
            daemon off;
            master_process off;
            pid \(prefix.path)/nginx.pid;
            error_log \(prefix.path)/logs/error.log;
            events { worker_connections 64; }
            http {
                access_log off;
                \(mimeTypes)
                default_type application/octet-stream;
                client_body_temp_path \(temporary)/body;
                proxy_temp_path \(temporary)/proxy;
                fastcgi_temp_path \(temporary)/fastcgi;
                uwsgi_temp_path \(temporary)/uwsgi;
                scgi_temp_path \(temporary)/scgi;
                server {
                    listen 127.0.0.1:\(port);
                    server_name localhost;
                    root \(site.path);
                    include \(site.path)/nginx.conf;
                }
            }
            """
        try Data(config.utf8).write(to: configFile)
    }

    private var arguments: [String] {
        ["-p", prefix.path, "-c", configFile.path, "-e", prefix.appendingPathComponent("logs/error.log").path]
    }

    func test() throws -> (status: Int32, output: String) {
        try runTool(PublishTestTools.path("nginx") ?? "nginx", ["-t"] + arguments, timeout: 20)
    }

    func start() throws {
        process = try SpawnedProcess(PublishTestTools.path("nginx") ?? "/usr/sbin/nginx", arguments)
        guard LoopbackPort.waitUntilOpen(port) else {
            let log = (try? String(contentsOf: prefix.appendingPathComponent("logs/error.log"), encoding: .utf8)) ?? ""
            throw ToolFailure(description: "nginx did not start on 127.0.0.1:\(port): \(log)")
        }
    }

    func stop() {
        process?.kill()
        try? FileManager.default.removeItem(at: prefix)
    }
}
