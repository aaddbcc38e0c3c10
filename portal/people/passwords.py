"""Password rules for the two deployment policies (PASSWORD_POLICY, portal/settings/security.py).

``asvs`` follows OWASP ASVS 5.0 V6.2: a minimum length, a generous maximum, a local list of
common passwords (with the decorated, repeated and keyboard-walk forms that meet the length
rule) and context words, and no composition rules (6.2.5). ``dengbao`` (等保 2.0,
GB/T 22239-2019 level 3, 身份鉴别) adds at least three of four character classes.
Nothing here looks anything up over the network.
"""

import re
import string
from functools import cache

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext

CONTEXT_WORDS = ("cunban", "村办")

# Rows of the keyboard, the digits and the alphabet, and the column walks people type as
# "random": a password made only of runs along these (either way) is a walk, not a secret.
SEQUENCES = (
    "01234567890",
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "qazwsxedcrfvtgbyhnujmikolp",
    "1q2w3e4r5t6y7u8i9o0p",
    "~!@#$%^&*()_+",
)
WALK_RUNS = SEQUENCES + tuple(sequence[::-1] for sequence in SEQUENCES)
LONGEST_RUN = max(map(len, WALK_RUNS))
# Common in Chinese leaks and missing from Django's English-leaning list: pinyin phrases and the
# numbers that spell them (520 我爱你, 1314 一生一世).
CHINESE_COMMON = frozenset(
    ("woaini", "woaini1314", "woaini520", "520", "1314", "5201314", "1314520", "woaiwojia", "aini1314")
)
LEET = str.maketrans(
    {"@": "a", "4": "a", "0": "o", "1": "i", "!": "i", "3": "e", "$": "s", "5": "s", "7": "t"}
)
DECORATION = re.compile(r"([\d\W_]*)(.*?)([\d\W_]*)", re.DOTALL)
ONLY_DECORATION = re.compile(r"[\d\W_]+")
YEAR = re.compile(r"(?:19|20)\d\d")


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


@cache
def _common_passwords() -> frozenset[str]:
    """Django's 20,000 common passwords, read once per process, compared without spaces (as
    `is_common_pattern` reads the password)."""
    return frozenset("".join(word.split()) for word in CommonPasswordValidator().passwords) | CHINESE_COMMON


def _is_walk(text: str) -> bool:
    """Can `text` be cut into runs of at least three characters along the sequences?"""
    reachable = [True] + [False] * len(text)
    for start in range(len(text)):
        if not reachable[start]:
            continue
        for end in range(start + 3, min(len(text), start + LONGEST_RUN) + 1):
            if any(text[start:end] in run for run in WALK_RUNS):
                reachable[end] = True
    return reachable[-1]


def _is_common(text: str) -> bool:
    common = _common_passwords()
    return text in common or text.translate(LEET) in common


def _is_weak(text: str) -> bool:
    """Common (also with 1337 letters), a year, a keyboard walk, or a unit repeated; also once
    the symbols around it are taken off (@123)."""
    if _is_common(text) or YEAR.fullmatch(text) or _is_walk(text):
        return True
    bare = text.strip(string.punctuation)
    if bare and bare != text and _is_weak(bare):
        return True
    repeated = re.fullmatch(r"(.+?)\1+", text)
    return repeated is not None and (len(repeated.group(1)) <= 3 or _is_weak(repeated.group(1)))


def is_common_pattern(password: str) -> bool:
    """A common password decorated to meet a length rule, a repetition, or a keyboard walk.

    Long passwords from real leaks are mostly a short common one with digits, a year or symbols
    added (password1234, P@ssw0rd2024!, iloveyou520), a unit repeated (abcabcabcabc,
    passwordpassword) or a walk (qwertyuiop12, 1qaz2wsx3edc). Django's list holds 20,000 common
    passwords but only 187 of them are 12 characters or longer, so checking it alone would wave
    these through; ASVS 6.2.4 asks for the common passwords *that meet the policy*."""
    text = "".join(password.lower().split())
    if not text or _is_weak(text):
        return True
    if ONLY_DECORATION.fullmatch(text):
        # Digits and symbols alone: two weak pieces (!@#$%^123456, 19901990123456), but not a
        # long random PIN that happens to begin with a common four digits.
        return any(
            (_is_common(text[:cut]) and _is_weak(text[cut:]))
            or (_is_common(text[cut:]) and _is_weak(text[:cut]))
            for cut in range(1, len(text))
        )
    # A common password (which may hold digits or symbols itself) before or after an ending
    # made only of digits and symbols.
    for cut in range(1, len(text)):
        head, tail = text[:cut], text[cut:]
        if (ONLY_DECORATION.fullmatch(tail) and _is_common(head)) or (
            ONLY_DECORATION.fullmatch(head) and _is_common(tail)
        ):
            return True
    # Letters between digits and symbols: the letters judged alone, or, when they are too few to
    # carry the password (a1234567890!), the digits and symbols around them.
    lead, core, trail = DECORATION.fullmatch(text).groups()
    if not core or core == text:
        return False
    return _is_weak(core) if len(core) >= 3 else _is_weak(lead + trail)


class CommonPatternValidator:
    """Refuse decorated common passwords, repetitions and keyboard walks (`is_common_pattern`)."""

    def validate(self, password: str, user=None) -> None:
        if is_common_pattern(password):
            raise ValidationError(
                gettext(
                    "This password is a common password with digits or symbols added, a repetition "
                    "or a keyboard pattern. Try a few words that mean something only to you."
                ),
                code="password_common_pattern",
            )

    def get_help_text(self) -> str:
        return gettext(
            "It may not be a common password with digits added, a repetition or a keyboard pattern."
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
        {"NAME": "portal.people.passwords.CommonPatternValidator"},
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
