// ApiKeysAuth on the user's own URLSession against the emulator.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
import RedisCloudAuth

final class URLRequestAuthTests: XCTestCase {
    private func status(_ request: URLRequest, _ auth: ApiKeysAuth) async throws -> (Int, String) {
        let (data, response) = try await URLSession.shared.data(for: request, auth: auth)
        return (try XCTUnwrap(response as? HTTPURLResponse).statusCode, String(decoding: data, as: UTF8.self))
    }

    func testAUserSessionGets200WithTheKeysAnd401WithWrongOnes() async throws {
        let emulator = try Emulator.shared()
        let url = try XCTUnwrap(URL(string: "\(emulator.baseUrl)/"))
        let (ok, body) = try await status(URLRequest(url: url), ApiKeysAuth(keys: emulator.keys))
        XCTAssertEqual(ok, 200)
        XCTAssertTrue(body.contains("\"loopback-key\""))
        let wrong = try ApiKeys(accountKey: emulator.keys.exposeAccountKey(), userKey: "NotTheUserKey0123456")
        let (refused, refusedBody) = try await status(URLRequest(url: url), ApiKeysAuth(keys: wrong))
        XCTAssertEqual(refused, 401)
        assertNoSecret(refusedBody, [emulator.keys.exposeAccountKey(), emulator.keys.exposeUserKey()])
        var request = URLRequest(url: url)
        request.setApiKeys(emulator.outsideKeys)
        let (_, response) = try await URLSession.shared.data(for: request)
        XCTAssertEqual((response as? HTTPURLResponse)?.statusCode, 403)
    }

    func testTheChainVariantReadsTheEnvironmentItIsGiven() async throws {
        let emulator = try Emulator.shared()
        let chain = CredentialChain()
            .environment(variables: [
                "REDIS_CLOUD_ACCOUNT_KEY": emulator.keys.exposeAccountKey(),
                "REDIS_CLOUD_USER_KEY": emulator.keys.exposeUserKey(),
                "REDIS_CLOUD_BASE_URL": emulator.baseUrl,
            ])
            .profileFile(path: nil)
            .keychain(service: nil)
        let auth = try ApiKeysAuth.fromChain(chain)
        XCTAssertEqual(auth.baseUrl, emulator.baseUrl)
        XCTAssertEqual(auth.fingerprint, emulator.keys.fingerprint())
        let url = try XCTUnwrap(URL(string: "\(emulator.baseUrl)/logs?limit=1"))
        let (ok, _) = try await status(URLRequest(url: url), auth)
        XCTAssertEqual(ok, 200)
        let empty = CredentialChain().environment(variables: [:]).profileFile(path: nil).keychain(service: nil)
        XCTAssertThrowsError(try ApiKeysAuth.fromChain(empty))
    }

    func testTextFormsHoldNoKey() throws {
        let emulator = try Emulator.shared()
        let auth = ApiKeysAuth(keys: emulator.keys)
        XCTAssertTrue("\(auth)".contains(emulator.keys.fingerprint()))
        assertNoSecret(textForms(auth), [emulator.keys.exposeAccountKey(), emulator.keys.exposeUserKey()])
    }
}
