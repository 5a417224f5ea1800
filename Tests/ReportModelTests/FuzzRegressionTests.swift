import Foundation
import ReportModel
import Testing

/// Inputs the fuzz targets (Tests/Fuzz) found crashing or hanging a reader: each must now give
/// a clear problem, and never take the process down.
@Suite("Fuzz findings stay fixed")
struct FuzzRegressionTests {
    /// FuzzAggregateXML, 2026-11-29: a processing instruction without data (`<?xmF-89?>`) made
    /// swift-corelibs-foundation's XMLParser read a NULL pointer, crashing `sitegen build`. The
    /// byte-level parser that replaced it reads such an instruction like any other; the broken
    /// document around it is refused as not well-formed.
    static let processingInstructionWithoutData = Data(
        "<?xmF-89?>\n<feedbpppppppppike65.info</domain>\n        <k>\n".utf8)

    @Test func theCrashingDocumentIsRefusedAsMalformed() {
        let load = ReportLoader().load(Self.processingInstructionWithoutData, as: "crash-52f76a0c.xml")
        #expect(load.reportCount == 0)
        #expect(load.problems.map(\.step) == [.parse])
        #expect(load.problems.first?.reason.contains("not well-formed") == true)
    }

    @Test func aProcessingInstructionWithoutDataInsideAGoodReportIsHarmless() {
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
        #expect(load.reportCount == 1 && load.problems.isEmpty, "\(load.problems)")
        let withData = ReportLoader().load(Data(report.replacingOccurrences(of: "<?x?>", with: "<?x y?>").utf8), as: "pi-data.xml")
        #expect(withData.reportCount == 1, "a processing instruction with data is harmless: \(withData.problems)")
    }

    /// FuzzReportLoader, 2026-11-29: a zip whose central directory points past the end of the
    /// archive made ZIPFoundation's in-memory reader form an inverted range and trap.
    static let zipOffsetPastTheEnd = Data(base64Encoded: [
        "UEsDBBQAAAAIAMEONV0IS074fgIAAHIPAAA7AAAAY29tY2FzdC5uZXQhZmFicmlrYW0tc2hvcC5leGFtcGxlITE3ODk4NjI0MDAh",
        "MTc4OTk0ODc5OS54bWztl81ymzAQx+95Co/vER+2Y8gopKc+QXtmZLRgNSBpJHDSPn0lC2HimEzausk0zclid9mPv35oZHz70NSz",
        "HSjNBL+ZRyicz4AXgjJe3cy/fvl8mcxvswtcAtANKe6yi9kM9+GZicaBf7AOBVKoNm+gJZS0xNqMVagq56SBrBBNQXSLOLQ4GKwu",
        "CBrC6ow2RBU5qarcpfr06BUX4+L7UoyOs16XZKPYHWku9VZIBA+kkTVcR+skTa7iZRhel2VS0phSHBwSuISmYcgV4VXfkTFtoGJm",
        "yuFtHDiL9wOne2+6TNZpavrjPlnwONtQbawMlqJmxfdcdpua6S0MjQgzJs9OjmISO68LJfSONZnCgVv0Ri3Lvc3+OpPMFHyDwkgo",
        "e4s+mLS3yaLNIjulXey7PtWhUb4QyjerxP0ghxadKiBnMosXKF5FKF6sURSvTInB42ML0XFTbYkDt/L2viLsSN0ZCal3WF2YlkKz",
        "1sLGBbdajCyjOCuFJFqbgEGVfujSyMpqO3M5lAxO1zR75mfDjAJvWckM6qPN30EtJOSlEk1GGvJDcA0aGRwtCWOnf2ULhIJytont",
        "HYf0bTwpjknXbs0Horu6PfRzNOvLKeo/J5utl61/GAQap56oczT/H+Qfbc2Z0h++g+BYORvsaf4VsOMERUk0Dfbig+sPrv8hrqM0",
        "QTGKlqlBO37mvA7fC9f2JhGFEdLdfRohpSu96+8Y/xvhTeFHPzfckxq/3fEdpihZGcbtvWQa89e/lTjH2SmfYOgdM34SxLOUOetp",
        "a/hbmPP2KkZxuJwGMf5NEP3V/hkU3bn6egcu7ShUkKRI8Jrxt4HwJBxPGvsLWODg8P/5J1BLAQIUAxQAAAAIAMEONV0IS074fgIA",
        "AHIPAAA7AAAAAAAAAAAAAACkgQAAYwBjAG9tYXN0Lm5ldCFmYWJyaWthbS1zaG9wLmV4YW1wbGUhMTc4OTg2MjQwMCExNzg5OTQ4",
        "Nzk5LnhtbFBLBQYAAAAAAQABAGkAAADXAgAAAAA=",
    ].joined())!

    @Test func aZipWhoseOffsetsPointPastItsEndIsRefused() {
        let load = ReportLoader().load(Self.zipOffsetPastTheEnd, as: "crash-c06fe968.zip")
        #expect(load.reportCount == 0)
        #expect(!load.problems.isEmpty && load.problems.allSatisfy { $0.step == .unzip })
    }

    /// FuzzAggregateXML, 2026-11-29: an XML declaration naming windows-1252 whose `?>` was
    /// mangled made libxml2 crash while switching encoding inside Foundation's XMLParser.
    static let mangledDeclaration = Data(base64Encoded: [
        "PD94bWwgdmVyc2lvbj0iMS4wIiBlbmNvZGluZz0id2luZG93cy0xMjUyIj//////PjxmZWVkYmFjcDovL3d3dy53My5vcmcvcmMt",
        "eG0YLzEuMSBkbWFkYXRhu8OQjZigkZ5tZT5BT0w8L29yZ19uYW1yZD4KPC9mVUludGFjaz4K",
    ].joined())!

