"""Checks for printed papers: the font they embed and the key their QR codes are signed with."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from portal.printing.fonts import font_path


@register()
def pdf_font_check(app_configs, **kwargs):
    """Without a CJK TrueType font no certificate, receipt or notice can be printed."""
    if font_path() is not None:
        return []
    return [
        Error(
            "No CJK TrueType font for printed papers (certificates, receipts, notices).",
            hint="apt-get install fonts-wqy-zenhei (make run-packages), or set CUNBAN_PDF_FONT to a .ttf/.ttc file.",
            id="certificates.E001",
        )
    ]


@register(Tags.security, deploy=True)
def certificate_key_check(app_configs, **kwargs):
    """The QR tokens default to SECRET_KEY: rotating it would make every printed paper fail its
    check unless the old key is kept as a fallback."""
    if settings.CUNBAN_CERTIFICATE_KEY:
        return []
    return [
        Warning(
            "CUNBAN_CERTIFICATE_KEY is not set: certificates' QR codes and check codes are keyed with SECRET_KEY.",
            hint="Set a long random value once; list old values in CUNBAN_CERTIFICATE_KEY_FALLBACKS after a change.",
            id="certificates.W001",
        )
    ]
