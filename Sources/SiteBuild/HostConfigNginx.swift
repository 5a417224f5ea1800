/// `nginx.conf`: a snippet for the server block that serves a reseller root. It names no client:
/// client folders with basic auth are found by their `.htpasswd`.
struct NginxHostConfig {
    let resellerID: String
    let headers: SecurityHeaders
    /// The URL path of the reseller root, `/` or e.g. `/reports/`.
    let sitePath: String
    /// Whether client folders may hold a `.htpasswd`.
    let basicAuth: Bool

    var text: String {
        let root = HostConfigText.regexEscaped(sitePath)
        var lines = [
            "# sitegen: nginx configuration for the reports of reseller \(resellerID).",
            "# Include it in the server block whose root is this folder, e.g.",
            "#     include /var/www/\(resellerID)/\(HostConfigFileNames.nginx);",
            "# and reload nginx when it changes. Written by `sitegen build`: edits are lost.",
            "",
            "error_page 404 \(sitePath)404.html;",
            "",
            "# Host files and hidden files (.htpasswd, .htaccess) are never served; .well-known/ is.",
            "location ~ \"^\(root)(?:nginx\\.conf|_headers)$|/\\.(?!well-known/)\" {",
            "    return 404;",
            "}",
            "",
        ]
        lines += headerLines(cache: CachePolicy.page, indent: "")
        lines += [
            "",
            "# Fingerprinted assets change name with their content.",
            "location ~ \"^\(root)assets/[^/]+\(CachePolicy.fingerprintedName)\" {",
        ]
        lines += headerLines(cache: CachePolicy.fingerprinted, indent: "    ")
        lines.append("}")
        if basicAuth {
            lines += [
                "",
                "# A folder holding a .htpasswd asks for a password; the others are public.",
                "location ~ \"^\(root)(?<sitegen_folder>[^/]+)/\" {",
                "    set $sitegen_realm off;",
                "    if (-f $document_root\(sitePath)$sitegen_folder/\(HostConfigFileNames.htpasswd)) {",
                "        set $sitegen_realm \"Reports\";",
                "    }",
                "    auth_basic $sitegen_realm;",
                "    auth_basic_user_file $document_root\(sitePath)$sitegen_folder/\(HostConfigFileNames.htpasswd);",
            ]
            lines += headerLines(cache: CachePolicy.page, indent: "    ")
            lines.append("}")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// nginx drops the server's `add_header`s in a location that has its own, so each location
    /// repeats them all.
    private func headerLines(cache: String, indent: String) -> [String] {
        (headers.fields + [HeaderField(name: "Cache-Control", value: cache)]).map {
            "\(indent)add_header \($0.name) \"\($0.value)\" always;"
        }
    }
}

enum HostConfigText {
    /// Escapes a URL path for a PCRE pattern.
    static func regexEscaped(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if "\\^$.|?*+()[]{}".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
