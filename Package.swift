// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "sitegen",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sitegen", targets: ["sitegen"]),
        .library(name: "SiteBuild", targets: ["SiteBuild"]),
    ],
    traits: [
        .trait(
            name: "PostgreSQL",
            description: "The PostgreSQL report archive (postgres-nio), for several ingest workers sharing one archive."
        ),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // Built only with `--traits PostgreSQL`: SwiftNIO adds minutes to a clean build.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CCmarkGFM",
            pkgConfig: "libcmark-gfm",
            providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]
        ),
        .systemLibrary(
            name: "SystemZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "SystemNettle",
            pkgConfig: "nettle",
            providers: [.apt(["nettle-dev"])]
        ),
        .target(name: "ContentDigest", dependencies: ["SystemNettle"]),
        // renameat2 (atomic folder swap for `publish`) and crypt_r (bcrypt for .htpasswd).
        .target(
            name: "CSiteSystem",
            linkerSettings: [.linkedLibrary("crypt", .when(platforms: [.linux]))]
        ),
        // The byte classes of the plain XML scanner, 16 bytes at a time (SSE2).
        .target(name: "CByteClasses"),
        .target(
            name: "ReportModel",
            dependencies: [
                "SystemZlib",
                "CByteClasses",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            resources: [.process("Resources")]
        ),
        .target(
            name: "Templating",
            dependencies: [
                "CCmarkGFM",
                .product(name: "Yams", package: "Yams"),
                "ContentDigest",
            ]
        ),
        .target(
            name: "ReportArchive",
            dependencies: ["ReportModel", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // Empty unless built with the PostgreSQL trait (its sources are `#if PostgreSQL`).
        .target(
            name: "PostgresArchive",
            dependencies: [
                "ReportArchive",
                "ReportModel",
                .product(name: "PostgresNIO", package: "postgres-nio", condition: .when(traits: ["PostgreSQL"])),
            ]
        ),
        .target(name: "SyntheticReports", dependencies: ["ReportModel", "SystemZlib"]),
        .target(
            name: "SiteBuild",
            dependencies: [
                "ReportModel",
                "ReportArchive",
                .target(name: "PostgresArchive", condition: .when(traits: ["PostgreSQL"])),
                "ContentDigest",
                "Templating",
                "CSiteSystem",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(name: "Benchmark", dependencies: ["SiteBuild", "SyntheticReports", "ReportModel", "ContentDigest"]),
        .executableTarget(
            name: "sitegen",
            dependencies: [
                "SiteBuild",
                "ReportArchive",
                "SyntheticReports",
                "Benchmark",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // libFuzzer targets (Tests/Fuzz/run.sh builds them with -sanitize=fuzzer -DFUZZING);
        // a plain build makes them replay tools that run saved inputs through the same code.
        .target(name: "FuzzSupport", path: "Tests/Fuzz/FuzzSupport"),
        .systemLibrary(name: "CLibFuzzer", path: "Tests/Fuzz/CLibFuzzer"),
        .executableTarget(name: "FuzzAggregateXML", dependencies: ["FuzzSupport", "CLibFuzzer", "ReportModel"], path: "Tests/Fuzz/FuzzAggregateXML"),
        .executableTarget(name: "FuzzTLSJSON", dependencies: ["FuzzSupport", "CLibFuzzer", "ReportModel"], path: "Tests/Fuzz/FuzzTLSJSON"),
        .executableTarget(name: "FuzzMailMessage", dependencies: ["FuzzSupport", "CLibFuzzer", "ReportModel"], path: "Tests/Fuzz/FuzzMailMessage"),
        .executableTarget(name: "FuzzReportLoader", dependencies: ["FuzzSupport", "CLibFuzzer", "ReportModel"], path: "Tests/Fuzz/FuzzReportLoader"),
        .testTarget(name: "ContentDigestTests", dependencies: ["ContentDigest"]),
        .testTarget(name: "ReportModelTests", dependencies: ["ReportModel", "SyntheticReports", "CByteClasses"]),
        // swift-mustache renders every template beside sitegen's own engine in the
        // differential tests; sitegen itself does not link it.
        .testTarget(
            name: "TemplatingTests",
            dependencies: ["Templating", .product(name: "Mustache", package: "swift-mustache")]
        ),
        .testTarget(
            name: "ReportArchiveTests",
            dependencies: [
                "ReportArchive", "SyntheticReports", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        .testTarget(
            name: "SiteBuildTests",
            dependencies: ["SiteBuild", "SyntheticReports", .product(name: "Mustache", package: "swift-mustache")]
        ),
        .testTarget(name: "BenchmarkTests", dependencies: ["Benchmark", "SyntheticReports"]),
        .testTarget(
            name: "PostgresArchiveTests",
            dependencies: ["PostgresArchive", "ReportArchive", "SiteBuild", "SyntheticReports"]
        ),
    ]
)
