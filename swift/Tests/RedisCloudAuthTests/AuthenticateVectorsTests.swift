// tests/vectors/authenticate.json: each case's setup on a new in-memory
// verifier, then one request and its principal or failure, and the system log.
// A field the case needs and lacks fails the case (never an empty default).
import Foundation
import XCTest
import RedisCloudAuth

/// A vector's mistake (an unknown op or symbol).
struct VectorError: Error {
    let what: String
}

/// One case: a fresh verifier and what its setup steps created, by symbol.
final class AuthenticateCase {
    private let vector: [String: Any]
    private let verifier = Verifier.inMemory()
    private var ids: [String: UInt64] = [:]
    private var secrets: [String: String] = [:]
    private var accounts: [UInt64] = []

    init(_ vector: [String: Any]) {
        self.vector = vector
    }

    var name: String { vector["name"] as? String ?? "?" }

    /// A symbol's id, or a literal id given as a number.
    private func id(_ value: Any?) throws -> UInt64 {
        if let symbol = value as? String {
            guard let id = ids[symbol] else { throw VectorError(what: "unknown symbol \(symbol)") }
            return id
        }
        guard let number = value as? NSNumber else { throw VectorError(what: "bad id \(String(describing: value))") }
        return number.uint64Value
    }

    private func text(_ step: [String: Any], _ key: String) throws -> String {
        guard let value = step[key] as? String else { throw VectorError(what: "step lacks \(key)") }
        return value
    }

    /// A list of strings the step must hold (an empty list is written `[]`).
    private func strings(_ step: [String: Any], _ key: String) throws -> [String] {
        guard let value = step[key] as? [String] else { throw VectorError(what: "step lacks \(key)") }
        return value
    }

    private func role(_ name: String) throws -> Role {
        switch name {
        case "owner": return .owner
        case "member": return .member
        case "viewer": return .viewer
        case "billing-admin": return .billingAdmin
        case "logs-viewer": return .logsViewer
        default: throw VectorError(what: "unknown role \(name)")
        }
    }

    /// Runs one setup step, remembering what it names (failing steps name nothing).
    private func step(_ s: [String: Any]) throws {
        let op = try text(s, "op")
        switch op {
        case "create_account":
            let account = try verifier.createAccount(name: text(s, "name"))
            accounts.append(account)
            ids[try text(s, "account")] = account
        case "add_user":
            let user = try verifier.addUser(
                accountId: id(s["account"]), name: text(s, "name"), email: text(s, "email"), role: role(text(s, "role")))
            ids[try text(s, "user")] = user
        case "enable_api":
            let key = try verifier.enableApi(accountId: id(s["account"]))
            // A symbol for the new key, or null when no key is shown.
            switch s["account_key"] {
            case let symbol as String: secrets[symbol] = try XCTUnwrap(key, "enable_api returned no key").expose()
            case is NSNull: XCTAssertNil(key, name)
            default: throw VectorError(what: "step lacks account_key")
            }
        case "disable_api":
            try verifier.disableApi(accountId: id(s["account"]))
        case "rotate_account_key":
            let key = try verifier.rotateAccountKey(accountId: id(s["account"]))
            secrets[try text(s, "account_key")] = key.expose()
        case "create_user_key":
            let key = try verifier.createUserKey(
                accountId: id(s["account"]), actingUserId: id(s["acting_user"]), ownerId: id(s["owner"]),
                name: text(s, "name"), allowList: strings(s, "allow_list"))
            secrets[try text(s, "user_key")] = key.expose()
        case "set_user_role":
            try verifier.setUserRole(accountId: id(s["account"]), userId: id(s["user"]), role: role(text(s, "role")))
        case "set_allow_list":
            try verifier.setAllowList(
                accountId: id(s["account"]), actingUserId: id(s["acting_user"]), name: text(s, "name"),
                allowList: strings(s, "allow_list"))
        case "delete_user_key":
            try verifier.deleteUserKey(accountId: id(s["account"]), actingUserId: id(s["acting_user"]), name: text(s, "name"))
        case "set_trusted_proxies":
            try verifier.setTrustedProxies(proxies: strings(s, "nets"))
        default:
            throw VectorError(what: "unknown op \(op)")
        }
    }

    /// A header value: a literal, or a remembered secret with optional padding.
    private func headerValue(_ value: Any) throws -> String {
        if let literal = value as? String { return literal }
        guard let object = value as? [String: Any] else { throw VectorError(what: "bad header value") }
        let pad = object["pad"] as? String ?? ""
        guard let symbol = (object["account_key"] ?? object["user_key"]) as? String, let secret = secrets[symbol] else {
            throw VectorError(what: "bad secret reference")
        }
        return pad + secret + pad
    }