    @Test func aMangledXMLDeclarationIsRefusedWithoutCrashing() {
        let load = ReportLoader().load(Self.mangledDeclaration, as: "crash-fb5347d8.xml")
        #expect(load.reportCount == 0)
        #expect(load.problems.map(\.step) == [.parse])
    }

    /// FuzzReportLoader, 2026-11-29: a zip entry whose deflate stream ran to the end of the file
    /// without ending made ZIPFoundation loop forever; deflated entries are now inflated by zlib here.
    static let truncatedDeflateInZip = Data(base64Encoded: [
        "UEsDBBQAAAAIAE4mVlyNrJDlNgQAAD45AAA0AAAAZ29vZ2xlLmNvbSFjb250b3NvLmV4YW1wbGUhMTc3MTYzMjAwMCExNzcxNzE4",
        "Mzk5LnhtbO2bW3ObOhCA3/srMnmPQOLOUHqezi9onz0yEo5qkBhJ2I5//REBbJ80prkUN/HowRN7dVutvmVXQsm+7erqZkOlYoJ/",
        "vYXAvb2hvBCE8dXX2x/f/72Lb7/lX7KSUrLExTr/cnOTDdVzUztzxh9dgaSNkHpRU40J1riTGamQqwXHNc1XQqwqCgpRZ85B2Neh",
        "NWZVzoXpoXq4IzWWxZ1qm667f06b9fWGNjst8aIQXONCLxgvRX6vdaNSxxmagmNTBzuYqy2VDvLDMIiN5s+07zsepsFI7rtB5Idu",
        "4CPkxlHsumGcOcfivrqZKl1IzFfDZIxoSVfM2CeKYOgh1zWD9ZKxnHLyWBrB2EsSowofO3P+39thtFObZo2oWPGwaNplxdQ9PSgi",
        "jHV43s1IKAHoDtdNRU2XvbyvhMma1bnMnP7LIFRN+Sjr/vaixqwGN42b4bcaBWqUNIXOYTe37sujrs/pZaxZCDmqKMX2YAQlWlnQ",
        "BWty5CYgDgCCEUCBGeFQMFYtRMvNYJGxfv91LBhGpBtctcZwZCzorMFUIxTTHZy95qeSk3qdGRqslKlwsMgw5XIoOJjlZJZPxjQr",
        "Nc4tY4RyzUpmXOPQ7J5iQuWilKL+dYVOC4fefukjw62+X0iq2kofu32i8ksQ6OdGK1poIQenNFMcBcc6/ViDCYYfByucDpyd2Oc1",
        "SkwOcETReTrzrvII1Sv4gnEIYBKeByz2LV+WrzfzhRA0n+g8X0Fi+bJ8vYGv0I3SMl66qR+HforcNA26WHiOsy6IWs4sZ3+As9JH",
        "EwmZjZeWs3fGS9+d4AtZvixfb8/3w46viTgJXcuX5euPxMnl5L7SYmYxez1mMIxAnACIwu5zHq9wNr5KzKor4ktRTlaSEcCpnoJL",
        "1brBDZuDLlr7MPHAB4LMT0CEAPS7dOw8Y95sqb5l7PoZ6x9kgQuSidMx5FnELGLvfIwF02+QZttQWsSuHjHkGbbMjtI8xmAwkY75",
        "l99V9vR9Nsheke7TRmxJFRZktW8JrteVXotos90Em/V+05L2nQA+rx+u8V5wRVV/9+C8dgj5zH/Y4YBsogLt9t5W1NuwoS1Wmgou",
        "5nCP3yl3Ka8I/O4MD6DY7FGmgvvlX0lYp7BO8bdDRQAg/FgHkNYrrFf8rRw9iYHxCuiacOFNecXlX/tcvVd8gPNSJUrd2/kDMHb5",
        "I1OLWP786n86xKIIhB7wIQi8iQNTC9gTwD7D0sYmafO6YyQEkDt1w8qu7ktWd9NuhKYFBd3t+vNry2mrJZ53abv7AJ4LgtBsVyfe",
        "c0C7sC+KC2u2bVEAdg/7qZBAaIlNZ3OkHZMKjFw9Lsqs2YYLYv/xogmMJ4KBpeoas42GyppKKeTMl5lcmJJlnOKCpjFK0jQgE1fM",
        "LWkvCUw/qWx/E5Tm3w6bZAMmCJh0EiV2p/JJEsnMMP4v5H9QSwECFAMUAAAACABOJlZcjayQ5TYEAAA+OQAANAAAAAAAAAAAAAAA",
        "pIEAAAAAZ29vZ2xlLmNvbSFjb250b3NvLmV4YW1wbGUhMTc3MTYzMjAwMCExNzcxNzE4Mzk5LnhtbFBLBQYAAAAAAQABAGIAAACI",
        "BAAAAAA=",
    ].joined())!

    @Test(.timeLimit(.minutes(1))) func aZipEntryWhoseDeflateStreamNeverEndsIsRefused() {
        let load = ReportLoader().load(Self.truncatedDeflateInZip, as: "timeout-eef260b7.zip")
        #expect(load.reportCount == 0)
        #expect(!load.problems.isEmpty && load.problems.allSatisfy { $0.step == .unzip })
    }
}
