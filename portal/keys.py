"""`python -m portal.keys`: a fresh set of the keys a deployment sets once (docs/settings.md).

It prints `NAME=value` lines for SECRET_KEY, FIELD_ENCRYPTION_KEYS, ID_HASH_KEY and
CUNBAN_CERTIFICATE_KEY, ready for the site's environment file. It loads no Django settings, so
it runs before any key exists. `make check` and `make deploy-checks` run with such a throwaway set.
"""

import secrets

from cryptography.fernet import Fernet


def fresh_keys() -> dict[str, str]:
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ID_HASH_KEY": secrets.token_urlsafe(48),
        "CUNBAN_CERTIFICATE_KEY": secrets.token_urlsafe(48),
    }


if __name__ == "__main__":
    for name, value in fresh_keys().items():
        print(f"{name}={value}")
