// The verifier on a temporary SQLite file and in memory: admin operations,
// every authentication outcome, the system log, trusted proxies, threads.
import Foundation
import XCTest
import RedisCloudAuth

private let okIp = "10.1.2.3"
private let outsideIp = "192.0.2.1"

/// One account with an owner, a member, an enabled API and a key; and a second account.
struct World {
    let verifier: Verifier
    let account: UInt64
    let owner: UInt64
    let member: UInt64
    let accountKey: String
    let userKey: String
    let otherUserKey: String

    init(_ verifier: Verifier) throws {
        self.verifier = verifier
        account = try verifier.createAccount(name: "acme")
        owner = try verifier.addUser(accountId: account, name: "Ada", email: "ada@example.com", role: .owner)
        member = try verifier.addUser(accountId: account, name: "Bob", email: "bob@example.com", role: .member)
        accountKey = try XCTUnwrap(verifier.enableApi(accountId: account)).expose()
        userKey = try verifier.createUserKey(
            accountId: account, actingUserId: owner, ownerId: owner, name: "ci-deploy-key", allowList: ["10.0.0.0/8"]).expose()
        let other = try verifier.createAccount(name: "globex")
        let otherOwner = try verifier.addUser(accountId: other, name: "Eve", email: "eve@example.com", role: .owner)
        _ = try verifier.enableApi(accountId: other)
        otherUserKey = try verifier.createUserKey(
            accountId: other, actingUserId: otherOwner, ownerId: otherOwner, name: "globex-app-key", allowList: []).expose()
    }
}

/// The request headers carrying these keys (a nil key is left out).
func authHeaders(_ accountKey: String?, _ userKey: String?, extra: [HeaderPair] = []) -> [HeaderPair] {
    var headers: [HeaderPair] = []
    if let accountKey = accountKey { headers.append(HeaderPair(name: "x-api-key", value: accountKey)) }
    if let userKey = userKey { headers.append(HeaderPair(name: "x-api-secret-key", value: userKey)) }
    return headers + extra
}

extension Verifier {
    /// "ok" or the failure's code.
    func outcome(_ accountKey: String?, _ userKey: String?, _ peer: String) -> String {
        do {
            _ = try authenticate(method: "GET", path: "/v1/", headers: authHeaders(accountKey, userKey), peer: peer)
            return "ok"
        } catch let failure as AuthFailure {
            return failure.code()
        } catch {
            return "unexpected: \(error)"
        }
    }
}

