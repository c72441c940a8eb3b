// swift-tools-version: 6.1
import PackageDescription

/// The data path, one module per stage:
/// YAML text → libyaml events (`CYAML`) → syntax tree (`FlowSyntax`) → checked flow (`FlowLanguage`)
/// → state machine and lint rules (`FlowCompiler`) → command line (`talkflow`).
let package = Package(
    name: "talkflow",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "talkflow", targets: ["talkflow"]),
        .library(name: "FlowCompiler", targets: ["FlowCompiler"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .target(name: "FlowDiagnostics"),
        .target(name: "FlowSyntax", dependencies: ["CYAML", "FlowDiagnostics"]),
        .target(name: "FlowLanguage", dependencies: ["FlowSyntax", "FlowDiagnostics"]),
        .target(
            name: "FlowCompiler",
            dependencies: [
                "FlowLanguage", "FlowSyntax", "FlowDiagnostics", .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "FlowRuntime",
            dependencies: ["FlowCompiler", "FlowLanguage", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "Conversations",
            dependencies: ["FlowRuntime", "FlowCompiler", "FlowLanguage", "FlowSyntax", "FlowDiagnostics"]
        ),
        .target(
            name: "WhatsAppCloud",
            dependencies: [
                "FlowRuntime", "TalkflowJSON",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The small JSON reader shared by the store's columns and the webhook parser.
        .target(name: "TalkflowJSON"),
        .target(
            name: "Storage",
            dependencies: [
                "FlowRuntime", "FlowCompiler", "FlowDiagnostics", "TalkflowJSON",
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, for the hot path's statements (DirectStatement).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "TalkflowServer",
            dependencies: [
                "FlowRuntime", "FlowCompiler", "FlowLanguage", "FlowSyntax", "FlowDiagnostics", "WhatsAppCloud",
                "Storage", "TalkflowJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                // The HTTP parts Hummingbird's pipeline carries (StalledConnections), and NIO's HTTP/1 parts it
                // converts them from (ExpectContinue, which needs the HTTP version).
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .systemLibrary(name: "CReadline", path: "Sources/CReadline", providers: [.apt(["libreadline-dev"])]),
        .executableTarget(
            name: "talkflow",
            dependencies: [
                "FlowCompiler", "FlowLanguage", "FlowSyntax", "FlowDiagnostics", "FlowRuntime", "Conversations",
                "CReadline", "Storage", "WhatsAppCloud", "TalkflowServer",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "talkflow-bench",
            dependencies: [
                "FlowCompiler", "FlowLanguage", "FlowSyntax", "FlowDiagnostics", "FlowRuntime", "Conversations",
                "Storage", "TalkflowServer", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), "TalkflowJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        // Test support shared by the test targets that check files against the JSON Schemas.
        .target(name: "SchemaTestSupport", dependencies: ["FlowSyntax", "TalkflowJSON"], path: "Tests/Support"),
        // A fake of Meta's Graph API (a real HTTP server on loopback), shared by the client's and the server's tests.
        .target(
            name: "GraphAPITestSupport",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/GraphAPISupport"
        ),
        // Starting child processes with posix_spawn instead of Foundation's `Process`, which reads past a buffer on
        // Linux; shared by every test target that runs a program.
        .target(name: "ProcessTestSupport", dependencies: ["FlowDiagnostics"], path: "Tests/ProcessSupport"),
        .testTarget(name: "FlowDiagnosticsTests", dependencies: ["FlowDiagnostics"]),
        .testTarget(name: "FlowSyntaxTests", dependencies: ["FlowSyntax", "FlowDiagnostics", "SchemaTestSupport"]),
        .testTarget(
            name: "FlowLanguageTests",
            dependencies: ["FlowLanguage", "FlowSyntax", "FlowDiagnostics", "FlowCompiler", "SchemaTestSupport"]
        ),
        .testTarget(
            name: "FlowCompilerTests",
            dependencies: ["FlowCompiler", "FlowLanguage", "FlowSyntax", "FlowDiagnostics", "ProcessTestSupport"],
            resources: [.copy("Fixtures"), .copy("UnquotedText")]
        ),
        .testTarget(
            name: "FlowRuntimeTests",
            dependencies: ["FlowRuntime", "FlowCompiler", "FlowLanguage", "SchemaTestSupport"]
        ),
        .testTarget(
            name: "ConversationsTests",
            dependencies: [
                "Conversations", "FlowRuntime", "FlowCompiler", "FlowLanguage", "FlowSyntax", "FlowDiagnostics",
                "SchemaTestSupport",
            ]
        ),
        .testTarget(name: "TalkflowCLITests", dependencies: ["FlowCompiler", "Storage", "ProcessTestSupport"]),
        .testTarget(
            name: "WhatsAppCloudTests",
            dependencies: [
                "WhatsAppCloud", "FlowRuntime", "GraphAPITestSupport", "TalkflowJSON",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(name: "TalkflowJSONTests", dependencies: ["TalkflowJSON"]),
        .testTarget(
            name: "StorageTests",
            dependencies: [
                "Storage", "FlowRuntime", "FlowCompiler", "TalkflowJSON", "ProcessTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "TalkflowServerTests",
            dependencies: [
                "TalkflowServer", "WhatsAppCloud", "Storage", "FlowRuntime", "FlowCompiler", "FlowDiagnostics",
                "FlowSyntax", "SchemaTestSupport", "GraphAPITestSupport", "ProcessTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
