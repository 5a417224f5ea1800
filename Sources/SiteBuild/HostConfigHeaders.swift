/// The web servers sitegen writes configuration for (`host_config:` in `sitegen.yml`).
public enum HostConfigKind: String, Sendable, Hashable, CaseIterable {
    /// `nginx.conf`: a snippet to `include` in the server block.
    case nginx
    /// `.htaccess` for Apache 2.4.
    case apache
    /// `_headers` for Netlify and Cloudflare Pages.
    case netlify
}

public struct HeaderField: Sendable, Hashable {
    public var name: String
    public var value: String
}

/// The response headers of every file of a reseller site, on any host and in `sitegen serve`.
public struct SecurityHeaders: Sendable, Hashable {
    /// The pages load nothing but their own stylesheet, images and fonts, and run no script:
    /// every other kind of content, forms, framing and `<base>` are refused.
    public static let contentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    /// HSTS is sent only when the site's base_url is https: on plain http it would be ignored,
    /// and a host reached over both would be locked to https.
    public var https: Bool

    public init(https: Bool) {
        self.https = https
    }

    public var fields: [HeaderField] {
        var fields = [
            HeaderField(name: "Content-Security-Policy", value: Self.contentSecurityPolicy),
            HeaderField(name: "X-Content-Type-Options", value: "nosniff"),
            // Client pages and their (possibly secret) folder names never leak to linked sites.
            HeaderField(name: "Referrer-Policy", value: "no-referrer"),
        ]
        if https { fields.append(HeaderField(name: "Strict-Transport-Security", value: "max-age=31536000")) }
        return fields
    }
}

/// How long browsers and proxies keep a file.
public enum CachePolicy {
    /// Fingerprinted assets change name when their content changes.
    public static let fingerprinted = "public, max-age=31536000, immutable"
    /// Pages change with every month's reports: revalidate each time.
    public static let page = "no-cache"
    /// A fingerprinted file name (`style.6ffa2f2944.css`): ten lowercase hex digits before the extension.
    static let fingerprintedName = #"\.[0-9a-f]{10}\.[A-Za-z0-9]+$"#

    public static func isFingerprinted(_ path: String) -> Bool {
        path.range(of: fingerprintedName, options: .regularExpression) != nil && path.hasPrefix("assets/")
    }
}

/// Names in the reseller root that are configuration for the host, never pages to serve.
enum HostConfigFileNames {
    static let nginx = "nginx.conf"
    static let apache = ".htaccess"
    static let netlify = "_headers"
    static let htpasswd = ".htpasswd"
}
