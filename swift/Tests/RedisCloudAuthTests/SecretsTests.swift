// No key in description, debugDescription, or any error's text.
import Foundation
import XCTest
import RedisCloudAuth

private let secretAccount = "AccountKeySecret0123"
private let secretUser = "UserKeySecret0123456"

final class SecretsTests: XCTestCase {
    func testApiKeysShowAFingerprintNeverAKey() throws {
        let keys = try ApiKeys(accountKey: secretAccount, userKey: secretUser)
        let text = textForms(keys)
        assertNoSecret(text, [secretAccount, secretUser])
        XCTAssertTrue(text.contains(keys.fingerprint()), text)
        XCTAssertEqual(keys.accountFingerprint(), keyFingerprint(value: secretAccount))
        XCTAssertEqual(keys.userFingerprint(), keyFingerprint(value: secretUser))
        XCTAssertNotEqual(keys.accountFingerprint(), keys.userFingerprint())
    }

    func testCredentialsAndResolvedShowNoKey() throws {
        let keys = try ApiKeys(accountKey: secretAccount, userKey: secretUser)
        let credentials = try Credentials(keys: keys, baseUrl: "http://127.0.0.1:9/v1")
        assertNoSecret(textForms(credentials), [secretAccount, secretUser])
        let resolved = try CredentialChain().environment(variables: [:]).profileFile(path: nil).keychain(service: nil)
            .explicit(credentials: credentials).resolve()
        XCTAssertEqual(resolved.source, .explicit)
        assertNoSecret(textForms(resolved), [secretAccount, secretUser])
    }

    func testEqualityComparesKeysWithoutShowingThem() throws {
        XCTAssertEqual(try ApiKeys(accountKey: secretAccount, userKey: secretUser), try ApiKeys(accountKey: secretAccount, userKey: secretUser))
        XCTAssertNotEqual(try ApiKeys(accountKey: secretAccount, userKey: secretUser), try ApiKeys(accountKey: secretAccount, userKey: "UserKeySecret0123457"))
    }

    func testEqualKeysHashAlike() throws {
        let keys = try ApiKeys(accountKey: secretAccount, userKey: secretUser)
        let same = try ApiKeys(accountKey: secretAccount, userKey: secretUser)
        XCTAssertEqual(keys.hashValue, same.hashValue)
        let other = try ApiKeys(accountKey: secretAccount, userKey: "UserKeySecret0123457")
        XCTAssertEqual(Set([keys, same, other]).count, 2)
    }

    func testKeyErrorsNeverHoldTheValue() {
        let bad = "UserKey with spaces inside"
        XCTAssertThrowsError(try ApiKeys(accountKey: secretAccount, userKey: bad)) { error in
            guard let error = error as? ApiKeyError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.code(), "key_character")
            XCTAssertEqual(error.key(), .user)
            XCTAssertEqual(error.position(), 7)
            assertNoSecret(textForms(error), [bad, secretAccount])
        }
    }

    func testCredentialErrorsFromTheEnvironmentNeverHoldTheValue() {
        let bad = "User\u{e9}Secret0123456"
        let env = ["REDIS_CLOUD_ACCOUNT_KEY": secretAccount, "REDIS_CLOUD_USER_KEY": bad]
        let chain = CredentialChain().environment(variables: env).profileFile(path: nil).keychain(service: nil)
        XCTAssertThrowsError(try chain.resolve()) { error in
            guard let error = error as? CredentialError, case .InvalidKey = error else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(field(error, "key", as: KeyKind.self), .user)
            let origin = field(error, "origin", as: String.self) ?? ""
            XCTAssertTrue(origin.contains("REDIS_CLOUD_USER_KEY"), origin)
            assertNoSecret(textForms(error), [secretAccount, bad])
        }
    }

    func testHeaderErrorsNeverHoldTheValue() {
        let value = "Account Key Secret 0123"
        let headers = [HeaderPair(name: "x-api-key", value: value), HeaderPair(name: "x-api-secret-key", value: secretUser)]
        XCTAssertThrowsError(try parseAuthHeaders(headers: headers)) { error in
            guard let error = error as? HeaderError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.code(), "malformed_header")
            XCTAssertEqual(error.header(), "x-api-key")
            assertNoSecret(textForms(error), [value, secretUser])
        }
    }
}
