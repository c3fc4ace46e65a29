// Credential stores: the library's own, and one written in Swift behind the
// foreign `CredentialStore` protocol (as an iOS Keychain-backed store would be).
import Foundation
import XCTest
import RedisCloudAuth

private let storeAccount = "AccountKey0123"
private let storeUser = "UserKeyStore0123456"

private func credentials(user: String = storeUser, baseUrl: String? = nil) throws -> Credentials {
    try Credentials(keys: ApiKeys(accountKey: storeAccount, userKey: user), baseUrl: baseUrl)
}

/// What an app's own secure storage looks like: plain strings, as a
/// platform keychain holds them once read.
final class DictStore: CredentialStore, @unchecked Sendable {
    private struct Entry {
        let account: String
        let user: String
        let baseUrl: String?
    }

    private let lock = NSLock()
    private var saved: [String: Entry] = [:]
    private var log: [String] = []

    /// Every call the library made, in order.
    var calls: [String] {
        lock.lock()
        defer { lock.unlock() }
        return log
    }

    func save(profile: String, credentials: Credentials) throws {
        let keys = credentials.keys()
        let entry = Entry(account: keys.exposeAccountKey(), user: keys.exposeUserKey(), baseUrl: credentials.baseUrl())
        lock.lock()
        defer { lock.unlock() }
        log.append("save \(profile)")
        saved[profile] = entry
    }

    func load(profile: String) throws -> Credentials? {
        lock.lock()
        log.append("load \(profile)")
        let entry = saved[profile]
        lock.unlock()
        guard let entry = entry else { return nil }
        return try Credentials(keys: ApiKeys(accountKey: entry.account, userKey: entry.user), baseUrl: entry.baseUrl)
    }

    func delete(profile: String) throws -> Bool {
        lock.lock()
        defer { lock.unlock() }
        log.append("delete \(profile)")
        return saved.removeValue(forKey: profile) != nil
    }

    func describe() -> String { "dict store" }
}

/// A store whose backend fails, the way a locked keychain does.
final class FailingStore: CredentialStore, @unchecked Sendable {
    struct Broken: Error {}

    private let typed: Bool

    init(typed: Bool) { self.typed = typed }

    private func fail() -> Error { typed ? CredentialError.store("keychain is locked") : Broken() }

    func save(profile: String, credentials: Credentials) throws { throw fail() }
    func load(profile: String) throws -> Credentials? { throw fail() }
    func delete(profile: String) throws -> Bool { throw fail() }
    func describe() -> String { "failing store" }
}

private func bareChain() -> CredentialChain {
    CredentialChain().environment(variables: [:]).profileFile(path: nil).keychain(service: nil)
}

final class CredentialStoreTests: XCTestCase {
    private func roundTrip(_ store: CredentialStore, _ profile: String) throws {
        XCTAssertNil(try store.load(profile: profile))
        XCTAssertFalse(try store.delete(profile: profile))
        let saved = try credentials(baseUrl: "http://127.0.0.1:1/v1")
        try store.save(profile: profile, credentials: saved)
        let loaded = try XCTUnwrap(store.load(profile: profile))
        XCTAssertEqual(loaded, saved)
        XCTAssertEqual(loaded.keys().exposeUserKey(), storeUser)
        XCTAssertEqual(loaded.baseUrl(), "http://127.0.0.1:1/v1")
        try store.save(profile: profile, credentials: credentials(user: "UserKeyReplaced01"))
        XCTAssertEqual(try store.load(profile: profile)?.keys().exposeUserKey(), "UserKeyReplaced01")
        XCTAssertTrue(try store.delete(profile: profile))
        XCTAssertNil(try store.load(profile: profile))
    }

    func testMemoryStoreRoundTrip() throws {
        try roundTrip(memoryStore(), "memory-profile")
        XCTAssertEqual(memoryStore().describe(), "memory")
    }

