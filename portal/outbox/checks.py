"""System checks for the SMS sender setting.

A sender that cannot be imported is an error at start-up rather than a failure on every
message. A sender that reaches no phone (console, file, memory) is only noted under
`check --deploy`, as information: a portal may run without SMS, but its operators should know.
A template provider (Aliyun, Tencent Cloud) without its credentials, signature or templates is
an error under `check --deploy` (`outbox.E002`): every message would be given up or fail.
"""

from django.conf import settings
from django.core.checks import Error, Info, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

from .gateways.base import TemplateSmsGateway
from .senders import ConsoleSender, FileSender, MemorySender, get_sender_class


@register()
def check_sms_backend(app_configs, **kwargs):
    try:
        get_sender_class()
    except ImproperlyConfigured as error:
        return [Error(str(error), hint="Set CUNBAN_SMS_BACKEND to an SmsGateway subclass.", id="outbox.E001")]
    return []


@register(Tags.security, deploy=True)
def check_sms_backend_reaches_phones(app_configs, **kwargs):
    try:
        sender_class = get_sender_class()
    except ImproperlyConfigured:
        return []  # outbox.E001 says so already
    if issubclass(sender_class, ConsoleSender | FileSender | MemorySender):
        return [
            Info(
                f"CUNBAN_SMS_BACKEND is {settings.CUNBAN_SMS_BACKEND}: text messages reach no phone.",
                hint="Set CUNBAN_SMS_BACKEND to portal.outbox.gateways.aliyun.AliyunSms or "
                "portal.outbox.gateways.tencent.TencentSms, with its templates (docs/notifications.md).",
                id="outbox.I001",
            )
        ]
    return []


@register(deploy=True)
def check_sms_provider_configured(app_configs, **kwargs):
    try:
        sender_class = get_sender_class()
    except ImproperlyConfigured:
        return []  # outbox.E001 says so already
    if not issubclass(sender_class, TemplateSmsGateway):
        return []
    messages = [
        Error(
            problem,
            hint="Configure the provider as docs/notifications.md says (credentials in the environment).",
            id="outbox.E002",
        )
        for problem in sender_class.configuration_problems()
    ]
    scheme, host = sender_class.endpoint()
    if scheme == "http":
        messages.append(
            Warning(
                f"CUNBAN_SMS_ENDPOINT {host} is plain http: villagers' numbers and codes cross the network unencrypted.",
                hint="Use https, or leave CUNBAN_SMS_ENDPOINT empty for the provider's public endpoint.",
                id="outbox.W002",
            )
        )
    return messages
