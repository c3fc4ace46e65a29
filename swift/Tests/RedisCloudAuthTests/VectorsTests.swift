// tests/vectors/headers.json and credentials.json, through the Swift package.
import Foundation
import XCTest
import RedisCloudAuth

final class VectorsTests: XCTestCase {
    func testVectorsAreThere() throws {
        XCTAssertGreaterThanOrEqual(try vectorCases("headers.json", "build").count, 10)
        XCTAssertGreaterThanOrEqual(try vectorCases("headers.json", "parse").count, 10)
        XCTAssertGreaterThanOrEqual(try vectorCases("credentials.json", "cases").count, 15)
    }

    func testHeaderBuilding() throws {
        for vector in try vectorCases("headers.json", "build") {
            let name = try XCTUnwrap(vector["name"] as? String)
            let account = try XCTUnwrap(vector["account_key"] as? String)
            let user = try XCTUnwrap(vector["user_key"] as? String)
            if let expected = vector["error"] as? String {
                XCTAssertThrowsError(try ApiKeys(accountKey: account, userKey: user), name) { error in
                    guard let error = error as? ApiKeyError else { return XCTFail("\(name): \(error)") }
                    XCTAssertEqual(error.code(), expected, name)
                    XCTAssertEqual(vectorName(error.key()), vector["key"] as? String, name)
                    let values = [account, user]
                        .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
                        .filter { $0.count >= 8 }
                    assertNoSecret(textForms(error), values)
                }
            } else {
                let keys = try ApiKeys(accountKey: account, userKey: user)
                let pairs = try XCTUnwrap(vector["headers"] as? [[String]])
                XCTAssertEqual(keys.exposeHeaderPairs(), pairs.map { HeaderPair(name: $0[0], value: $0[1]) }, name)
            }
        }
    }

    func testHeaderParsing() throws {
        for vector in try vectorCases("headers.json", "parse") {
            let name = try XCTUnwrap(vector["name"] as? String)
            let pairs = try XCTUnwrap(vector["headers"] as? [[String]]).map { HeaderPair(name: $0[0], value: $0[1]) }
            if let expected = vector["error"] as? String {
                XCTAssertThrowsError(try parseAuthHeaders(headers: pairs), name) { error in
                    guard let error = error as? HeaderError else { return XCTFail("\(name): \(error)") }
                    XCTAssertEqual(error.code(), expected, name)
                    XCTAssertEqual(error.header(), vector["header"] as? String, name)
                    let values = pairs.map { $0.value.trimmingCharacters(in: .whitespaces) }.filter { $0.count >= 8 }
                    assertNoSecret(textForms(error), values)
                }
            } else {
                let keys = try parseAuthHeaders(headers: pairs)
                XCTAssertEqual(keys.exposeAccountKey(), vector["account_key"] as? String, name)
                XCTAssertEqual(keys.exposeUserKey(), vector["user_key"] as? String, name)
            }
        }
    }

    func testCredentialResolution() throws {
        for vector in try vectorCases("credentials.json", "cases") {
            let name = try XCTUnwrap(vector["name"] as? String)
            let env = try XCTUnwrap(vector["env"] as? [String: String])
            let folder = try temporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let path = folder.appendingPathComponent("credentials.toml")
            if let file = vector["file"] as? [String: Any] {
                try XCTUnwrap(file["content"] as? String).write(to: path, atomically: false, encoding: .utf8)
                let mode = try XCTUnwrap(Int(XCTUnwrap(file["mode"] as? String), radix: 8))
                try FileManager.default.setAttributes([.posixPermissions: NSNumber(value: mode)], ofItemAtPath: path.path)
            }
            var chain = CredentialChain()
                .environment(variables: env)
                .profileFile(path: path.path)
                .keychain(service: nil)
            if let profile = vector["profile"] as? String {
                chain = chain.profile(profile: profile)
            }
            if let expected = vector["error"] as? String {
                XCTAssertThrowsError(try chain.resolve(), name) { error in
                    guard let error = error as? CredentialError else { return XCTFail("\(name): \(error)") }
                    XCTAssertEqual(error.code, expected, "\(name): \(error.detail)")
                    for part in vector["message_contains"] as? [String] ?? [] {
                        XCTAssertTrue(error.detail.contains(part), "\(name): '\(part)' not in \(error.detail)")
                    }
                    let secrets = env.values.filter { $0.count >= 8 && !$0.hasPrefix("http") }
                    assertNoSecret(textForms(error), Array(secrets))
                }
            } else {
                let found = try chain.resolve()
                let expect = try XCTUnwrap(vector["expect"] as? [String: Any])
                XCTAssertEqual(vectorName(found.source), expect["source"] as? String, name)
                XCTAssertEqual(found.credentials.keys().exposeAccountKey(), expect["account_key"] as? String, name)
                XCTAssertEqual(found.credentials.keys().exposeUserKey(), expect["user_key"] as? String, name)
                XCTAssertEqual(found.credentials.baseUrl(), expect["base_url"] as? String, name)
                let profile = vector["profile"] as? String ?? env["REDIS_CLOUD_PROFILE"] ?? "default"
                XCTAssertEqual(found.profile, profile, name)
            }
        }
    }
}
