import Foundation

/// What the preview server reads of a request: the request line. Headers are not needed to
/// serve static files and are skipped.
public struct PreviewRequest: Sendable, Equatable {
    public var method: String
    /// The request target as sent, e.g. `/acme-it/index.html?x=1`.
    public var target: String

    public init(method: String, target: String) {
        self.method = method
        self.target = target
    }

    /// Reads the request line of an HTTP/1.x request head; nil when it is not one.
    static func parse(head: [UInt8]) -> PreviewRequest? {
        guard let end = head.firstIndex(of: UInt8(ascii: "\r")) ?? head.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let parts = head[..<end].split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0 > 0x20 && $0 < 0x7F } }) else { return nil }
        let version = String(decoding: parts[2], as: UTF8.self)
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else { return nil }
        return PreviewRequest(method: String(decoding: parts[0], as: UTF8.self), target: String(decoding: parts[1], as: UTF8.self))
    }
}

public struct PreviewResponse: Sendable, Equatable {
    public var status: Int
    public var headers: [HeaderField]
    public var body: Data

    public init(status: Int, headers: [HeaderField] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A small HTML page (title and already-escaped body HTML).
    static func page(status: Int, title: String, bodyHTML: String, refresh: Bool = false) -> PreviewResponse {
        let html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            \(refresh ? "<meta http-equiv=\"refresh\" content=\"2\">\n" : "")<title>\(title.htmlEscaped)</title>
            </head>
            <body>
            <h1>\(title.htmlEscaped)</h1>
            \(bodyHTML)
            </body>
            </html>

            """
        return PreviewResponse(status: status, headers: [HeaderField(name: "Content-Type", value: "text/html; charset=utf-8")], body: Data(html.utf8))
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 301: "Moved Permanently"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }

    /// The bytes on the wire; HEAD gets the head only, with the length the body would have.
    func serialized(includeBody: Bool) -> Data {
        var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
        for field in headers { head += "\(field.name): \(field.value)\r\n" }
        head += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        var data = Data(head.utf8)
        if includeBody { data.append(body) }
        return data
    }
}

/// The Content-Type of a file, by its extension.
enum PreviewContentType {
    static func of(_ path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "text/plain; charset=utf-8" }
        switch name[name.index(after: dot)...].lowercased() {
        case "html", "htm": return "text/html; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "svg": return "image/svg+xml"
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "gif": return "image/gif"
        case "webp": return "image/webp"
        case "ico": return "image/x-icon"
        case "json": return "application/json"
        case "csv": return "text/csv; charset=utf-8"
        case "xml": return "application/xml"
        case "txt", "md": return "text/plain; charset=utf-8"
        case "woff2": return "font/woff2"
        case "woff": return "font/woff"
        case "ttf": return "font/ttf"
        case "otf": return "font/otf"
        default: return "application/octet-stream"
        }
    }
}
