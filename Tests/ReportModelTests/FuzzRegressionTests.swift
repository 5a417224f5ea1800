import Foundation
import ReportModel
import Testing

/// Inputs the fuzz targets (Tests/Fuzz) found crashing or hanging a reader: each must now give
/// a clear problem, and never take the process down.
@Suite("Fuzz findings stay fixed")
struct FuzzRegressionTests {
    /// FuzzAggregateXML, 2026-11-29: a processing instruction without data (`<?xmF-89?>`) made
    /// swift-corelibs-foundation's XMLParser read a NULL pointer, crashing `sitegen build`.
    static let processingInstructionWithoutData = Data(
        "<?xmF-89?>\n<feedbpppppppppike65.info</domain>\n        <k>\n".utf8)

    @Test func aProcessingInstructionWithoutDataIsRefused() {
        let load = ReportLoader().load(Self.processingInstructionWithoutData, as: "crash-52f76a0c.xml")
        #expect(load.reportCount == 0)
        #expect(load.problems.map(\.step) == [.parse])
        #expect(load.problems.first?.reason.contains("processing instruction") == true)
    }

    @Test func anEmptyProcessingInstructionInsideAGoodReportIsRefusedToo() {
        let report = """
            <?xml version="1.0"?>
            <feedback><?x?><report_metadata><org_name>a</org_name><email>a@a.example</email><report_id>1</report_id>
            <date_range><begin>1764547200</begin><end>1764633599</end></date_range></report_metadata>
            <policy_published><domain>a.example</domain></policy_published>
            <record><row><source_ip>192.0.2.1</source_ip><count>1</count><policy_evaluated><disposition>none</disposition>
            <dkim>pass</dkim><spf>pass</spf></policy_evaluated></row><identifiers><header_from>a.example</header_from></identifiers>
            </record></feedback>
            """
        let load = ReportLoader().load(Data(report.utf8), as: "pi.xml")
        #expect(load.reportCount == 0 && load.problems.count == 1)
        let withData = ReportLoader().load(Data(report.replacingOccurrences(of: "<?x?>", with: "<?x y?>").utf8), as: "pi-data.xml")
        #expect(withData.reportCount == 1, "a processing instruction with data is harmless: \(withData.problems)")
    }
}
