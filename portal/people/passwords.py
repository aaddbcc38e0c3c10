"""Password rules for the two deployment policies (PASSWORD_POLICY, portal/settings/security.py).

``asvs`` follows OWASP ASVS 5.0 V6.2: a minimum length, a generous maximum, Django's local list of
common passwords, a guessability estimate (zxcvbn) and context words, and no composition rules
(6.2.5). ``dengbao`` (等保 2.0, GB/T 22239-2019 level 3, 身份鉴别) adds at least three of four
character classes. Nothing here looks anything up over the network.

zxcvbn finds what people do to make a short password long: common passwords and words with
digits, years or symbols added, 1337 letters, repeats, keyboard walks, sequences and dates. It is
given two lists it lacks: Django's 20,000 common passwords (so a listed password stays refused
when decorated, as ASVS 6.2.4 asks for the common passwords *that meet the policy*) and the
pinyin ones common in Chinese leaks. What stays hand-written here is what zxcvbn does not do:

- a maximum length (it judges at most 72 characters and bounds nothing);
- refusing the site's own name outright (it only lowers the score, so a long password that
  contains "cunban" could still pass);
- the 等保 composition rule (it deliberately ignores composition);
- reading the password once more without its spaces: zxcvbn matches the password as typed, and
  people put spaces into runs ("1234 5678 9012 3456").
"""

import gzip
from functools import cache
from typing import Any

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy, ngettext

CONTEXT_WORDS = ("cunban", "村办", "nongshicunban", "农事村办")
# Common in Chinese leaks and missing from zxcvbn's and Django's English-leaning lists: pinyin
# phrases and the numbers that spell them (520 我爱你, 1314 一生一世), most common first.
CHINESE_COMMON = (
    "woaini", "5201314", "1314520", "woaini1314", "woaini520", "woaiwojia", "aini1314", "520", "1314",
)  # fmt: skip
# zxcvbn reads at most this many characters (its own limit); the rest of a long password only
# makes it harder to guess.
ZXCVBN_MAX_LENGTH = 72


class MaximumLengthValidator:
    """Allow long passphrases (ASVS 6.2.9 asks for at least 64) but bound the hashing work."""

    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
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
    """Refuse the site's own name, the first guess of anyone attacking it (ASVS 6.1.2, 6.2.11).

    zxcvbn is told these words too, but only lowers the score for them; here they are refused
    outright, whatever surrounds them."""

    def __init__(self, words: tuple[str, ...] = CONTEXT_WORDS) -> None:
        self.words = tuple(word.lower() for word in words)

    def validate(self, password: str, user: Any = None) -> None:
        lowered = password.lower()
        if any(word in lowered for word in self.words):
            raise ValidationError(
                gettext("This password contains the name of this site."),
                code="password_context_word",
            )

    def get_help_text(self) -> str:
        return gettext("It may not contain the name of this site.")


@cache
def _zxcvbn() -> Any:
    """zxcvbn, imported on first use (its word lists take a moment to load, and the settings
    import this module), with Django's common passwords and the pinyin ones added as ranked lists
    in their order of frequency."""
    from zxcvbn import zxcvbn  # why: its word lists load slowly; the settings import this module
    from zxcvbn.matching import add_frequency_lists  # why: as above

    with gzip.open(CommonPasswordValidator().DEFAULT_PASSWORD_LIST_PATH, "rt", encoding="utf-8") as lines:
        django_common = [line.strip() for line in lines]
    add_frequency_lists({"django_common": django_common, "chinese_common": list(CHINESE_COMMON)})
    return zxcvbn


def _user_words(user: Any) -> list[str]:
    """What an attacker who knows the account tries first: its names (also in pinyin), the
    e-mail's local part, and the mobile number with the parts people use of it."""
    if user is None:
        return []
    words: list[str] = []
    for attribute in ("username", "name", "first_name", "last_name"):
        value = str(getattr(user, attribute, "") or "")
        words.append(value)
        words.extend(_pinyin(value))
    email = str(getattr(user, "email", "") or "")
    words.append(email.partition("@")[0])
    mobile = "".join(ch for ch in str(getattr(user, "mobile", "") or "") if ch.isdigit())
    words.extend(
        [mobile, mobile[-4:], mobile[-6:], mobile[-8:], mobile[:7]] if len(mobile) >= 8 else [mobile]
    )
    return [word for word in words if len(word) >= 2]


