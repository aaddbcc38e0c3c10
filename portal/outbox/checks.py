"""System checks for the SMS sender setting.

A sender that cannot be imported is an error at start-up rather than a failure on every
message. A sender that reaches no phone (console, file, memory) is only noted under
`check --deploy`, as information: a portal may run without SMS, but its operators should know.
"""

from django.conf import settings
from django.core.checks import Error, Info, Tags, register
from django.core.exceptions import ImproperlyConfigured

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
                hint="Configure your provider's SmsGateway adapter (docs/notifications.md).",
                id="outbox.I001",
            )
        ]
    return []
