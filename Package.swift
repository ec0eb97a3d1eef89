// swift-tools-version: 6.0
import PackageDescription

/// The Swift runtime and Foundation linked into `catalog` itself, on Linux. A CLI process pays for
/// every shared library at start: the dynamic loader resolved ~20,000 symbols and ~146,000 relative
/// relocations of 44 libraries before `main`. Linked in, `catalog --version` took 24 → 15 ms of CPU
/// and `find-column --cached` at N = 1000 115 → 76 ms (bench/README.md, "Start-up").
/// SwiftPM's `--static-swift-stdlib` does not link Foundation on this toolchain (CoreFoundation and
/// ICU are left out: "undefined reference to CFNumberCreate"), so the archives are named here, in
/// one group so their order does not matter. Only libpq and its own dependencies stay shared.
let staticSwiftRuntime: [String] = [
    "-static-stdlib", "-Xlinker", "--start-group",
    "-lFoundation", "-lFoundationInternationalization", "-lFoundationEssentials", "-lCoreFoundation",
    "-l_FoundationICU", "-l_FoundationCShims", "-l_FoundationCollections",
    "-ldispatch", "-lswiftDispatch", "-lBlocksRuntime", "-lswiftSynchronization",
    "-Xlinker", "--end-group",
]

let package = Package(
    name: "catalog",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "catalog", targets: ["catalog"]),
        .library(name: "CatalogCore", targets: ["CatalogCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        // Webhook alerts: HTTP(S) over SwiftNIO, so `catalog` does not link FoundationNetworking and libcurl.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // The C boundary: libpq's declarations (libpq-dev), and the library itself opened on first
        // use, so that commands which never connect do not load its 30 dependencies.
        .target(
            name: "CLibPQ",
            linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]
        ),
        // Process helpers with nothing to do with libpq: child processes and threads of catalog's own.
        .target(name: "CatalogSupport"),
        .target(
            name: "PostgresClient",
            dependencies: ["CLibPQ", "CatalogSupport"]
        ),
        // The numbered SQL migrations, kept once under schema/ and shipped as resources.
        .target(
            name: "CatalogSchema",
            path: "schema",
            resources: [.copy("sqlite"), .copy("registry"), .copy("postgres")]
        ),
        .target(
            name: "CatalogStore",
            dependencies: [
                "CatalogSchema",
                // The PostgreSQL-backed store talks to its registry through the same client as projects.
                "PostgresClient",
                .product(name: "GRDB", package: "GRDB.swift"),
                // sqlite3_set_authorizer, for the statements of `catalog sql`.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        .target(
            name: "CatalogCore",
            dependencies: [
                "CatalogSupport",
                "PostgresClient",
                "CatalogStore",
                "CatalogSchema",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // `catalog serve`: the HTTP API, the warm pool's owner and the web page. Only this target knows about HTTP.
        .target(
            name: "CatalogServer",
            dependencies: [
                "CatalogCore",
                "CatalogStore",
                "CatalogSupport",
                "PostgresClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // The OpenAPI document and the web page's HTML, script and style sheet, served as they are.
            resources: [.copy("Resources")]
        ),
        // The commands: argument parsing and output formatting only. A library so tests run them in-process.
        .target(
            name: "CatalogCLI",
            dependencies: [
                "CatalogCore",
                "CatalogStore",
                "PostgresClient",
                "CatalogServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "catalog",
            dependencies: ["CatalogCLI"],
            linkerSettings: [.unsafeFlags(staticSwiftRuntime, .when(platforms: [.linux]))]
        ),
        // The demo: a throwaway cluster with the sample projects, driven through the real `catalog` binary.
        .executableTarget(
            name: "catalog-demo",
            dependencies: ["CatalogTestSupport", "PostgresClient", "CatalogSupport"],
            path: "Sources/catalog-demo"
        ),
        // Throwaway PostgreSQL clusters, sample fleets and golden files for tests, the demo and
        // benchmarks. Nothing is mocked.
        .target(
            name: "CatalogTestSupport",
            dependencies: ["CatalogCore", "PostgresClient", "CatalogSupport", "CatalogStore"]
        ),
        // One test target per module; they build into one test process, which shares one cluster.
        .testTarget(
            name: "PostgresClientTests",
            dependencies: ["PostgresClient", "CatalogSupport", "CatalogCore", "CatalogTestSupport"]
        ),
        .testTarget(
            name: "CatalogStoreTests",
            dependencies: [
                "CatalogStore",
                "CatalogSchema",
                "PostgresClient",
                "CatalogCore",
                "CatalogTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "CatalogCoreTests",
            dependencies: [
                "CatalogCore",
                "CatalogCLI",  // SearchTests pins the CLI's output formats over the shared search fleet
                "CatalogSchema",
                "CatalogStore",
                "CatalogSupport",
                "PostgresClient",
                "CatalogTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "CatalogCLITests",
            dependencies: ["CatalogCLI", "CatalogCore", "CatalogStore", "CatalogSupport", "CatalogTestSupport"]
        ),
        .testTarget(
            name: "CatalogServerTests",
            dependencies: [
                "CatalogServer",
                "CatalogCore",
                "CatalogStore",
                "CatalogSupport",
                "PostgresClient",
                "CatalogTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ]
)
