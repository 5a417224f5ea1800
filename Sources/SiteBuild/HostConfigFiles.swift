import Foundation
import Templating

/// The host files `build` writes for resellers that list `host_config:`, keyed by their path
/// below the output folder: `nginx.conf`, `.htaccess` and `_headers` in the reseller root, and
/// for password-protected clients a `.htpasswd` (and, for Apache, a `.htaccess`) in the client
/// folder. The root files name no client, so they reveal no client folder.
struct HostConfigFiles {
    private(set) var files: [String: Data] = [:]

    init(config: WorkspaceConfig, themes: [String: ResolvedTheme], folders: ClientFolders, workspace: URL) throws(BuildSetupError) {
        let secrets = try BasicAuthSecrets(config: config, workspace: workspace)
        for reseller in config.resellers where !reseller.hostConfig.isEmpty {
            let baseURL = reseller.baseURL ?? themes[reseller.id]?.brand.baseURL
            let headers = SecurityHeaders(https: baseURL.flatMap { URL(string: $0)?.scheme?.lowercased() } == "https")
            let sitePath = Self.sitePath(baseURL)
            guard sitePath.unicodeScalars.allSatisfy(Self.isPlainPathCharacter) else {
                throw BuildSetupError(failures: [BuildFailure(
                    step: .config, subject: reseller.id,
                    reason: "the path of base_url (\(sitePath)) may hold only letters, digits and / . _ ~ - for the host files")])
            }
            func add(_ path: String, _ text: String) { files["\(reseller.id)/\(path)"] = Data(text.utf8) }
            let protected = reseller.clients.compactMap { client -> (folder: String, key: ClientKey, users: [BasicAuthUser])? in
                let key = ClientKey(reseller: reseller.id, client: client.id)
                return secrets.users[key].map { (folders.folder(key), key, $0) }
            }
            for kind in reseller.hostConfig {
                switch kind {
                case .nginx:
                    add(HostConfigFileNames.nginx, NginxHostConfig(
                        resellerID: reseller.id, headers: headers, sitePath: sitePath, basicAuth: reseller.basicAuth).text)
                case .apache:
                    add(HostConfigFileNames.apache, ApacheHostConfig(resellerID: reseller.id, headers: headers, sitePath: sitePath).rootText)
                    guard !protected.isEmpty else { continue }
                    guard let serverFolder = ApacheHostConfig.serverFolder(for: reseller.publish, workspace: workspace),
                          !serverFolder.contains("\"")
                    else {
                        throw BuildSetupError(failures: [BuildFailure(
                            step: .config, subject: reseller.id,
                            reason: "Apache basic auth needs the reseller root's absolute path on the server, without '\"': publish to a dir target or an rsync target with an absolute path")])
                    }
                    for client in protected {
                        add("\(client.folder)/\(HostConfigFileNames.apache)",
                            ApacheHostConfig.clientText(htpasswdPath: "\(serverFolder)/\(client.folder)/\(HostConfigFileNames.htpasswd)"))
                    }
                case .netlify:
                    add(HostConfigFileNames.netlify, NetlifyHostConfig(resellerID: reseller.id, headers: headers, sitePath: sitePath).text)
                }
            }
            for client in protected {
                files["\(reseller.id)/\(client.folder)/\(HostConfigFileNames.htpasswd)"] = try HTPasswdFile.data(for: client.users, client: client.key)
            }
        }
    }

    private static func isPlainPathCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || scalar.properties.numericType != nil || "/._~-".unicodeScalars.contains(scalar))
    }

    /// The URL path of the reseller root: base_url's path, or `/`.
    static func sitePath(_ baseURL: String?) -> String {
        guard let baseURL, let path = URL(string: baseURL)?.path, !path.isEmpty else { return "/" }
        return path.hasSuffix("/") ? path : path + "/"
    }
}
