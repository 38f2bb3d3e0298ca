// swift-tools-version:6.0
//
// newsdrop: an ingestion daemon that turns a stream of news articles into one
// deduplicated SQLite corpus. Data flows one way through the targets below:
//
//   NewsdropCore   pure logic: formats, normalization, fingerprints (no I/O)
//   NewsdropControlProtocol  the control socket's messages, shared with newsdropctl
//   NewsdropStore  the SQLite schema, migrations and queries (GRDB)
//   NewsdropDaemon the runtime: inbox, pipeline, signals
//   CNewsdropSystem Linux calls Swift cannot reach directly (renameat2, accept4, SO_PEERCRED, SO_PEERGROUPS)
//   CCurl          libcurl with typed (non-variadic) setopt/getinfo wrappers, for the URL fetcher
//   CSQLiteSetup   SQLite's process-wide settings (sqlite3_config is variadic) and the VFS that gathers log writes
//   newsdropd      the daemon executable (a thin shell around NewsdropDaemon)
//   newsdropctl    the control client
import PackageDescription

let package = Package(
    name: "newsdrop",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "newsdropd", targets: ["newsdropd"]),
        .executable(name: "newsdropctl", targets: ["newsdropctl"]),
        .executable(name: "newsdrop-bench", targets: ["newsdrop-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        // The system's libcrypto (OpenSSL), for SHA-256. Swift imports it directly.
        .systemLibrary(
            name: "CLibcrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // The system's zlib, to compress archived HTTP responses.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // Linux system calls that Swift's Glibc module hides behind _GNU_SOURCE.
        .target(name: "CNewsdropSystem"),
        // libcurl (libcurl4-openssl-dev): its setopt/getinfo are variadic, so typed wrappers.
        .target(
            name: "CCurl",
            linkerSettings: [.linkedLibrary("curl")]
        ),
        // SQLite's start-time configuration: sqlite3_config is variadic, so a C wrapper; and a
        // VFS, a table of C callbacks wrapping unix's (log_write_buffer.c).
        .target(
            name: "CSQLiteSetup",
            linkerSettings: [.linkedLibrary("sqlite3")]
        ),
        .target(
            name: "NewsdropCore",
            dependencies: ["CLibcrypto"]
        ),
        .target(
            name: "NewsdropControlProtocol",
            dependencies: ["NewsdropCore"]
        ),
        .target(
            name: "NewsdropStore",
            dependencies: [
                "NewsdropCore",
                "NewsdropControlProtocol",
                "CSQLiteSetup",
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's own C API, for the few hot statements bound without GRDB's boxing.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        .target(
            name: "NewsdropDaemon",
            dependencies: [
                "NewsdropCore",
                "NewsdropStore",
                "NewsdropControlProtocol",
                "CNewsdropSystem",
                "CCurl",
                "CZlib",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "newsdropd",
            dependencies: [
                "NewsdropDaemon",
                "NewsdropCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "newsdropctl",
            dependencies: [
                "NewsdropControlProtocol",
                "NewsdropCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Quality (and later speed) benchmarks that drive the real parser and store over ../shared data.
        .executableTarget(
            name: "newsdrop-bench",
            dependencies: [
                "NewsdropCore",
                "NewsdropStore",
                "NewsdropControlProtocol",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Fuzzing targets for the parsers of untrusted input (scripts/fuzz builds them with
        // libFuzzer; a normal build replays a corpus through them).
        .executableTarget(
            name: "newsdrop-fuzz",
            dependencies: ["NewsdropCore", "NewsdropControlProtocol", "CNewsdropSystem"]
        ),
        .testTarget(
            name: "NewsdropCoreTests",
            dependencies: ["NewsdropCore"]
        ),
        .testTarget(
            name: "NewsdropControlProtocolTests",
            dependencies: ["NewsdropControlProtocol"]
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
                "NewsdropControlProtocol",
                "NewsdropDaemon",
                "CZlib",
                // Listed so `swift test` always builds the executables these tests run.
                "newsdropd",
                "newsdropctl",
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
