/// `_headers` for Netlify and Cloudflare Pages. Both add up the headers of every rule a path
/// matches, so Cache-Control is set only for assets; pages keep the hosts' short default.
struct NetlifyHostConfig {
    let resellerID: String
    let headers: SecurityHeaders
    /// The URL path of the reseller root, `/` or e.g. `/reports/`.
    let sitePath: String

    var text: String {
        var lines = [
            "# sitegen: response headers for Netlify and Cloudflare Pages (reseller \(resellerID)).",
            "# Written by `sitegen build`: edits are lost.",
            "\(sitePath)*",
        ]
        lines += headers.fields.map { "  \($0.name): \($0.value)" }
        lines += [
            "\(sitePath)assets/*",
            "  Cache-Control: \(CachePolicy.fingerprinted)",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
