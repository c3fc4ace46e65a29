extension CredentialError {
    /// The stable code of this error (`not_found`, `invalid_key`, `store`, ...).
    public var code: String { field("code") ?? "" }

    /// What went wrong, in words; never a key.
    public var detail: String { field("detail") ?? "" }

    /// The associated value named `name` of this error's case.
    private func field(_ name: String) -> String? {
        guard let payload = Mirror(reflecting: self).children.first?.value else { return nil }
        return Mirror(reflecting: payload).children.first { $0.label == name }?.value as? String
    }

    /// The error a ``CredentialStore`` written in Swift throws when it fails:
    /// `throw CredentialError.store("keychain locked")`. Never put a key in it.
    public static func store(_ detail: String) -> CredentialError {
        .Store(code: "store", detail: detail)
    }
}
