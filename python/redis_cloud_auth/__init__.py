"""Authentication for the Redis Cloud REST API: keys held as secrets,
credentials from the environment, a profile file or the OS keychain, and
request headers; one Rust core shared with the Kotlin, Swift and Node.js
packages.

>>> from redis_cloud_auth import ApiKeys
>>> keys = ApiKeys(account_key="AccountKey0123", user_key="UserKey0123456")
>>> sorted(keys.expose_headers())
['x-api-key', 'x-api-secret-key']
"""

from . import _client, _credentials, _errors, _keys, _verifier
from ._client import *
from ._credentials import *
from ._errors import *
from ._keys import *
from ._verifier import *

__all__ = [name for module in (_client, _credentials, _errors, _keys, _verifier) for name in module.__all__]
