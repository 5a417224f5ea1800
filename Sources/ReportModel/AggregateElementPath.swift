/// Where the reader of a DMARC aggregate report is in the document, and what the start or end
/// of each element means for the report. `AggregateReportParser` and the archive's direct
/// reader both follow a document with it, so both take the same elements the same way.
package struct AggregateElementPath {
    /// What an element's start asks a builder to do.
    package enum Start: Equatable {
        case record, reportMetadata, reason, authResult, nothing
    }

    /// What an element's end asks a builder to do: keep its text in a field, or close a part.
    package enum End: Equatable {
        case version, metadataError
        case metadataField(ReportElement), policyField(ReportElement), rowField(ReportElement), authResultField(ReportElement)
        case reasonType, reasonComment
        case reason, dkimResult, spfResult, record
        case nothing
    }

    /// Why the document is refused when an element starts.
    package enum Refusal: Error, Equatable {
        /// The root element's local name, as the document spells it.
        case notFeedback([UInt8])
        case tooDeep
    }

    package let maxDepth: Int
    private var elements: [ReportElement] = []
    package private(set) var rootSeen = false
    package private(set) var isRFC9990 = false

    package init(maxDepth: Int) {
        self.maxDepth = maxDepth
        elements.reserveCapacity(8)
    }

    package mutating func start(_ parser: XMLPullParser) throws(Refusal) -> Start {
        let name = ReportElement(localName: parser.localName)
        if !rootSeen {
            rootSeen = true
            guard name == .feedback else { throw .notFeedback(Array(parser.localName)) }
            isRFC9990 = parser.namespaceURI()?.elementsEqual(AggregateReportParser.rfc9990Namespace.utf8) == true
        }
        elements.append(name)
        guard elements.count <= maxDepth else { throw .tooDeep }
        guard elements.count >= 2 else { return .nothing }
        switch (elements[elements.count - 2], name) {
        case (.feedback, .record): return .record
        case (.feedback, .reportMetadata): return .reportMetadata
        case (.policyEvaluated, .reason): return .reason
        case (.authResults, .dkim), (.authResults, .spf): return .authResult
        default: return .nothing
        }
    }

    package mutating func end() -> End {
        defer { elements.removeLast() }
        let depth = elements.count
        guard depth >= 2 else { return .nothing }
        let name = elements[depth - 1]
        let parent = elements[depth - 2]
        let inRecord = depth >= 3 && elements[1] == .record
        switch (parent, name) {
        case (.feedback, .version):
            return .version
        case (.reportMetadata, .error):
            return .metadataError
        case (.reportMetadata, _) where depth == 3,
             (.dateRange, _) where depth == 4 && elements[1] == .reportMetadata:
            return .metadataField(name)
        case (.policyPublished, _) where depth == 3:
            return .policyField(name)
        case (.row, _) where inRecord, (.policyEvaluated, _) where inRecord && name != .reason,
             (.identifiers, _) where inRecord:
            return .rowField(name)
        case (.reason, .type):
            return .reasonType
        case (.reason, .comment):
            return .reasonComment
        case (.policyEvaluated, .reason) where inRecord:
            return .reason
        case (.dkim, _) where depth >= 4 && elements[depth - 3] == .authResults,
             (.spf, _) where depth >= 4 && elements[depth - 3] == .authResults:
            return .authResultField(name)
        case (.authResults, .dkim) where inRecord:
            return .dkimResult
        case (.authResults, .spf) where inRecord:
            return .spfResult
        case (.feedback, .record):
            return .record
        default:
            return .nothing
        }
    }
}
