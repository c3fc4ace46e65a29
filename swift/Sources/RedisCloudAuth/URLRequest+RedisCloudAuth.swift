import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Adds the `x-api-key` and `x-api-secret-key` headers to the requests of
/// the user's own `URLSession`. `description` shows a fingerprint, never a key.
public struct ApiKeysAuth: CustomStringConvertible, CustomDebugStringConvertible, @unchecked Sendable {
    private let keys: ApiKeys
    /// The API base URL the credentials carry, or nil.
    public let baseUrl: String?

    /// Auth for `keys`.
    public init(keys: ApiKeys) {
        self.keys = keys
        self.baseUrl = nil
    }

    /// Auth for `credentials`, offering their base URL.
    public init(credentials: Credentials) {
        self.keys = credentials.keys()
        self.baseUrl = credentials.baseUrl()
    }

    /// Auth for what `chain` finds (the default chain: environment, profile
    /// file, keychain); throws the chain's `CredentialError`.
    public static func fromChain(_ chain: CredentialChain = CredentialChain()) throws -> ApiKeysAuth {
        try ApiKeysAuth(credentials: chain.resolve().credentials)
    }

    /// Fingerprint of the keys: safe to log.
    public var fingerprint: String { keys.fingerprint() }

    /// Sets the two headers on `request`.
    public func authorize(_ request: inout URLRequest) {
        for pair in keys.exposeHeaderPairs() {
            request.setValue(pair.value, forHTTPHeaderField: pair.name)
        }
    }

    /// `ApiKeysAuth(sha256:…)`: never a key.
    public var description: String { "ApiKeysAuth(\(keys.fingerprint()))" }

    /// The same as `description`.
    public var debugDescription: String { description }
}

extension URLRequest {
    /// Sets the `x-api-key` and `x-api-secret-key` headers from `keys`.
    public mutating func setApiKeys(_ keys: ApiKeys) {
        ApiKeysAuth(keys: keys).authorize(&self)
    }

    /// Sets the `x-api-key` and `x-api-secret-key` headers from `auth`.
    public mutating func setApiKeys(_ auth: ApiKeysAuth) {
        auth.authorize(&self)
    }
}

extension URLSession {
    /// `data(for:)` with the two headers on `request`. On Apple platforms a
    /// redirect to another origin does not carry them (URLSession itself
    /// keeps custom headers across redirects).
    public func data(for request: URLRequest, auth: ApiKeysAuth) async throws -> (Data, URLResponse) {
        var request = request
        auth.authorize(&request)
        #if canImport(FoundationNetworking)
        return try await data(for: request)
        #else
        return try await data(for: request, delegate: KeysStayOnOrigin())
        #endif
    }
}

#if !canImport(FoundationNetworking)
/// Takes the key headers off a redirect to another scheme, host or port.
private final class KeysStayOnOrigin: NSObject, URLSessionTaskDelegate {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest
    ) async -> URLRequest? {
        let (from, to) = (task.originalRequest?.url, request.url)
        guard from?.scheme != to?.scheme || from?.host != to?.host || from?.port != to?.port else {
            return request
        }
        var stripped = request
        stripped.setValue(nil, forHTTPHeaderField: accountKeyHeader())
        stripped.setValue(nil, forHTTPHeaderField: userKeyHeader())
        return stripped
    }
}
#endif
