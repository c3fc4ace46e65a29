// The client against a real `rcauth serve`: every outcome, through the async
// client and the blocking one.
import Foundation
import XCTest
import RedisCloudAuth

/// The same calls on the async client and on the blocking one.
enum Calls {
    case awaiting(Client)
    case blocking(BlockingClient)

    static func both(_ keys: ApiKeys, _ options: ClientOptions) throws -> [Calls] {
        let awaiting = try Client(keys: keys, options: options)
        let blocking = try BlockingClient(keys: keys, options: options)
        return [.awaiting(awaiting), .blocking(blocking)]
    }

    func account() async throws -> AccountInfo {
        switch self {
        case .awaiting(let client): return try await client.account()
        case .blocking(let client): return try client.account()
        }
    }

    func systemLog(offset: UInt32, limit: UInt32) async throws -> SystemLogPage {
        switch self {
        case .awaiting(let client): return try await client.systemLog(offset: offset, limit: limit)
        case .blocking(let client): return try client.systemLog(offset: offset, limit: limit)
        }
    }

    func request(_ method: String, _ path: String, json: String? = nil) async throws -> ApiResponse {
        switch self {
        case .awaiting(let client): return try await client.request(method: method, path: path, json: json)
        case .blocking(let client): return try client.request(method: method, path: path, json: json)
        }
    }

    var fingerprint: String {
        switch self {
        case .awaiting(let client): return client.fingerprint()
        case .blocking(let client): return client.fingerprint()
        }
    }

    var text: String {
        switch self {
        case .awaiting(let client): return textForms(client)
        case .blocking(let client): return textForms(client)
        }
    }
}

/// The ClientError a call throws, or nil (and a failure) when it returns.
func clientError<T>(_ call: () async throws -> T, file: StaticString = #filePath, line: UInt = #line) async -> ClientError? {
    do {
        _ = try await call()
        XCTFail("the call succeeded", file: file, line: line)
    } catch let error as ClientError {
        return error
    } catch {
        XCTFail("not a ClientError: \(error)", file: file, line: line)
    }
    return nil
}

private func secrets(_ keys: ApiKeys) -> [String] {
    [keys.exposeAccountKey(), keys.exposeUserKey()]
}

final class ClientTests: XCTestCase {
    func testAccountAndSystemLog() async throws {
        let emulator = try Emulator.shared()
        for calls in try Calls.both(emulator.keys, ClientOptions(baseUrl: emulator.baseUrl)) {
            let account = try await calls.account()
            XCTAssertEqual(account.id, emulator.account)
            XCTAssertEqual(account.name, "acme")
            XCTAssertEqual(account.key.name, "loopback-key")
            XCTAssertEqual(account.key.owner, Owner(name: "Ada", email: "ada@example.com"))
            XCTAssertEqual(account.key.allowedSourceIps, ["127.0.0.0/8", "::1/128"])
            XCTAssertEqual(account.key.httpSourceIp, "127.0.0.1")
            let page = try await calls.systemLog(offset: 0, limit: 5)
            XCTAssertTrue((1...5).contains(page.entries.count), "\(page.entries.count)")
            let newest = try XCTUnwrap(page.entries.first)
            XCTAssertEqual(newest.apiKeyName, "loopback-key")
            XCTAssertEqual(newest.kind, "authentication")
            XCTAssertTrue(newest.description.contains("127.0.0.1"), newest.description)
            XCTAssertEqual(page.links, [])
            assertNoSecret(textForms(account) + textForms(page), secrets(emulator.keys))
        }
    }

