import Foundation

/// `.htaccess` files for Apache 2.4 (mod_headers, mod_alias; `AllowOverride FileInfo`, and
/// `AuthConfig` for basic auth). The root file names no client; a protected client folder gets
/// its own `.htaccess` naming only its own `.htpasswd`.
struct ApacheHostConfig {
    let resellerID: String
    let headers: SecurityHeaders
    /// The URL path of the reseller root, `/` or e.g. `/reports/`.
    let sitePath: String

    var rootText: String {
        let root = HostConfigText.regexEscaped(sitePath)
        var lines = [
            "# sitegen: Apache 2.4 configuration for the reports of reseller \(resellerID)",
            "# (needs mod_headers and AllowOverride FileInfo). Written by `sitegen build`: edits are lost.",
            "",
            "ErrorDocument 404 \(sitePath)404.html",
            "# Host files and hidden files (.htpasswd) are never served; .well-known/ is.",
            "RedirectMatch 404 \"^\(root)(?:nginx\\.conf|_headers)$|/\\.(?!well-known/)\"",
            "",
        ]
        lines += headers.fields.map { "Header always set \($0.name) \"\($0.value)\"" }
        lines += [
            "Header set Cache-Control \"\(CachePolicy.page)\"",
            "# Fingerprinted assets change name with their content.",
            "<FilesMatch \"\(CachePolicy.fingerprintedName)\">",
            "    Header set Cache-Control \"\(CachePolicy.fingerprinted)\"",
            "</FilesMatch>",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The `.htaccess` of a client folder with basic auth. Apache wants the password file's path
    /// on the server, so it comes from the publish target.
    static func clientText(htpasswdPath: String) -> String {
        """
        # sitegen: this client folder asks for a password (Apache 2.4, AllowOverride AuthConfig).
        AuthType Basic
        AuthName "Reports"
        AuthUserFile "\(htpasswdPath)"
        Require valid-user

        """
    }

    /// Where the reseller root lives on the server, when the publish target tells: a dir
    /// target's folder (relative to the workspace) or an rsync target's absolute path.
    static func serverFolder(for target: PublishTarget?, workspace: URL? = nil) -> String? {
        switch target {
        case .directory(let path):
            guard let workspace else { return path }
            return PublishPaths.resolve(path, in: workspace).path
        case .rsync(let destination) where destination.path.hasPrefix("/"):
            return destination.path.hasSuffix("/") ? String(destination.path.dropLast()) : destination.path
        default:
            return nil
        }
    }
}
