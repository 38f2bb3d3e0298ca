// swift-tools-version:6.0
//
// newsdrop: an ingestion daemon that turns a stream of news articles into one
// deduplicated SQLite corpus. Data flows one way through the targets below:
//
//   NewsdropCore   pure logic: formats, normalization, fingerprints (no I/O)
//   NewsdropStore  the SQLite schema, migrations and queries (GRDB)
//   NewsdropDaemon the runtime: inbox, pipeline, signals
//   CNewsdropSystem Linux calls Swift cannot reach directly (renameat2)
//   newsdropd      the daemon executable (a thin shell around NewsdropDaemon)
import PackageDescription

let package = Package(
    name: "newsdrop",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "newsdropd", targets: ["newsdropd"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // The system's libcrypto (OpenSSL), for SHA-256. Swift imports it directly.
        .systemLibrary(
            name: "CLibcrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // Linux system calls that Swift's Glibc module hides behind _GNU_SOURCE.
        .target(name: "CNewsdropSystem"),
        .target(
            name: "NewsdropCore",
            dependencies: ["CLibcrypto"]
        ),
        .target(
            name: "NewsdropStore",
            dependencies: [
                "NewsdropCore",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .target(
            name: "NewsdropDaemon",
            dependencies: [
                "NewsdropCore",
                "NewsdropStore",
                "CNewsdropSystem",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "newsdropd",
            dependencies: [
                "NewsdropDaemon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "NewsdropCoreTests",
            dependencies: ["NewsdropCore"]
        ),
        .testTarget(
            name: "NewsdropStoreTests",
            dependencies: [
                "NewsdropCore",
                "NewsdropStore",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "NewsdropDaemonTests",
            dependencies: [
                "NewsdropCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                // Listed so `swift test` always builds the daemon these tests start.
                "newsdropd",
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