    func testGenericRequest() async throws {
        let emulator = try Emulator.shared()
        for calls in try Calls.both(emulator.keys, ClientOptions(baseUrl: emulator.baseUrl)) {
            let response = try await calls.request("GET", "/")
            XCTAssertEqual(response.status, 200)
            let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(response.json.utf8)) as? [String: Any])
            let account = try XCTUnwrap(json["account"] as? [String: Any])
            let key = try XCTUnwrap(account["key"] as? [String: Any])
            XCTAssertEqual(key["name"] as? String, "loopback-key")
            let names = response.headers.map { $0.name.lowercased() }
            XCTAssertFalse(names.contains("x-api-key") || names.contains("x-api-secret-key"), "\(names)")
            let contentType = response.headers.first { $0.name.lowercased() == "content-type" }?.value ?? ""
            XCTAssertTrue(contentType.hasPrefix("application/json"), contentType)
        }
    }

    func testRefusals() async throws {
        let emulator = try Emulator.shared()
        let noRetry = ClientOptions(baseUrl: emulator.baseUrl, maxRetries: 0)
        let wrong = try ApiKeys(accountKey: emulator.keys.exposeAccountKey(), userKey: "WrongUserKey0123456789")
        let cases: [(ApiKeys, String, UInt16)] = [
            (wrong, "unauthorized", 401),
            (emulator.disabledKeys, "unauthorized", 401),
            (emulator.outsideKeys, "forbidden", 403),
        ]
        for (keys, code, status) in cases {
            for calls in try Calls.both(keys, noRetry) {
                let error = await clientError { try await calls.account() }
                XCTAssertEqual(error?.code(), code)
                XCTAssertEqual(error?.status(), status)
                assertNoSecret(textForms(error as Any), secrets(keys))
            }
        }
        for calls in try Calls.both(emulator.keys, noRetry) {
            let missing = await clientError { try await calls.request("GET", "/no-such-thing") }
            XCTAssertEqual(missing?.code(), "not_found")
            XCTAssertEqual(missing?.status(), 404)
            let method = await clientError { try await calls.request("DELETE", "/logs") }
            XCTAssertEqual(method?.code(), "api_error")
            XCTAssertEqual(method?.status(), 405)
        }
    }

    func testRateLimitedWithTheServersWait() async throws {
        let emulator = try Emulator.shared()
        let options = ClientOptions(baseUrl: emulator.limitedBaseUrl, maxRetries: 1, maxRetryAfter: 0.2)
        for calls in try Calls.both(emulator.keys, options) {
            var limited: ClientError?
            for _ in 0..<3 {
                do {
                    _ = try await calls.account()
                } catch let error as ClientError {
                    limited = error
                    break
                }
            }
            let error = try XCTUnwrap(limited, "the limited emulator never answered 429")
            XCTAssertEqual(error.code(), "rate_limited")
            XCTAssertEqual(error.status(), 429)
            XCTAssertGreaterThan(try XCTUnwrap(error.retryAfter()), 0.2)
            XCTAssertTrue(error.detail().contains("retry after"), error.detail())
        }
    }

    func testTimeoutTransportAndInvalidRequests() async throws {
        let emulator = try Emulator.shared()
        let silent = try LoopbackSocket(listening: true)
        defer { silent.close() }
        let slowOptions = ClientOptions(baseUrl: "http://127.0.0.1:\(silent.port)/v1", timeout: 0.3, maxRetries: 0)
        for calls in try Calls.both(emulator.keys, slowOptions) {
            let error = await clientError { try await calls.account() }
            XCTAssertEqual(error?.code(), "timeout")
        }
        let closed = try closedPort()
        let refusedOptions = ClientOptions(baseUrl: "http://127.0.0.1:\(closed)/v1", maxRetries: 0)
        for calls in try Calls.both(emulator.keys, refusedOptions) {
            let error = await clientError { try await calls.account() }
            XCTAssertEqual(error?.code(), "transport")
            XCTAssertNil(error?.status())
        }
        for calls in try Calls.both(emulator.keys, ClientOptions(baseUrl: emulator.baseUrl)) {
            let limit = await clientError { try await calls.systemLog(offset: 0, limit: 0) }
            XCTAssertEqual(limit?.code(), "invalid_request")
            let body = await clientError { try await calls.request("GET", "/", json: "{\"a\":1}") }
            XCTAssertEqual(body?.code(), "invalid_request")
            let notJson = await clientError { try await calls.request("POST", "/", json: "not json") }
            XCTAssertEqual(notJson?.code(), "invalid_request")
            let method = await clientError { try await calls.request("BREW", "/") }
            XCTAssertEqual(method?.code(), "invalid_request")
        }
        XCTAssertThrowsError(try Client(keys: emulator.keys, options: ClientOptions(maxRetries: 99))) { error in
            XCTAssertEqual((error as? ClientError)?.code(), "invalid_request")
        }
    }

    func testClientsFromAChainAndFromCredentials() async throws {
        let emulator = try Emulator.shared()
        let keys = emulator.keys
        let chain = CredentialChain()
            .environment(variables: [
                "REDIS_CLOUD_ACCOUNT_KEY": keys.exposeAccountKey(),
                "REDIS_CLOUD_USER_KEY": keys.exposeUserKey(),
                "REDIS_CLOUD_BASE_URL": emulator.baseUrl,
            ])
            .profileFile(path: nil)
            .keychain(service: nil)
        let fromChain = try Client.fromChain(chain: chain)
        XCTAssertEqual(fromChain.baseUrl(), emulator.baseUrl)
        let viaChain = try await fromChain.account()
        XCTAssertEqual(viaChain.key.name, "loopback-key")
        XCTAssertEqual(try BlockingClient.fromChain(chain: chain).account().key.name, "loopback-key")
        let credentials = try Credentials(keys: keys, baseUrl: emulator.baseUrl)
        let viaCredentials = try await Client.fromCredentials(credentials: credentials).account()
        XCTAssertEqual(viaCredentials.id, emulator.account)
        XCTAssertEqual(try BlockingClient.fromCredentials(credentials: credentials).account().id, emulator.account)
        let empty = CredentialChain().environment(variables: [:]).profileFile(path: nil).keychain(service: nil)
        XCTAssertThrowsError(try Client.fromChain(chain: empty)) { error in
            guard let error = error as? ClientError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.code(), "credentials")
            XCTAssertEqual(error.credentialCode(), "not_found")
        }
    }

    func testAClientsTextFormsHoldNoSecret() async throws {
        let emulator = try Emulator.shared()
        for calls in try Calls.both(emulator.keys, ClientOptions(baseUrl: emulator.baseUrl)) {
            XCTAssertEqual(calls.fingerprint, emulator.keys.fingerprint())
            assertNoSecret(calls.text, secrets(emulator.keys))
        }
    }

    func testAsyncCallsRunConcurrently() async throws {
        let emulator = try Emulator.shared()
        let client = try Client(keys: emulator.keys, options: ClientOptions(baseUrl: emulator.baseUrl))
        let names: Set<String> = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 {
                group.addTask { try await client.account().key.name }
            }
            var names = Set<String>()
            for try await name in group {
                names.insert(name)
            }
            return names
        }
        XCTAssertEqual(names, ["loopback-key"])
    }

    // uniffi 0.32's Swift async calls do not observe Task cancellation: a
    // cancelled call runs until it ends, so the client's timeout is what
    // bounds an abandoned call.
    func testTheTimeoutBoundsACancelledCall() async throws {
        let emulator = try Emulator.shared()
        let silent = try LoopbackSocket(listening: true)
        defer { silent.close() }
        let slow = try Client(
            keys: emulator.keys,
            options: ClientOptions(baseUrl: "http://127.0.0.1:\(silent.port)/v1", timeout: 1, maxRetries: 0))
        let started = Date()
        let task = Task { try await slow.account() }
        try await Task.sleep(nanoseconds: 100_000_000)
        task.cancel()
        let result = await task.result
        XCTAssertThrowsError(try result.get()) { error in
            XCTAssertEqual((error as? ClientError)?.code(), "timeout")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 30)
        let client = try Client(keys: emulator.keys, options: ClientOptions(baseUrl: emulator.baseUrl))
        let after = try await client.account()
        XCTAssertEqual(after.key.name, "loopback-key")
    }
}
