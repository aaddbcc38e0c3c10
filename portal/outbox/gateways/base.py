"""What the template providers' adapters share: settings, credentials, network failures.

Settings (portal/settings/content.py, docs/settings.md): `CUNBAN_SMS_SIGN_NAME` (the approved
signature, 签名), `CUNBAN_SMS_TEMPLATES` (templates.py), `CUNBAN_SMS_REGION`,
`CUNBAN_SMS_ENDPOINT` (empty: the provider's public endpoint for the region; a URL such as
`http://127.0.0.1:8123` reaches a private gateway or a test's fake one) and
`CUNBAN_SMS_TIMEOUT` (seconds). Credentials are read from the environment only, under the
names each provider's own tools use, so they never sit in a settings file or a dump of it.
"""

import os
from urllib.parse import urlsplit

import requests
import urllib3
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ..senders import SmsGateway
from .templates import Template, configured_templates


class DeliveryUnknown(Exception):
    """The request may have reached the provider (a read timed out, the connection dropped
    after it was sent). Not a `SendError`, so the outbox abandons the message rather than
    risk texting the villager twice."""


def never_reached(error: BaseException) -> bool:
    """Did this failure happen before the request left, so that nothing can have been sent?

    Only a refused or timed-out connection, a name that did not resolve or a failed TLS
    handshake says so. The SDKs wrap the `requests` error in their own exception; its cause
    is found through `__cause__`, `__context__`, `reason`, `inner_exception` and the arguments."""
    seen: set[int] = set()
    stack: list[object] = [error]
    while stack:
        current = stack.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, requests.exceptions.ReadTimeout | urllib3.exceptions.ReadTimeoutError):
            return False
        if isinstance(
            current,
            requests.exceptions.ConnectTimeout
            | requests.exceptions.SSLError
            | urllib3.exceptions.ConnectTimeoutError  # NewConnectionError, NameResolutionError too
            | ConnectionRefusedError,
        ):
            return True
        stack.extend(
            [
                current.__cause__,
                current.__context__,
                getattr(current, "reason", None),  # urllib3's MaxRetryError
                getattr(current, "inner_exception", None),  # the Aliyun SDK's UnretryableException
                *current.args,
            ]
        )
    return False


class TemplateSmsGateway(SmsGateway):
    """A provider that sends approved templates with parameters (Aliyun, Tencent Cloud)."""

    provider = ""
    # The environment variables holding the key id and the secret.
    credential_variables: tuple[str, ...] = ()
    default_region = ""
    # Does every template need its variables listed (numbered variables)?
    needs_variable_lists = False

    def __init__(self) -> None:
        problems = self.configuration_problems()
        if problems:
            raise ImproperlyConfigured(f"{type(self).__name__}: " + " ".join(problems))
        self.templates: dict[str, Template] = configured_templates()
        self.sign_name: str = settings.CUNBAN_SMS_SIGN_NAME
        self.region: str = settings.CUNBAN_SMS_REGION or self.default_region
        self.timeout: float = float(settings.CUNBAN_SMS_TIMEOUT)
        self.scheme, self.host = self.endpoint()
        self.credentials = [os.environ[name] for name in self.credential_variables]

    @classmethod
    def endpoint(cls) -> tuple[str, str]:
        """(scheme, host[:port]) of `CUNBAN_SMS_ENDPOINT`; ("https", "") for the provider's own."""
        value = (getattr(settings, "CUNBAN_SMS_ENDPOINT", "") or "").strip()
        if not value:
            return "https", ""
        if "://" not in value:
            return "https", value.rstrip("/")
        parts = urlsplit(value)
        return parts.scheme.lower(), parts.netloc

    @classmethod
    def configuration_problems(cls) -> list[str]:
        """What keeps this provider from sending, in plain words; empty when nothing does.
        Read by `__init__` and by the deploy check (outbox.E002)."""
        problems = [
            f"The environment variable {name} (the {cls.provider} credentials) is not set."
            for name in cls.credential_variables
            if not os.environ.get(name, "").strip()
        ]
        if not (getattr(settings, "CUNBAN_SMS_SIGN_NAME", "") or "").strip():
            problems.append("CUNBAN_SMS_SIGN_NAME (the approved SMS signature, 签名) is empty.")
        try:
            templates = configured_templates()
        except ValueError as error:
            problems.append(f"CUNBAN_SMS_TEMPLATES cannot be read: {error}.")
        else:
            if not templates:
                problems.append("CUNBAN_SMS_TEMPLATES names no template: no message could be sent.")
            if cls.needs_variable_lists:
                unlisted = sorted(key for key, template in templates.items() if template.variables is None)
                if unlisted:
                    problems.append(
                        f"CUNBAN_SMS_TEMPLATES must list the variables of {', '.join(unlisted)} "
                        "in order (key=TEMPLATE_ID:var|var; TEMPLATE_ID: for none)."
                    )
        scheme, _host = cls.endpoint()
        if scheme not in ("http", "https"):
            problems.append(f"CUNBAN_SMS_ENDPOINT must be an http(s) address, not {scheme}://.")
        timeout = getattr(settings, "CUNBAN_SMS_TIMEOUT", 10)
        if not (isinstance(timeout, int | float) and 0 < timeout <= 60):
            problems.append("CUNBAN_SMS_TIMEOUT must be a number of seconds between 0 and 60.")
        return problems
