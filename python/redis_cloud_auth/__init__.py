"""Authentication for the Redis Cloud REST API: keys held as secrets,
credentials from the environment, a profile file or the OS keychain, and
request headers; one Rust core shared with the Kotlin, Swift and Node.js
packages.

>>> from redis_cloud_auth import ApiKeys
>>> keys = ApiKeys(account_key="AccountKey0123", user_key="UserKey0123456")
>>> sorted(keys.expose_headers())
['x-api-key', 'x-api-secret-key']
"""

from ._client import (
    AccountInfo,
    ApiResponse,
    BlockingClient,
    Client,
    KeyInfo,
    Owner,
    SystemLogPage,
)
from ._credentials import (
    CredentialChain,
    Credentials,
    CredentialSource,
    CredentialStore,
    FileStore,
    KeychainStore,
    MemoryStore,
    Resolved,
)
from ._errors import (
    AdminError,
    ApiKeyError,
    AuthFailure,
    ClientError,
    CredentialError,
    HeaderError,
    RedisCloudAuthError,
)
from ._keys import (
    ACCOUNT_KEY_HEADER,
    USER_KEY_HEADER,
    ApiKeys,
    KeyKind,
    key_fingerprint,
    parse_auth_headers,
)
from ._verifier import (
    AuthRequest,
    Principal,
    Role,
    Secret,
    SystemLogEntry,
    UserInfo,
    UserKeyInfo,
    Verifier,
)

__all__ = [
    "AccountInfo",
    "ApiResponse",
    "BlockingClient",
    "Client",
    "ClientError",
    "KeyInfo",
    "Owner",
    "SystemLogPage",
    "AdminError",
    "AuthFailure",
    "AuthRequest",
    "Principal",
    "Role",
    "SystemLogEntry",
    "UserInfo",
    "UserKeyInfo",
    "Verifier",
    "ACCOUNT_KEY_HEADER",
    "USER_KEY_HEADER",
    "ApiKeyError",
    "ApiKeys",
    "CredentialChain",
    "CredentialError",
    "CredentialSource",
    "CredentialStore",
    "Credentials",
    "FileStore",
    "HeaderError",
    "KeyKind",
    "KeychainStore",
    "MemoryStore",
    "RedisCloudAuthError",
    "Resolved",
    "Secret",
    "key_fingerprint",
    "parse_auth_headers",
]
