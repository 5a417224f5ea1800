import Foundation

/// One leaf part of an e-mail message, transfer-decoded.
public struct MailPart: Sendable, Hashable {
    /// From the Content-Disposition `filename` or the Content-Type `name` (RFC 2231 and
    /// RFC 2047 forms decoded).
    public var filename: String?
    /// Lowercased `type/subtype`, e.g. `application/gzip`; often wrong, so read the bytes.
    public var contentType: String
    public var data: Data

    public init(filename: String?, contentType: String, data: Data) {
        self.filename = filename
        self.contentType = contentType
        self.data = data
    }
}

/// Why a message could not be taken apart.
public struct MailError: Error, Equatable, CustomStringConvertible {
    public var reason: String

    public init(reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}

/// A tolerant, bounded RFC 5322 / MIME reader that pulls report attachments out of e-mail.
public enum MailMessage {
    /// Every leaf part of the message that could hold a report, in message order.
    public static func attachments(of data: Data, limits: InputLimits) throws(MailError) -> [MailPart] {
        guard data.count <= limits.maxFileBytes else {
            throw MailError(reason: "the message is \(data.count) bytes, over the \(describe(bytes: limits.maxFileBytes)) file limit")
        }
        var walker = MailWalker(limits: limits)
        try walker.visitMessage(Array(data)[...], path: [], depth: 0, isTopLevel: true)
        return walker.parts
    }

    static func describe(bytes: Int) -> String {
        bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes) bytes"
    }
}

/// Walks the MIME tree depth first and collects candidate leaf parts within the limits.
/// Parts are numbered like IMAP sections (`2.1`) in error messages.
struct MailWalker {
    let limits: InputLimits
    private(set) var parts: [MailPart] = []
    private var entityCount = 0
    private var decodedBytes = 0

    init(limits: InputLimits) {
        self.limits = limits
    }

    /// Nested multiparts are ordinary in reports (mixed ▸ related ▸ alternative), so allow a
    /// few more levels than for archives.
    private var maxDepth: Int { limits.maxNesting + 4 }

    /// A whole message: the top level or the body of a message/rfc822 part.
    mutating func visitMessage(_ bytes: ArraySlice<UInt8>, path: [Int], depth: Int, isTopLevel: Bool) throws(MailError) {
        let entity = MailEntity(parsing: bytes, skippingMboxLine: isTopLevel)
        // A message that is not multipart holds a single section, numbered 1 below it.
        try visit(entity, path: path, leafPath: path + [1], depth: depth, defaultType: "text/plain")
    }

    private mutating func visit(
        _ entity: MailEntity, path: [Int], leafPath: [Int], depth: Int, defaultType: String
    ) throws(MailError) {
        entityCount += 1
        guard entityCount <= limits.maxArchiveEntries else {
            throw MailError(reason: "the message has more than \(limits.maxArchiveEntries) MIME parts (the entry limit)")
        }
        let contentType = MailHeaderValue(entity.field("content-type") ?? defaultType)
        let type = Self.isValidMediaType(contentType.value) ? contentType.value : "text/plain"

        if type.hasPrefix("multipart/") {
            let label = Self.label(path, type)
            try checkDepth(depth, label)
            guard let boundary = contentType.parameters["boundary"], !boundary.isEmpty else {
                throw MailError(reason: "\(label): no boundary parameter, so its parts cannot be found")
            }
            let childDefault = type == "multipart/digest" ? "message/rfc822" : "text/plain"
            for (offset, part) in MailMultipart.parts(of: entity.body, boundary: boundary).enumerated() {
                let childPath = path + [offset + 1]
                try visit(MailEntity(parsing: part), path: childPath, leafPath: childPath, depth: depth + 1, defaultType: childDefault)
            }
        } else if type == "message/rfc822" || type == "message/global" {
            let label = Self.label(leafPath, type)
            try checkDepth(depth, label)
            // RFC 2046 forbids encoding a message/rfc822 body, but some mailers base64 it anyway.
            let inner = try decodedBody(of: entity, label: label)
            try visitMessage(inner[...], path: leafPath, depth: depth + 1, isTopLevel: false)
        } else {
            try collectLeaf(entity, type: type, contentType: contentType, path: leafPath)
        }
    }

    private mutating func collectLeaf(
        _ entity: MailEntity, type: String, contentType: MailHeaderValue, path: [Int]
    ) throws(MailError) {
        let disposition = entity.field("content-disposition").map(MailHeaderValue.init)
        let filename = Self.filename(disposition?.parameters["filename"]) ?? Self.filename(contentType.parameters["name"])
        let isAttachment = disposition?.value == "attachment" || filename != nil
        guard MailPartFilter.mayHoldReport(type: type, isAttachment: isAttachment) else { return }

        let data = try decodedBody(of: entity, label: Self.label(path, filename ?? type))
        decodedBytes += data.count
        guard decodedBytes <= limits.maxExpandedBytes else {
            throw MailError(reason:
                "the attachments decode to more than \(MailMessage.describe(bytes: limits.maxExpandedBytes)) (the expansion limit)")
        }
        parts.append(MailPart(filename: filename, contentType: type, data: Data(data)))
    }

    private func decodedBody(of entity: MailEntity, label: String) throws(MailError) -> [UInt8] {
        do {
            return try MailTransferEncoding(headerValue: entity.field("content-transfer-encoding")).decode(entity.body)
        } catch {
            throw MailError(reason: "\(label): base64 body is not valid (\(error))")
        }
    }

    private func checkDepth(_ depth: Int, _ label: String) throws(MailError) {
        guard depth < maxDepth else {
            throw MailError(reason: "\(label): MIME parts nest deeper than \(maxDepth) levels")
        }
    }

    private static func filename(_ parameter: String?) -> String? {
        guard let name = parameter.map({ MailEncodedWords.decode($0).trimmingCharacters(in: .whitespaces) }),
              !name.isEmpty
        else { return nil }
        return name
    }

    private static func label(_ path: [Int], _ what: String) -> String {
        let place = path.isEmpty ? "the message" : "part " + path.map(String.init).joined(separator: ".")
        return "\(place) (\(what))"
    }

    /// RFC 2045 §5.2: a Content-Type that does not parse means text/plain.
    private static func isValidMediaType(_ value: String) -> Bool {
        let halves = value.split(separator: "/", omittingEmptySubsequences: false)
        return halves.count == 2 && halves.allSatisfy { !$0.isEmpty }
    }
}

/// Which leaf parts are worth handing to the report loader. Content types are only trusted to
/// rule out what never carries a report; everything else is kept and told apart by its bytes.
enum MailPartFilter {
    /// The machine-readable parts of other report formats (ARF, DSN, MDN), signatures, and
    /// pointers to content elsewhere.
    private static let neverReports: Set<String> = [
        "message/feedback-report", "message/delivery-status", "message/disposition-notification",
        "message/global-headers", "message/global-delivery-status", "message/global-disposition-notification",
        "message/partial", "message/external-body", "text/rfc822-headers",
        "application/pgp-signature", "application/pkcs7-signature", "application/x-pkcs7-signature",
    ]
    private static let neverReportFamilies = ["image/", "audio/", "video/", "font/"]
    /// The message text itself, unless it is sent as an attachment.
    private static let bodyText: Set<String> = ["text/plain", "text/html", "text/enriched"]

    static func mayHoldReport(type: String, isAttachment: Bool) -> Bool {
        if neverReports.contains(type) || neverReportFamilies.contains(where: type.hasPrefix) { return false }
        return isAttachment || !bodyText.contains(type)
    }
}