    private func logSizes() throws -> [Int] {
        try accounts.map { try verifier.systemLog(accountId: $0, offset: 0, limit: 1000).count }
    }

    func run() throws {
        _ = try text(vector, "name")
        guard let setup = vector["setup"] as? [[String: Any]] else { throw VectorError(what: "case lacks setup") }
        for s in setup {
            if let error = s["error"] as? String {
                XCTAssertThrowsError(try step(s), name) { caught in
                    XCTAssertEqual((caught as? AdminError)?.code(), error, "\(name): \(caught)")
                }
            } else {
                try step(s)
            }
        }
        guard let request = vector["request"] as? [String: Any] else { return }
        let expect = try XCTUnwrap(vector["expect"] as? [String: Any])
        let headers = try XCTUnwrap(request["headers"] as? [[Any]]).map { pair -> HeaderPair in
            HeaderPair(name: try XCTUnwrap(pair[0] as? String), value: try headerValue(pair[1]))
        }
        let method = try text(request, "method")
        let path = try text(request, "path")
        let peer = try text(request, "peer")
        let status = try XCTUnwrap(expect["status"] as? Int)
        try verifier.flushSystemLog()
        let before = try logSizes()
        if status == 200 {
            let principal = try verifier.authenticate(method: method, path: path, headers: headers, peer: peer)
            let want = try XCTUnwrap(expect["principal"] as? [String: Any])
            let expected = Principal(
                accountId: try id(want["account"]), accountName: try text(want, "account_name"),
                userId: try id(want["user"]), ownerName: try text(want, "owner_name"),
                ownerEmail: try text(want, "owner_email"), keyName: try text(want, "key_name"),
                sourceIp: try text(want, "source_ip"))
            XCTAssertEqual(principal, expected, name)
        } else {
            XCTAssertThrowsError(try verifier.authenticate(method: method, path: path, headers: headers, peer: peer), name) { error in
                guard let failure = error as? AuthFailure else { return XCTFail("\(name): \(error)") }
                XCTAssertEqual(failure.code(), expect["failure"] as? String, "\(name): \(failure.detail())")
                XCTAssertEqual(Int(failure.httpStatus()), status, name)
                XCTAssertEqual(failure.publicCode(), expect["public_code"] as? String, name)
                if let message = expect["message"] as? String {
                    XCTAssertEqual(failure.publicMessage(), message, name)
                }
                let body = try JSONSerialization.jsonObject(with: Data(failure.errorBody().utf8)) as? [String: Any]
                XCTAssertEqual(body?["status"] as? Int, status, name)
                assertNoSecret(textForms(failure), Array(secrets.values))
            }
        }
        try verifier.flushSystemLog()
        let after = try logSizes()
        let loggedTo: UInt64?
        switch expect["logged_to"] {
        case nil, is NSNull: loggedTo = nil
        case let symbol as String: loggedTo = try id(symbol)
        default: throw VectorError(what: "bad logged_to")
        }
        let expected = zip(accounts, before).map { account, size in size + (account == loggedTo ? 1 : 0) }
        XCTAssertEqual(after, expected, "\(name): system log sizes per account")
    }
}

final class AuthenticateVectorsTests: XCTestCase {
    func testEveryCase() throws {
        let cases = try vectorCases("authenticate.json", "cases")
        XCTAssertGreaterThanOrEqual(cases.count, 50)
        for vector in cases {
            let runner = AuthenticateCase(vector)
            XCTAssertNoThrow(try runner.run(), runner.name)
        }
    }

    /// Every failure the public API can cause, with the same code and status as in every language.
    func testEveryFailure() throws {
        for vector in try vectorCases("auth_failures.json", "cases") {
            let runner = AuthenticateCase(vector)
            XCTAssertNoThrow(try runner.run(), runner.name)
        }
        let table = try XCTUnwrap(loadVectors("auth_failures.json")["failures"] as? [[String: Any]])
        let kinds = authFailureKinds()
        XCTAssertEqual(kinds.map { $0.code }, table.map { $0["code"] as? String })
        XCTAssertEqual(kinds.map { Int($0.httpStatus) }, table.map { $0["http_status"] as? Int })
        XCTAssertEqual(kinds.map { $0.publicCode }, table.map { $0["public_code"] as? String })
    }
}
