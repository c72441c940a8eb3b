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
        .target(name: "FlowCompiler", dependencies: ["FlowLanguage", "FlowSyntax", "FlowDiagnostics"]),
        .target(
            name: "FlowRuntime",
            dependencies: ["FlowCompiler", "FlowLanguage", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "Conversations",
            dependencies: ["FlowRuntime", "FlowCompiler", "FlowLanguage", "FlowSyntax", "FlowDiagnostics"]
        ),
        .systemLibrary(name: "CReadline", path: "Sources/CReadline", providers: [.apt(["libreadline-dev"])]),
        .executableTarget(
            name: "talkflow",
            dependencies: [
                "FlowCompiler", "FlowLanguage", "FlowSyntax", "FlowDiagnostics", "FlowRuntime", "Conversations",
                "CReadline",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "talkflow-bench",
            dependencies: [
                "FlowCompiler", "FlowLanguage", "FlowSyntax", "FlowDiagnostics", "FlowRuntime", "Conversations",
            ]
        ),
        .testTarget(name: "FlowDiagnosticsTests", dependencies: ["FlowDiagnostics"]),
        .testTarget(name: "FlowSyntaxTests", dependencies: ["FlowSyntax", "FlowDiagnostics"]),
        .testTarget(
            name: "FlowLanguageTests", dependencies: ["FlowLanguage", "FlowSyntax", "FlowDiagnostics", "FlowCompiler"]
        ),
        .testTarget(
            name: "FlowCompilerTests",
            dependencies: ["FlowCompiler", "FlowLanguage", "FlowSyntax", "FlowDiagnostics"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "FlowRuntimeTests", dependencies: ["FlowRuntime", "FlowCompiler", "FlowLanguage"]),
        .testTarget(
            name: "ConversationsTests",
            dependencies: [
                "Conversations", "FlowRuntime", "FlowCompiler", "FlowLanguage", "FlowSyntax", "FlowDiagnostics",
            ]
        ),
        .testTarget(name: "TalkflowCLITests", dependencies: ["FlowCompiler"]),
    ],
    swiftLanguageModes: [.v6]
)
