// swift-tools-version:6.0
// Kexue — a deep-learning toolkit in Swift. Module layers point one way (DESIGN.md §1):
// CBLAS → Kexue → KexueNN → {KexueText, KexueVision} → KexueExplain → kexue.
import PackageDescription

let package = Package(
    name: "Kexue",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Kexue", targets: ["Kexue"]),
        .library(name: "KexueNN", targets: ["KexueNN"]),
        .library(name: "KexueText", targets: ["KexueText"]),
        .library(name: "KexueVision", targets: ["KexueVision"]),
        .library(name: "KexueExplain", targets: ["KexueExplain"]),
        .executable(name: "kexue", targets: ["kexue"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // Hot Float32 row kernels in C, compiled per instruction set and chosen at load time.
        .target(name: "CKernels"),
        .target(name: "Kexue", dependencies: ["CBLAS", "CKernels"]),
        .target(name: "KexueNN", dependencies: ["Kexue"]),
        .target(name: "KexueText", dependencies: ["KexueNN"]),
        .target(name: "KexueVision", dependencies: ["KexueNN"]),
        .target(name: "KexueExplain", dependencies: ["KexueText", "KexueVision"]),
        .executableTarget(
            name: "kexue",
            dependencies: [
                "Kexue", "KexueNN", "KexueText", "KexueVision", "KexueExplain",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "KexueTests", dependencies: ["Kexue"]),
        .testTarget(name: "KexueNNTests", dependencies: ["KexueNN"]),
        .testTarget(name: "KexueTextTests", dependencies: ["KexueText"]),
        .testTarget(name: "KexueVisionTests", dependencies: ["KexueVision"]),
        .testTarget(name: "KexueExplainTests", dependencies: ["KexueExplain"]),
    ]
)
