// swift-tools-version:5.9
// RedisCloudAuth: the Swift face of redis-cloud-auth over the Rust core.
//
// Apple platforms link the static library inside the XCFramework that
// `swift/build-xcframework.sh` builds (build/RedisCloudAuthFFI.xcframework).
// Linux links the cdylib through a system-library target over the generated
// header: pass its folder to the linker, see README.md.
import PackageDescription

#if os(Linux)
let ffi: Target = .systemLibrary(name: "RedisCloudAuthFFI", path: "Sources/RedisCloudAuthFFI")
#else
let ffi: Target = .binaryTarget(name: "RedisCloudAuthFFI", path: "build/RedisCloudAuthFFI.xcframework")
#endif

let package = Package(
    name: "RedisCloudAuth",
    platforms: [.macOS(.v12), .iOS(.v15)],
    products: [
        .library(name: "RedisCloudAuth", targets: ["RedisCloudAuth"]),
    ],
    targets: [
        ffi,
        .target(
            name: "RedisCloudAuth",
            dependencies: ["RedisCloudAuthFFI"],
            path: "Sources/RedisCloudAuth",
            linkerSettings: [
                .linkedFramework("Security", .when(platforms: [.macOS, .iOS])),
                .linkedFramework("SystemConfiguration", .when(platforms: [.macOS, .iOS])),
                .linkedFramework("CoreFoundation", .when(platforms: [.macOS, .iOS])),
            ]
        ),
        .testTarget(
            name: "RedisCloudAuthTests",
            dependencies: ["RedisCloudAuth"],
            path: "Tests/RedisCloudAuthTests"
        ),
    ]
)