    func testFileStoreRoundTripWithMode0600() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("nested/credentials.toml").path
        let store = fileStore(path: path)
        try roundTrip(store, "file-profile")
        try store.save(profile: "kept", credentials: credentials())
        let mode = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)
        XCTAssertEqual(mode.intValue & 0o777, 0o600)
        XCTAssertTrue(try String(contentsOfFile: path, encoding: .utf8).contains(storeUser))
        XCTAssertTrue(store.describe().contains(path))
    }

    func testFileStoreRefusesAFileOthersCanRead() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("credentials.toml").path
        try fileStore(path: path).save(profile: "default", credentials: credentials())
        try FileManager.default.setAttributes([.posixPermissions: NSNumber(value: 0o644)], ofItemAtPath: path)
        XCTAssertThrowsError(try fileStore(path: path).load(profile: "default")) { error in
            guard let error = error as? CredentialError, case .InsecurePermissions = error else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(error.code, "insecure_permissions")
            XCTAssertEqual(field(error, "path", as: String.self), path)
            assertNoSecret(textForms(error), [storeUser])
        }
    }

    func testKeychainStoreRoundTrip() throws {
        let service = "rca-swift-test-\(UUID().uuidString.prefix(8))"
        let store = keychainStore(service: service)
        try roundTrip(store, "keychain-profile")
        XCTAssertTrue(store.describe().contains(service))
    }

    func testStoreErrorsAreTyped() throws {
        XCTAssertThrowsError(try memoryStore().save(profile: "bad name", credentials: credentials())) { error in
            XCTAssertEqual((error as? CredentialError)?.code, "invalid_profile_name")
        }
        XCTAssertThrowsError(try Credentials(keys: ApiKeys(accountKey: storeAccount, userKey: storeUser), baseUrl: "ftp://example.test")) { error in
            XCTAssertEqual((error as? CredentialError)?.code, "invalid_base_url")
        }
    }

    func testASwiftStoreRoundTripsThroughItsOwnProtocol() throws {
        try roundTrip(DictStore(), "swift-profile")
    }

    func testTheChainFindsCredentialsInASwiftStore() throws {
        let store = DictStore()
        try store.save(profile: "app", credentials: credentials(user: "UserKeyFromSwift01", baseUrl: "http://127.0.0.1:2/v1"))
        let found = try bareChain().profile(profile: "app").store(store: store).resolve()
        XCTAssertEqual(found.source, .custom)
        XCTAssertEqual(found.profile, "app")
        XCTAssertEqual(found.credentials.keys().exposeUserKey(), "UserKeyFromSwift01")
        XCTAssertEqual(found.credentials.baseUrl(), "http://127.0.0.1:2/v1")
        XCTAssertEqual(store.calls, ["save app", "load app"])
    }

    func testTheChainSaysItSearchedAnEmptySwiftStore() throws {
        let store = DictStore()
        XCTAssertThrowsError(try bareChain().store(store: store).resolve()) { error in
            guard let error = error as? CredentialError, case .NotFound = error else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(error.code, "not_found")
            XCTAssertEqual(field(error, "profile", as: String.self), "default")
            let searched = field(error, "searched", as: [String].self) ?? []
            XCTAssertTrue(searched.contains { $0.contains("dict store") }, "\(searched)")
        }
        XCTAssertEqual(store.calls, ["load default"])
    }

    func testASwiftStoresTypedErrorReachesTheCaller() throws {
        XCTAssertThrowsError(try bareChain().store(store: FailingStore(typed: true)).resolve()) { error in
            guard let error = error as? CredentialError, case .Store = error else { return XCTFail("\(error)") }
            XCTAssertEqual(error.code, "store")
            XCTAssertTrue(error.detail.contains("keychain is locked"), error.detail)
        }
    }

    func testAnyOtherErrorFromASwiftStoreBecomesAStoreError() throws {
        XCTAssertThrowsError(try bareChain().store(store: FailingStore(typed: false)).resolve()) { error in
            guard let error = error as? CredentialError, case .Store = error else { return XCTFail("\(error)") }
            XCTAssertEqual(error.code, "store")
        }
    }

    func testASwiftStoreServesManyThreadsAtOnce() throws {
        let store = DictStore()
        try store.save(profile: "default", credentials: credentials())
        let chain = bareChain().store(store: store)
        let users = Collected()
        DispatchQueue.concurrentPerform(iterations: 64) { _ in
            users.append((try? chain.resolve().credentials.keys().exposeUserKey()) ?? "error")
        }
        XCTAssertEqual(users.values, Array(repeating: storeUser, count: 64))
        XCTAssertEqual(store.calls.filter { $0 == "load default" }.count, 64)
    }
}
