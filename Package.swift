// swift-tools-version: 6.2
// videogen: one client for video-generation services, as a Swift library and a C library (libvideogen.so).
import PackageDescription

/// Only the header's `vg_` functions leave libvideogen.so; everything else (Swift symbols included) stays local.
let exportsMap = Context.packageDirectory + "/Sources/VideoGenC/exports.map"

let package = Package(
    name: "videogen",
    products: [
        .library(name: "VideoGen", targets: ["VideoGen"]),
        .library(name: "videogen", type: .dynamic, targets: ["VideoGenC"]),
    ],
    targets: [
        // The C contract, header only, so Swift can import it and check every @c @implementation against it.
        .target(name: "CVideoGen", path: "include", publicHeadersPath: "."),
        // The core's few native helpers, in C because Swift cannot reach them: SHA-256 block compression with the
        // x86-64 SHA extensions when the processor has them (portable C otherwise), the O_DIRECT switch, and the
        // webhook verifiers' HMAC-SHA256 and ED25519 from the system's OpenSSL libcrypto.
        // DWARF 4 like the Swift code: Debian 12's valgrind 3.19 gives up on a library with several DWARF 5 units
        // (make check-sanitizers runs memcheck against the release library).
        .target(name: "CVideoGenNative", cSettings: [.unsafeFlags(["-gdwarf-4"])], linkerSettings: [.linkedLibrary("curl"), .linkedLibrary("crypto")]),
        // The Swift core: model, pure provider adapters, polling engine, transport.
        .target(name: "VideoGen", dependencies: ["CVideoGenNative"], swiftSettings: [.swiftLanguageMode(.v6)]),
        // Thin shims implementing include/videogen.h on top of the core.
        .target(
            name: "VideoGenC",
            dependencies: ["VideoGen", "CVideoGen"],
            exclude: ["exports.map"],
            swiftSettings: [.swiftLanguageMode(.v6)],
            linkerSettings: [.unsafeFlags(["-Xlinker", "--version-script=\(exportsMap)"])]
        ),
        .testTarget(
            name: "VideoGenTests",
            dependencies: ["VideoGen", "VideoGenC", "CVideoGen", "CVideoGenNative"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
