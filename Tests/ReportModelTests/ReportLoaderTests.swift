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