def _pinyin(text: str) -> list[str]:
    """张伟 -> zhangwei and zw; nothing for text without Chinese characters."""
    if not any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return []
    from pypinyin import Style, lazy_pinyin  # why: its dictionaries load slowly; only Chinese names need it

    syllables = lazy_pinyin(text, errors="ignore")
    initials = lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore")
    return ["".join(syllables), "".join(initials)]


def _county_words() -> list[str]:
    """The counties the site serves, as written and in pinyin, with and without 县/区/市."""
    from portal.places.models import (  # why: the settings import this module before apps load
        Region,
        RegionLevel,
    )

    words: list[str] = []
    for name in Region.objects.filter(level=RegionLevel.COUNTY).values_list("name", flat=True):
        for form in {name, name.rstrip("县区市旗")}:
            words.append(form)
            words.extend(_pinyin(form))
    return words


_GUESSABLE_MESSAGES = {
    "user": gettext_lazy(
        "This password is too easy to guess: it contains your own name, account name or mobile "
        "number, or the name of this site or county. Try a few words that mean something only to you."
    ),
    "common": gettext_lazy(
        "This password is too easy to guess: it is a commonly used password, perhaps with digits, "
        "a year or symbols added. Try a few words that mean something only to you."
    ),
    "words": gettext_lazy(
        "This password is too easy to guess: it is made of common words or names alone. Add another "
        "word or two; uncommon words are better."
    ),
    "keyboard": gettext_lazy(
        "This password is too easy to guess: it follows a row or pattern of keys on the keyboard. "
        "Try a few words that mean something only to you."
    ),
    "repeat": gettext_lazy(
        "This password is too easy to guess: it repeats a character or a group of characters. Try a "
        "few words that mean something only to you."
    ),
    "sequence": gettext_lazy(
        "This password is too easy to guess: it is a sequence such as abc or 6543. Try a few words "
        "that mean something only to you."
    ),
    "date": gettext_lazy(
        "This password is too easy to guess: it is built around a year or a date. Try a few words "
        "that mean something only to you."
    ),
    "other": gettext_lazy(
        "This password is too easy to guess. Make it longer: a few words that mean something only "
        "to you are easy to remember and hard to guess."
    ),
}
_COMMON_DICTIONARIES = {"passwords", "django_common", "chinese_common"}
_PATTERN_REASONS = {
    "spatial": "keyboard",
    "repeat": "repeat",
    "sequence": "sequence",
    "regex": "date",
    "date": "date",
}


def guessability(password: str, user_inputs: list[str]) -> dict[str, Any]:
    """zxcvbn's estimate for the password as typed, or without its spaces if that is weaker."""
    zxcvbn = _zxcvbn()
    result = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=user_inputs)
    squeezed = "".join(password.split())[:ZXCVBN_MAX_LENGTH]
    if squeezed != password[:ZXCVBN_MAX_LENGTH] and squeezed:
        other = zxcvbn(squeezed, user_inputs=user_inputs)
        if other["score"] < result["score"]:
            result = other
    return result


def _reason(result: dict[str, Any]) -> str:
    """Why zxcvbn found it easy, from its longest match (as zxcvbn's own feedback chooses)."""
    matches = [match for match in result["sequence"] if match["pattern"] != "bruteforce"]
    if not matches:
        return "other"
    match = max(matches, key=lambda m: len(m["token"]))
    if match["pattern"] == "dictionary":
        if match["dictionary_name"] == "user_inputs":
            return "user"
        return "common" if match["dictionary_name"] in _COMMON_DICTIONARIES else "words"
    return _PATTERN_REASONS.get(match["pattern"], "other")


class GuessablePasswordValidator:
    """Refuse passwords zxcvbn scores below `min_score` (3: fewer than about 10^8 guesses), with
    the account's names and mobile number, the site's name and its counties as words an attacker
    tries first."""

    def __init__(self, min_score: int = 3, words: tuple[str, ...] = CONTEXT_WORDS) -> None:
        self.min_score = min_score
        self.words = words

    def validate(self, password: str, user: Any = None) -> None:
        if not password:
            return  # the length rule speaks for an empty password
        inputs = [*self.words, *_county_words(), *_user_words(user)]
        result = guessability(password, inputs)
        if result["score"] < self.min_score:
            raise ValidationError(_GUESSABLE_MESSAGES[_reason(result)], code="password_guessable")

    def get_help_text(self) -> str:
        return gettext(
            "It may not be easy to guess: not a common password, even with digits or symbols added, "
            "not a keyboard pattern, repetition or date, and not your own name or mobile number."
        )


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
        {"NAME": "portal.people.passwords.GuessablePasswordValidator", "OPTIONS": {"min_score": 3}},
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