final class VerifierTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = try temporaryFolder()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func worlds() throws -> [World] {
        let onFile = try World(Verifier.openSqlite(path: folder.appendingPathComponent("verifier.db").path))
        let inMemory = try World(Verifier.inMemory())
        return [onFile, inMemory]
    }

    func testSuccessGivesThePrincipal() throws {
        for w in try worlds() {
            let principal = try w.verifier.authenticate(
                method: "POST", path: "/v1/subscriptions", headers: authHeaders(w.accountKey, w.userKey), peer: okIp)
            XCTAssertEqual(
                principal,
                Principal(
                    accountId: w.account, accountName: "acme", userId: w.owner, ownerName: "Ada",
                    ownerEmail: "ada@example.com", keyName: "ci-deploy-key", sourceIp: okIp))
            assertNoSecret(textForms(principal), [w.accountKey, w.userKey])
        }
    }

    func testEveryFailure() throws {
        for w in try worlds() {
            let v = w.verifier
            let cases: [(String, String?, String?, String)] = [
                ("source_ip_not_allowed", w.accountKey, w.userKey, outsideIp),
                ("missing_credentials", w.accountKey, nil, okIp),
                ("malformed_credentials", w.accountKey, "has spaces in it", okIp),
                ("invalid_account_key", "NoSuchAccountKey0123", w.userKey, okIp),
                ("invalid_user_key", w.accountKey, "NoSuchUserKey0123456", okIp),
                ("account_mismatch", w.accountKey, w.otherUserKey, okIp),
                ("invalid_peer_address", w.accountKey, w.userKey, "not-an-ip"),
            ]
            for (code, accountKey, userKey, peer) in cases {
                XCTAssertEqual(v.outcome(accountKey, userKey, peer), code)
            }
            XCTAssertThrowsError(
                try v.authenticate(method: "GET", path: "/v1/", headers: authHeaders(w.accountKey, w.userKey), peer: outsideIp)
            ) { error in
                guard let failure = error as? AuthFailure, failure.code() == "source_ip_not_allowed" else {
                    return XCTFail("\(error)")
                }
                XCTAssertEqual(failure.httpStatus(), 403)
                XCTAssertEqual(failure.publicCode(), "forbidden")
                XCTAssertEqual(failure.sourceIp(), outsideIp)
                XCTAssertNil(failure.header())
                XCTAssertTrue(failure.detail().contains("allow list"), failure.detail())
                XCTAssertEqual(
                    failure.errorBody(),
                    #"{"error":"forbidden","message":"\#(failure.publicMessage())","status":403}"#
                )
                assertNoSecret(textForms(failure), [w.accountKey, w.userKey])
            }
            var messages: [String] = []
            for userKey in [w.otherUserKey, "NoSuchUserKey0123456"] {
                XCTAssertThrowsError(
                    try v.authenticate(method: "GET", path: "/v1/", headers: authHeaders(w.accountKey, userKey), peer: okIp)
                ) { error in
                    let failure = error as? AuthFailure
                    XCTAssertEqual(failure?.httpStatus(), 401)
                    messages.append(failure?.publicMessage() ?? "")
                }
            }
            // A caller cannot tell a key of another account from an unknown one.
            XCTAssertEqual(messages.count, 2)
            XCTAssertEqual(messages.first, messages.last)
        }
    }

    func testDisabledApiAndRevokedOwner() throws {
        let w = try World(Verifier.openSqlite(path: folder.appendingPathComponent("v.db").path))
        let v = w.verifier
        try v.disableApi(accountId: w.account)
        XCTAssertFalse(try v.apiEnabled(accountId: w.account))
        XCTAssertEqual(v.outcome(w.accountKey, w.userKey, okIp), "api_disabled")
        XCTAssertNil(try v.enableApi(accountId: w.account))
        XCTAssertEqual(v.outcome(w.accountKey, w.userKey, okIp), "ok")
        try v.setUserRole(accountId: w.account, userId: w.owner, role: .viewer)
        XCTAssertEqual(v.outcome(w.accountKey, w.userKey, okIp), "owner_role_revoked")
        XCTAssertEqual(try v.listUserKeys(accountId: w.account).map { $0.active }, [false])
        try v.setUserRole(accountId: w.account, userId: w.owner, role: .owner)
        XCTAssertEqual(v.outcome(w.accountKey, w.userKey, okIp), "ok")
    }

    func testKeyLifecycle() throws {
        let w = try World(Verifier.openSqlite(path: folder.appendingPathComponent("v.db").path))
        let (v, a, owner) = (w.verifier, w.account, w.owner)
        try v.setAllowList(accountId: a, actingUserId: owner, name: "ci-deploy-key", allowList: ["192.0.2.0/24"])
        XCTAssertEqual(v.outcome(w.accountKey, w.userKey, outsideIp), "ok")
        XCTAssertEqual(v.outcome(w.accountKey, w.userKey, okIp), "source_ip_not_allowed")
        try v.setAllowList(accountId: a, actingUserId: owner, name: "ci-deploy-key", allowList: [])
        XCTAssertEqual(v.outcome(w.accountKey, w.userKey, okIp), "ok")
        let second = try v.createUserKey(accountId: a, actingUserId: owner, ownerId: owner, name: "second-app-key", allowList: []).expose()
        XCTAssertNotEqual(second, w.userKey)
        let keys = try v.listUserKeys(accountId: a)
        XCTAssertEqual(keys.map { $0.name }, ["ci-deploy-key", "second-app-key"])
        assertNoSecret(textForms(keys), [w.userKey, second, w.accountKey])
        try v.deleteUserKey(accountId: a, actingUserId: owner, name: "ci-deploy-key")
        XCTAssertEqual(v.outcome(w.accountKey, w.userKey, okIp), "invalid_user_key")
        let rotated = try v.rotateAccountKey(accountId: a).expose()
        XCTAssertEqual(v.outcome(w.accountKey, second, okIp), "invalid_account_key")
        XCTAssertEqual(v.outcome(rotated, second, okIp), "ok")
        let users = try v.listUsers(accountId: a)
        XCTAssertEqual(users.map { $0.name }, ["Ada", "Bob"])
        XCTAssertEqual(users.map { $0.role }, [.owner, .member])
    }

    func testAdminErrorsAreTyped() throws {
        let w = try World(Verifier.inMemory())
        let (v, a) = (w.verifier, w.account)
        let expect: [(String, () throws -> Void)] = [
            ("not_found", { _ = try v.createUserKey(accountId: 999, actingUserId: w.owner, ownerId: w.owner, name: "some-key-name", allowList: []) }),
            ("not_allowed", { _ = try v.createUserKey(accountId: a, actingUserId: w.member, ownerId: w.member, name: "member-key-name", allowList: []) }),
            ("invalid_name", { _ = try v.createUserKey(accountId: a, actingUserId: w.owner, ownerId: w.owner, name: "short", allowList: []) }),
            ("name_taken", { _ = try v.createUserKey(accountId: a, actingUserId: w.owner, ownerId: w.owner, name: "ci-deploy-key", allowList: []) }),
            ("invalid_cidr", { try v.setAllowList(accountId: a, actingUserId: w.owner, name: "ci-deploy-key", allowList: ["10.0.0.0/33"]) }),
            ("allow_list_too_long", {
                let list = (0..<5000).map { "10.0.\($0 / 256).\($0 % 256)/32" }
                try v.setAllowList(accountId: a, actingUserId: w.owner, name: "ci-deploy-key", allowList: list)
            }),
        ]
        for (code, call) in expect {
            XCTAssertThrowsError(try call(), code) { error in
                XCTAssertEqual((error as? AdminError)?.code(), code)
            }
        }
        XCTAssertThrowsError(try v.addUser(accountId: a, name: "Mallory", email: "not an email", role: .member)) { error in
            guard let error = error as? AdminError, error.code() == "invalid_name" else { return XCTFail("\(error)") }
            XCTAssertEqual(error.what(), "email")
        }
        XCTAssertThrowsError(try v.setTrustedProxies(proxies: ["10.0.0.0/8", "nonsense"])) { error in
            XCTAssertEqual((error as? AdminError)?.code(), "invalid_cidr")
        }
    }

    func testSystemLogRecordsEachAttempt() throws {
        let w = try World(Verifier.openSqlite(path: folder.appendingPathComponent("v.db").path))
        let v = w.verifier
        _ = try v.authenticate(method: "POST", path: "/v1/subscriptions", headers: authHeaders(w.accountKey, w.userKey), peer: okIp)
        XCTAssertThrowsError(try v.authenticate(method: "GET", path: "/v1/logs", headers: authHeaders(w.accountKey, w.userKey), peer: outsideIp))
        try v.flushSystemLog()
        let entries = try v.systemLog(accountId: w.account, offset: 0, limit: 10)
        XCTAssertEqual(entries.prefix(2).map { $0.resource }, ["GET /v1/logs", "POST /v1/subscriptions"])
        XCTAssertTrue(entries.prefix(2).allSatisfy { $0.apiKeyName == "ci-deploy-key" })
        XCTAssertTrue(entries[0].description.contains(outsideIp))
        XCTAssertTrue(entries[1].description.contains(okIp))
        XCTAssertGreaterThan(entries[0].id, entries[1].id)
        assertNoSecret(textForms(entries), [w.userKey, w.accountKey])
        XCTAssertEqual(try v.systemLog(accountId: w.account, offset: 1, limit: 1).count, 1)
    }

    func testTrustedProxiesApplyToForwardedFor() throws {
        let w = try World(Verifier.inMemory())
        let v = w.verifier
        try v.setTrustedProxies(proxies: ["127.0.0.0/8"])
        XCTAssertEqual(v.trustedProxies(), ["127.0.0.0/8"])
        let forwarded = authHeaders(w.accountKey, w.userKey, extra: [HeaderPair(name: "X-Forwarded-For", value: "10.9.8.7")])
        XCTAssertEqual(try v.authenticate(method: "GET", path: "/v1/", headers: forwarded, peer: "127.0.0.1").sourceIp, "10.9.8.7")
        let outside = authHeaders(w.accountKey, w.userKey, extra: [HeaderPair(name: "X-Forwarded-For", value: outsideIp)])
        XCTAssertThrowsError(try v.authenticate(method: "GET", path: "/v1/", headers: outside, peer: "127.0.0.1")) { error in
            XCTAssertEqual((error as? AuthFailure)?.code(), "source_ip_not_allowed")
        }
    }

    func testTheSqliteFileIsSharedAndKept() throws {
        let path = folder.appendingPathComponent("shared.db").path
        let first = try Verifier.openSqlite(path: path)
        let a = try first.createAccount(name: "shared")
        let owner = try first.addUser(accountId: a, name: "Ada", email: "ada@example.com", role: .owner)
        let ak = try XCTUnwrap(first.enableApi(accountId: a)).expose()
        let uk = try first.createUserKey(accountId: a, actingUserId: owner, ownerId: owner, name: "shared-key-name", allowList: []).expose()
        let second = try Verifier.openSqlite(path: path)
        XCTAssertEqual(try second.authenticate(method: "GET", path: "/v1/", headers: authHeaders(ak, uk), peer: okIp).keyName, "shared-key-name")
        try first.deleteUserKey(accountId: a, actingUserId: owner, name: "shared-key-name")
        XCTAssertEqual(second.outcome(ak, uk, okIp), "invalid_user_key")
        XCTAssertThrowsError(try Verifier.openSqlite(path: folder.appendingPathComponent("no-such-dir/x/v.db").path)) { error in
            XCTAssertTrue((error as? AdminError)?.code().hasPrefix("store_") ?? false, "\(error)")
        }
    }

    func testTheVerifierServesManyThreadsAtOnce() throws {
        let w = try World(Verifier.openSqlite(path: folder.appendingPathComponent("v.db").path))
        let wrong = Collected()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for i in 0..<500 {
                let expected = i % 2 == 0 ? "ok" : "source_ip_not_allowed"
                let got = w.verifier.outcome(w.accountKey, w.userKey, i % 2 == 0 ? okIp : outsideIp)
                if got != expected {
                    wrong.append("\(i): \(got)")
                }
            }
        }
        XCTAssertEqual(wrong.values, [])
    }
}
