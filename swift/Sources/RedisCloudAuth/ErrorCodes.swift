// The stable `code` and secret-free `detail` that every error of this
// library carries, readable without a `switch` over its cases.

/// An error of redis-cloud-auth: each case carries the core's stable `code`
/// (the same strings in every language) and a `detail` message without keys.
public protocol RedisCloudAuthError: Error {}

extension RedisCloudAuthError {
    /// The stable code of this error (`empty_key`, `not_found`, `timeout`, ...).
    public var code: String { field("code") as? String ?? "" }

    /// What went wrong, in words; never a key.
    public var detail: String { field("detail") as? String ?? "" }

    /// The associated value named `name` of this error's case.
    func field(_ name: String) -> Any? {
        guard let payload = Mirror(reflecting: self).children.first?.value else { return nil }
        return Mirror(reflecting: payload).children.first { $0.label == name }?.value
    }
}

extension ApiKeyError: RedisCloudAuthError {}
extension HeaderError: RedisCloudAuthError {}
extension CredentialError: RedisCloudAuthError {}
extension AdminError: RedisCloudAuthError {}
extension AuthFailure: RedisCloudAuthError {}
extension ClientError: RedisCloudAuthError {}

extension CredentialError {
    /// The error a ``CredentialStore`` written in Swift throws when it fails:
    /// `throw CredentialError.store("keychain locked")`. Never put a key in it.
    public static func store(_ detail: String) -> CredentialError {
        .Store(code: "store", detail: detail)
    }
}

extension ApiKeyError {
    /// Which key was rejected.
    public var key: KeyKind? { field("key") as? KeyKind }
}

extension HeaderError {
    /// The name of the header the error is about.
    public var header: String { field("header") as? String ?? "" }
}

extension AuthFailure {
    /// The HTTP status to answer with (401, 403, 500...).
    public var httpStatus: UInt16 { field("httpStatus") as? UInt16 ?? 500 }

    /// The message safe to send to the caller: it never tells which rule failed.
    public var publicMessage: String { field("publicMessage") as? String ?? "" }

    /// The code the caller is shown (`unauthorized`, `forbidden`, `service_unavailable`).
    public var publicCode: String { field("publicCode") as? String ?? "" }
}

extension ClientError {
    /// The HTTP status the server answered, or nil when there was no answer.
    public var status: UInt16? { field("status") as? UInt16 }
}
