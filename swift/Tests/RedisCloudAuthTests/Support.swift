// Test support: the shared vectors, secret-free text checks, loopback
// sockets, and real `rcauth serve` processes.
import Foundation
import XCTest
import RedisCloudAuth
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The repository root: this file is swift/Tests/RedisCloudAuthTests/Support.swift.
let repoRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// One file of tests/vectors/, parsed.
func loadVectors(_ name: String) throws -> [String: Any] {
    let data = try Data(contentsOf: repoRoot.appendingPathComponent("tests/vectors/\(name)"))
    return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
}

/// The cases under `key` of a vectors file.
func vectorCases(_ file: String, _ key: String) throws -> [[String: Any]] {
    try XCTUnwrap(loadVectors(file)[key] as? [[String: Any]])
}

/// Fails when any of `secrets` appears in `text`.
func assertNoSecret(_ text: String, _ secrets: [String], file: StaticString = #filePath, line: UInt = #line) {
    for secret in secrets where !secret.isEmpty && text.contains(secret) {
        XCTFail("a secret leaked into: \(text.replacingOccurrences(of: secret, with: "<the secret>"))", file: file, line: line)
    }
}

/// The associated value labelled `name` of an error's case (positions
/// change when the bindings add a field; labels do not).
func field<T>(_ error: Error, _ name: String, as type: T.Type) -> T? {
    guard let payload = Mirror(reflecting: error).children.first?.value else { return nil }
    return Mirror(reflecting: payload).children.first { $0.label == name }?.value as? T
}

/// Every text form of a value.
func textForms(_ value: Any) -> String {
    var text = "\(value) \(String(reflecting: value))"
    if let error = value as? Error {
        text += " \(error.localizedDescription)"
    }
    return text
}

/// The vectors' name of a key kind.
func vectorName(_ kind: KeyKind?) -> String? {
    switch kind {
    case .account?: return "account"
    case .user?: return "user"
    case nil: return nil
    }
}

/// The vectors' name of a credential source.
func vectorName(_ source: CredentialSource) -> String {
    switch source {
    case .explicit: return "explicit"
    case .environment: return "environment"
    case .profileFile: return "profile_file"
    case .keychain: return "keychain"
    case .custom: return "custom"
    }
}

/// Strings appended from many threads at once.
final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []

    func append(_ item: String) {
        lock.lock()
        defer { lock.unlock() }
        items.append(item)
    }

    var values: [String] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}

/// A fresh temporary folder, removed by the caller.
func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("rca-swift-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A socket call failed.
struct SocketError: Error {
    let call: String
}

/// A TCP socket on 127.0.0.1 and a port the system chose; listening ones
/// accept connections (into the backlog) and never answer.
final class LoopbackSocket {
    let port: UInt16
    private var fd: Int32

    init(listening: Bool) throws {
        #if canImport(Glibc)
        let handle = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let handle = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard handle >= 0 else { throw SocketError(call: "socket") }
        var address = sockaddr_in()
        #if !canImport(Glibc)
        address.sin_len = UInt8(MemoryLayout<sockaddr_in>.size)
        #endif
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(handle, $0, length) }
        }
        guard bound == 0 else { throw SocketError(call: "bind") }
        if listening {
            guard listen(handle, 16) == 0 else { throw SocketError(call: "listen") }
        }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(handle, $0, &length) }
        }
        guard named == 0 else { throw SocketError(call: "getsockname") }
        fd = handle
        port = UInt16(bigEndian: address.sin_port)
    }

    func close() {
        if fd >= 0 {
            #if canImport(Glibc)
            _ = Glibc.close(fd)
            #else
            _ = Darwin.close(fd)
            #endif
            fd = -1
        }
    }

    deinit { close() }
}

/// A loopback port nothing listens on.
func closedPort() throws -> UInt16 {
    let socket = try LoopbackSocket(listening: false)
    socket.close()
    return socket.port
}

