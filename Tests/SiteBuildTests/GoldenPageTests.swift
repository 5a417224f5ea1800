import Foundation
import Testing

/// Rendered pages compared byte for byte with the files in `Golden/`. After an intended change
/// to a page, regenerate them with `SITEGEN_UPDATE_GOLDEN=1 swift test --filter GoldenPageTests`
/// and review the diff.
@Suite("Golden pages")
struct GoldenPageTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    static let updating = ProcessInfo.processInfo.environment["SITEGEN_UPDATE_GOLDEN"] == "1"

    static let pages = [
        ("month-overview.html", "public/acme-it/contoso/2025-12/index.html"),
        ("domain.html", "public/acme-it/contoso/2025-12/contoso.example/index.html"),
        ("tls.html", "public/acme-it/contoso/2025-12/tls/index.html"),
        ("summary.json", "public/acme-it/contoso/2025-12/summary.json"),
    ]

    @Test func pagesMatchTheGoldenFiles() throws {
        let workspace = try FixtureWorkspace(config: SiteBuildTests.config, reports: SiteBuildTests.reports(), files: SiteBuildTests.blueTheme)
        defer { workspace.remove() }
        _ = try workspace.build()
        for (golden, rendered) in Self.pages {
            let actual = try Data(contentsOf: workspace.root.appendingPathComponent(rendered))
            let goldenURL = Self.folder.appendingPathComponent(golden)
            if Self.updating {
                try actual.write(to: goldenURL)
                continue
            }
            let expected = try Data(contentsOf: goldenURL)
            #expect(actual == expected, "\(rendered) differs from Golden/\(golden); if the change is intended, regenerate (see GoldenPageTests)")
        }
    }
}
