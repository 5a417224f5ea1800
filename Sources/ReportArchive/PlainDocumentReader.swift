import ReportModel

/// Builds the stored form of a report in the plain form (`PlainXMLScanner`), which nearly
/// every report takes, without the general XML reader below the root element.
enum PlainDocumentReader {
    /// The stored form; nil for a document the scanner or the builder declines, which the
    /// general reader then reads from the start (and refuses, if it is to be refused).
    static func read(
        _ document: UnsafeBufferPointer<UInt8>, into builder: inout StoredAggregateBuilder, maxDepth: Int
    ) -> StoredAggregate? {
        PlainXMLScanner.afterRoot(of: document, maxDepth: maxDepth, root: { builder.start($0) }) { scanner in
            while true {
                switch scanner.next() {
                case .startElement(let element): guard builder.start(element) else { return nil }
                case .endElement(let text): guard builder.end(PlainText(texts: scanner.texts, range: text)) else { return nil }
                case .endOfDocument: return builder.finish()
                case .declined: return nil
                }
            }
        }
    }
}

/// An element's text in a plain document: a range of it, trimmed only when the builder keeps
/// it (most elements that close are parents, whose text is white space the builder ignores).
private struct PlainText: ClosingText {
    let texts: PlainXMLScanner.TextReader
    let range: Range<Int>

    /// `documentCount` is the length of the document the scanner reads.
    func trimmedRange(copyingInto copies: inout [UInt8], after documentCount: Int) -> Range<Int> {
        texts.trimmed(range, copyingInto: &copies)
    }
}
