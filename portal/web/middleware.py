"""Language selection: Simplified Chinese unless the visitor chose English with the switch."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Like Django's LocaleMiddleware, but ignores the browser's Accept-Language header.

    Many phones sold in China ship with an English system language, and WebViews inside chat
    apps send whatever they like; a villager must get Chinese unless they pressed "English".
    The choice lives in Django's language cookie, set by the switch in the page header.
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if not language or not translation.check_for_language(language):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
