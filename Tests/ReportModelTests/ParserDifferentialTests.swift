import Foundation
import SyntheticReports
import Testing
import ZIPFoundation
@testable import ReportModel

/// The byte-level parser against the FoundationXML (libxml2) parser it replaced: the same
/// report, or a refusal of the same kind, for real and generated reports and for damaged ones.
@Suite("Aggregate report parser: same results as the libxml2 parser")
struct ParserDifferentialTests {
    /// A parse outcome: the report, or the refusal. Syntax errors are compared by their
    /// explanation (libxml2's line and column are not always where it first noticed the fault).
    enum Outcome: Equatable, CustomStringConvertible {
        case report(AggregateReport)
        case refusal(String)

        init(_ parse: () throws(ReportParseError) -> AggregateReport) {
            do {
                self = .report(try parse())
            } catch {
                self = .refusal(Self.kind(of: error.reason))
            }
        }

        static func kind(of reason: String) -> String {
            guard reason.hasPrefix("XML is not well-formed") else { return reason }
            return "XML is not well-formed"
        }

        var description: String {
            switch self {
            case .report(let report): "report \(report.metadata.reportID) with \(report.records.count) records"
            case .refusal(let reason): "refused: \(reason)"
            }
        }
    }

    static func outcomes(_ xml: Data) -> (new: Outcome, reference: Outcome) {
        (Outcome { () throws(ReportParseError) in try AggregateReportParser().parse(xml) },
         Outcome { () throws(ReportParseError) in try ReferenceAggregateReportParser().parse(xml) })
    }

    @Test(.enabled(if: SharedCorpus.root != nil, "../shared/corpus is not present"))
    func everyXMLDocumentOfTheRealCorpus() throws {
        let corpus = try #require(SharedCorpus.root)
        var compared = 0
        for file in try CorpusTests.corpusFiles() {
            let data = try Data(contentsOf: corpus.appendingPathComponent(file))
            for xml in XMLPayloads.of(data) {
                let (new, reference) = Self.outcomes(xml)
                #expect(new == reference, "\(file)")
                compared += 1
            }
        }
        #expect(compared > 140)
    }

    @Test func everyGeneratedReportOfTheDemoWorkspace() throws {
        var spec = SyntheticWorkspaceSpec.demo()
        spec.monthCount = 4
        let output = try SyntheticWorkspace(spec: spec).generate()
        var compared = 0
        for file in output.files {
            for xml in XMLPayloads.of(file.bytes) {
                let (new, reference) = Self.outcomes(xml)
                #expect(new == reference, "\(file.relativePath)")
                #expect(new == .report(file.report), "\(file.relativePath)")
                compared += 1
            }
        }
        #expect(compared > 1_000)
    }

    /// Damaged copies of generated reports: bytes dropped, replaced or repeated at random
    /// (seeded) places. Both parsers must accept the same ones, with the same content.
    @Test func damagedReports() throws {
        var spec = SyntheticWorkspaceSpec.demo()
        spec.monthCount = 1
        let reports = try SyntheticWorkspace(spec: spec).generate().files.prefix(200).map(\.report)
        var random = SplitMix64(seed: 7)
        let insertions = Array("<>&;/!?-[]=\"' \r\n\tx#:".utf8) + [0x00, 0x80, 0xC3, 0xEF, 0xFF]
        var refused = 0
        for (index, report) in reports.enumerated() {
            var bytes = Array(ReportXMLWriter(quirks: index % 2 == 0 ? [] : [.paddedValues]).data(for: report))
            for _ in 0..<(1 + random.below(3)) {
                let at = random.below(bytes.count)
                switch random.below(3) {
                case 0: bytes.remove(at: at)
                case 1: bytes[at] = insertions[random.below(insertions.count)]
                default: bytes.insert(insertions[random.below(insertions.count)], at: at)
                }
            }
            let (new, reference) = Self.outcomes(Data(bytes))
            #expect(new == reference, "\(String(decoding: bytes, as: UTF8.self))")
            if case .refusal = reference { refused += 1 }
        }
        #expect(refused > 50)
    }
}

/// The XML documents inside a file: itself, or what gzip, zlib, zip and e-mail hold.
enum XMLPayloads {
    static func of(_ data: Data, depth: Int = 0) -> [Data] {
        guard depth <= 4 else { return [] }
        switch InputKind.detect(data) {
        case .xml:
            return [data]
        case .gzip, .zlib:
            return (try? Inflater.inflate(data, limit: 64 << 20)).map { of($0, depth: depth + 1) } ?? []
        case .zip:
            guard let archive = try? Archive(data: data, accessMode: .read) else { return [] }
            return archive.filter { $0.type == .file }.flatMap { entry -> [Data] in
                var contents = Data()
                guard (try? archive.extract(entry, skipCRC32: false, consumer: { contents.append($0) })) != nil else { return [] }
                return of(contents, depth: depth + 1)
            }
        case .mail:
            let parts = (try? MailMessage.attachments(of: data, limits: .standard)) ?? []
            return parts.flatMap { of($0.data, depth: depth + 1) }
        case .json, .mbox, .parsedmarcCSV, .empty, .unknown:
            return []
        }
    }
}