/// The `rcauth` binary: $RCAUTH_BIN, else the workspace's debug build.
func rcauthBinary() -> URL {
    let env = ProcessInfo.processInfo.environment
    if let path = env["RCAUTH_BIN"], !path.isEmpty {
        return URL(fileURLWithPath: path)
    }
    let target = env["CARGO_TARGET_DIR"].map { URL(fileURLWithPath: $0) } ?? repoRoot.appendingPathComponent("target")
    return target.appendingPathComponent("debug/rcauth")
}

/// One `rcauth serve` on 127.0.0.1 and a port the system chose.
final class Server {
    private let process = Process()
    let baseUrl: String

    init(data: URL, flags: [String] = []) throws {
        process.executableURL = rcauthBinary()
        process.arguments = ["--json", "serve", "--listen", "127.0.0.1:0", "--data", data.path] + flags
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line says where it listens.
        var line = Data()
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: line) as? [String: Any])
        baseUrl = try XCTUnwrap(json["baseUrl"] as? String)
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}

/// The running emulators and the keys of their accounts, shared by the tests.
final class Emulator {
    let verifier: Verifier
    let account: UInt64
    let owner: UInt64
    /// Allowed from loopback.
    let keys: ApiKeys
    /// Allowed only from 192.0.2.0/24: forbidden here.
    let outsideKeys: ApiKeys
    /// Of an account whose API is disabled.
    let disabledKeys: ApiKeys
    let baseUrl: String
    /// Answers 429 after one request a minute per key.
    let limitedBaseUrl: String
    private let servers: [Server]
    private let data: URL

    private init() throws {
        let data = try temporaryFolder()
        let verifier = try Verifier.openSqlite(path: data.appendingPathComponent("rcauth.sqlite3").path)
        let account = try verifier.createAccount(name: "acme")
        let owner = try verifier.addUser(accountId: account, name: "Ada", email: "ada@example.com", role: .owner)
        let accountKey = try XCTUnwrap(verifier.enableApi(accountId: account)).expose()
        let userKey = try verifier.createUserKey(
            accountId: account, actingUserId: owner, ownerId: owner, name: "loopback-key",
            allowList: ["127.0.0.0/8", "::1/128"]).expose()
        let outsideKey = try verifier.createUserKey(
            accountId: account, actingUserId: owner, ownerId: owner, name: "outside-only-key",
            allowList: ["192.0.2.0/24"]).expose()
        let off = try verifier.createAccount(name: "dormant")
        let offOwner = try verifier.addUser(accountId: off, name: "Dee", email: "dee@example.com", role: .owner)
        let offAccountKey = try XCTUnwrap(verifier.enableApi(accountId: off)).expose()
        let offUserKey = try verifier.createUserKey(
            accountId: off, actingUserId: offOwner, ownerId: offOwner, name: "dormant-app-key", allowList: []).expose()
        try verifier.disableApi(accountId: off)
        let server = try Server(data: data)
        let limited = try Server(data: data, flags: ["--rate-limit", "1"])

        self.data = data
        self.verifier = verifier
        self.account = account
        self.owner = owner
        self.keys = try ApiKeys(accountKey: accountKey, userKey: userKey)
        self.outsideKeys = try ApiKeys(accountKey: accountKey, userKey: outsideKey)
        self.disabledKeys = try ApiKeys(accountKey: offAccountKey, userKey: offUserKey)
        self.servers = [server, limited]
        self.baseUrl = server.baseUrl
        self.limitedBaseUrl = limited.baseUrl
        atexit {
            // The servers and their data end with the test process.
            if let emulator = Emulator.started {
                emulator.servers.forEach { $0.stop() }
                try? FileManager.default.removeItem(at: emulator.data)
            }
        }
    }

    private static var started: Emulator?
    private static let lock = NSLock()

    /// Started on first use, stopped when the test process exits.
    static func shared() throws -> Emulator {
        lock.lock()
        defer { lock.unlock() }
        if let emulator = started { return emulator }
        let emulator = try Emulator()
        started = emulator
        return emulator
    }
}
