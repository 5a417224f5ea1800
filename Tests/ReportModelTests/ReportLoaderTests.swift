import Foundation
import Testing
import ZIPFoundation
@testable import ReportModel

@Suite("Report loader: containers and limits")
struct ReportLoaderTests {
    let loader = ReportLoader()
    let xml = Fixture.data(Fixture.report())

    @Test func detectsKindsByContentNotName() {
        #expect(InputKind.detect(xml) == .xml)
        #expect(InputKind.detect(Inflater.gzip(xml)) == .gzip)
        #expect(InputKind.detect(Data()) == .empty)
        #expect(InputKind.detect(Data("  \n".utf8)) == .empty)
        #expect(InputKind.detect(Data("{\"organization-name\": 1}".utf8)) == .json)
        #expect(InputKind.detect(Data("Return-Path: <a@b>\r\nFrom: x\r\n".utf8)) == .mail)
        #expect(InputKind.detect(Data("hello world".utf8)) == .unknown)
    }

    /// Each magic number and first byte the kinds are told by, at the edge of its length, in
    /// a slice that does not start at zero and in place: the same kind every way.
    @Test func detectsEveryKindFromItsFirstBytesInDataAndInPlace() {
        let heads: [([UInt8], InputKind)] = [
            ([0x1F, 0x8B, 0x08], .gzip), ([0x1F], .unknown), ([0x1F, 0x8C], .unknown),
            ([0x50, 0x4B, 0x03, 0x04], .zip), ([0x50, 0x4B, 0x05, 0x06], .zip), ([0x50, 0x4B, 0x03], .unknown),
            ([0x50, 0x4B, 0x05, 0x04], .unknown),
            ([0x78, 0x01], .zlib), ([0x78, 0x5E], .zlib), ([0x78, 0x9C], .zlib), ([0x78, 0xDA], .zlib), ([0x78, 0x9D], .unknown),
            ([0x78], .unknown),
            ([0xFF, 0xFE], .xml), ([0xFE, 0xFF], .xml), ([0x3C, 0x00], .xml), ([0x00, 0x3C], .xml),
            (Array("\u{FEFF} \r\n<feedback>".utf8), .xml), (Array("\u{FEFF}".utf8), .empty), (Array(" [1]".utf8), .json),
            (Array("From a@b Mon Jan  1 00:00:00 2026\n".utf8), .mbox), (Array("Subject: x\n".utf8), .mail),
            (Array(repeating: 0x20, count: 512) + Array("<feedback>".utf8), .empty),
            (Array(repeating: 0x20, count: 511) + Array("<feedback>".utf8), .xml),
        ]
        for (head, kind) in heads {
            let data = Data(head)
            #expect(InputKind.detect(data) == kind, "\(head.prefix(8))")
            let sliced = (Data([0x00]) + data).dropFirst()
            #expect(InputKind.detect(sliced) == kind, "\(head.prefix(8)) in a slice")
            #expect(head.withUnsafeBytes { InputKind.detect($0) } == kind, "\(head.prefix(8)) in place")
        }
    }

    @Test func readsPlainGzipAndGzipInsideGzip() {
        for data in [xml, Inflater.gzip(xml), Inflater.gzip(Inflater.gzip(xml))] {
            let result = loader.load(data, as: "report.bin")
            #expect(result.reports.count == 1)
            #expect(result.problems.isEmpty)
        }
    }

    @Test func ignoresTrailingBytesAfterGzipMember() {
        let result = loader.load(Inflater.gzip(xml) + Data([0x0D, 0x0A]), as: "mimecast.xml.gz")
        #expect(result.reports.count == 1)
    }

    @Test func readsEveryXMLEntryOfAZipAndSkipsMacMetadata() throws {
        let second = Fixture.data(Fixture.report(reportID: "r-2"))
        let zip = try Self.zip([
            ("a.xml", xml), ("folder/", nil), ("folder/b.xml.gz", Inflater.gzip(second)),
            ("__MACOSX/folder/._b.xml.gz", Data("junk".utf8)), ("notes.txt", Data("not a report".utf8)),
        ])
        let result = loader.load(zip, as: "reports.zip")
        #expect(result.reports.map(\.report.metadata.reportID).sorted() == ["r-1", "r-2"])
        #expect(result.reports.map(\.source.description).sorted() == ["reports.zip ▸ a.xml", "reports.zip ▸ folder/b.xml.gz"])
        #expect(result.problems.count == 1)
        #expect(result.problems.first?.source.entries == ["notes.txt"])
    }

    @Test func boundsDecompression() throws {
        let limits = InputLimits(maxExpandedBytes: 64 * 1024)
        let bomb = Inflater.gzip(Data(count: 10 << 20))
        let result = ReportLoader(limits: limits).load(bomb, as: "bomb.gz")
        #expect(result.reports.isEmpty)
        #expect(result.problems.first?.step == .decompress)
        #expect(result.problems.first?.reason.contains("limit") == true)

        let zipBomb = try Self.zip([("big.xml", Data(count: 10 << 20))])
        let zipResult = ReportLoader(limits: limits).load(zipBomb, as: "bomb.zip")
        #expect(zipResult.problems.first?.step == .unzip)
    }

    @Test func boundsContainerNesting() {
        var data = xml
        for _ in 0..<8 { data = Inflater.gzip(data) }
        let result = loader.load(data, as: "deep.gz")
        #expect(result.reports.isEmpty)
        #expect(result.problems.first?.reason.contains("nest") == true)
    }

    @Test func namesTheReasonForCorruptAndUnknownInput() {
        var corrupt = Inflater.gzip(xml)
        corrupt.replaceSubrange(20..<40, with: Data(repeating: 0xFF, count: 20))
        let results = [
            loader.load(corrupt, as: "corrupt.gz"), loader.load(Data(), as: "empty.xml"),
            loader.load(Data("garbage".utf8), as: "garbage.xml"),
        ]
        #expect(results.map { $0.problems.first?.step } == [.decompress, .detect, .detect])
        #expect(results.allSatisfy { $0.reports.isEmpty })
    }

    static func zip(_ entries: [(String, Data?)]) throws -> Data {
        let archive = try Archive(data: Data(), accessMode: .create)
        for (path, data) in entries {
            if let data {
                try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { (position: Int64, size: Int) in
                    data.subdata(in: Int(position)..<Int(position) + size)
                }
            } else {
                try archive.addEntry(with: path, type: .directory, uncompressedSize: Int64(0)) { (_: Int64, _: Int) in Data() }
            }
        }
        return archive.data ?? Data()
    }
}
