"""Password rules for the two deployment policies (PASSWORD_POLICY, portal/settings/security.py).

``asvs`` follows OWASP ASVS 5.0 V6.2: a minimum length, a generous maximum, a local list of
common passwords and context words, and no composition rules (6.2.5). ``dengbao`` (等保 2.0,
GB/T 22239-2019 level 3, 身份鉴别) adds at least three of four character classes.
Nothing here looks anything up over the network.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext

CONTEXT_WORDS = ("cunban", "村办")


class MaximumLengthValidator:
    """Allow long passphrases (ASVS 6.2.9 asks for at least 64) but bound the hashing work."""

    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user=None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "This password is too long: at most %(max_length)d character.",
                    "This password is too long: at most %(max_length)d characters.",
                    self.max_length,
                )
                % {"max_length": self.max_length},
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return gettext("Up to %(max_length)d characters; a long phrase is welcome.") % {
            "max_length": self.max_length
        }


class ContextWordsValidator:
    """Refuse the site's own name, the first guess of anyone attacking it (ASVS 6.1.2, 6.2.11)."""

    def __init__(self, words: tuple[str, ...] = CONTEXT_WORDS) -> None:
        self.words = tuple(word.lower() for word in words)

    def validate(self, password: str, user=None) -> None:
        lowered = password.lower()
        if any(word in lowered for word in self.words):
            raise ValidationError(
                gettext("This password contains the name of this site."),
                code="password_context_word",
            )

    def get_help_text(self) -> str:
        return gettext("It may not contain the name of this site.")


def character_classes(password: str) -> int:
    """How many of upper case, lower case, digits and other characters the password uses.
    Anything that is neither a cased letter nor a digit (punctuation, spaces, Chinese
    characters) counts as "other"."""
    upper = any(ch.isupper() for ch in password)
    lower = any(ch.islower() for ch in password)
    digit = any(ch.isdigit() for ch in password)
    other = any(not (ch.isupper() or ch.islower() or ch.isdigit()) for ch in password)
    return upper + lower + digit + other


class CharacterClassesValidator:
    """等保 2.0 level 3: at least three of upper case, lower case, digits and symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                gettext(
                    "Use at least %(count)d of these four: capital letters, small letters, digits, symbols."
                )
                % {"count": self.min_classes},
                code="password_too_few_classes",
            )

    def get_help_text(self) -> str:
        return gettext(
            "At least %(count)d of these four: capital letters, small letters, digits, symbols."
        ) % {"count": self.min_classes}


def validators_for_policy(policy: str, *, min_length: int) -> list[dict]:
    """AUTH_PASSWORD_VALIDATORS for one policy."""
    common = [
        {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
        {
            "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
            "OPTIONS": {"min_length": min_length},
        },
        {"NAME": "portal.people.passwords.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
        {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
        {"NAME": "portal.people.passwords.ContextWordsValidator"},
    ]
    if policy == "dengbao":
        common.append(
            {
                "NAME": "portal.people.passwords.CharacterClassesValidator",
                "OPTIONS": {"min_classes": 3},
            }
        )
    return common
