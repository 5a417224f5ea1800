import Foundation
import Templating

/// What the preview shows: the built site, or why the last build failed.
public enum PreviewState: Sendable, Equatable {
    case building
    case site
    /// The build stopped before writing (exit status 2): one line per problem.
    case failed([String])
}

/// Answers preview requests from the build output folder. Only files below that folder are
/// served: `..`, `.` and hidden names (`.htpasswd`) are refused before the path is used, and
/// the resolved path (links followed) must still lie inside the folder.
struct PreviewResponder: Sendable {
    let root: URL
    let state: PreviewState

    func respond(to request: PreviewRequest) -> PreviewResponse {
        var response = answer(request)
        let extra = SecurityHeaders(https: false).fields + [HeaderField(name: "Cache-Control", value: "no-store")]
        response.headers += extra
        return response
    }

    private func answer(_ request: PreviewRequest) -> PreviewResponse {
        guard request.method == "GET" || request.method == "HEAD" else {
            var response = PreviewResponse.page(status: 405, title: "Method not allowed", bodyHTML: "<p>The preview serves GET and HEAD only.</p>")
            response.headers.append(HeaderField(name: "Allow", value: "GET, HEAD"))
            return response
        }
        switch state {
        case .building:
            return .page(status: 503, title: "Building…", bodyHTML: "<p>sitegen is building the sites; this page reloads itself.</p>", refresh: true)
        case .failed(let lines):
            let text = lines.map(\.htmlEscaped).joined(separator: "\n")
            return .page(status: 500, title: "The build failed",
                         bodyHTML: "<p>Fix the problems below; sitegen serve rebuilds when a file changes and this page reloads itself.</p>\n<pre>\(text)</pre>",
                         refresh: true)
        case .site:
            break
        }
        let segments: [String]
        switch PreviewPath.segments(of: request.target) {
        case .success(let value): segments = value
        case .failure(let problem): return .page(status: problem.status, title: problem.title, bodyHTML: "")
        }
        let url = segments.reduce(root) { $0.appendingPathComponent($1) }
        let rootPath = root.resolvingSymlinksInPath().standardizedFileURL.path
        let resolved = url.resolvingSymlinksInPath().standardizedFileURL.path
        guard resolved == rootPath || resolved.hasPrefix(rootPath + "/") else { return notFound }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory) else { return notFound }
        if isDirectory.boolValue {
            let rawPath = String(request.target.prefix { $0 != "?" && $0 != "#" })
            guard rawPath.hasSuffix("/") else {
                // Pages link relative to their folder, so a folder is always served at `…/`.
                return PreviewResponse(status: 301, headers: [HeaderField(name: "Location", value: rawPath + "/")])
            }
            let index = URL(fileURLWithPath: resolved).appendingPathComponent("index.html")
            if FileManager.default.fileExists(atPath: index.path) { return file(index) }
            return segments.isEmpty ? listing(resolved) : notFound
        }
        return file(URL(fileURLWithPath: resolved))
    }

    private var notFound: PreviewResponse {
        .page(status: 404, title: "Not found", bodyHTML: "<p>No such file in the built site.</p>")
    }

    private func file(_ url: URL) -> PreviewResponse {
        let type = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.type] as? FileAttributeType
        guard type == .typeRegular, let data = try? Data(contentsOf: url) else { return notFound }
        return PreviewResponse(status: 200, headers: [HeaderField(name: "Content-Type", value: PreviewContentType.of(url.path))], body: data)
    }

    /// The output root has no page of its own: link each reseller root.
    private func listing(_ folder: String) -> PreviewResponse {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        let items = names.map { "<li><a href=\"\($0.htmlEscaped)/\">\($0.htmlEscaped)/</a></li>" }.joined(separator: "\n")
        return .page(status: 200, title: "sitegen preview", bodyHTML: "<ul>\n\(items)\n</ul>")
    }
}

/// Turns a request target into path segments below the served folder, or refuses it.
enum PreviewPath {
    struct Problem: Error, Equatable {
        var status: Int
        var title: String
    }

    static func segments(of target: String) -> Result<[String], Problem> {
        let bad = Problem(status: 400, title: "Bad request")
        let path = target.prefix { $0 != "?" && $0 != "#" }
        guard path.hasPrefix("/"), path.unicodeScalars.allSatisfy({ $0.isASCII }) else { return .failure(bad) }
        guard let decoded = percentDecoded(String(path)) else { return .failure(bad) }
        guard !decoded.contains("\\"), !decoded.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return .failure(bad) }
        let segments = decoded.split(separator: "/").map(String.init)
        if segments.contains(where: { $0 == "." || $0 == ".." }) { return .failure(bad) }
        if segments.contains(where: { $0.hasPrefix(".") }) { return .failure(Problem(status: 404, title: "Not found")) }
        return .success(segments)
    }

    /// Strict percent-decoding: every `%` needs two hex digits and the result must be UTF-8.
    static func percentDecoded(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(bytes: bytes, encoding: .utf8)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
