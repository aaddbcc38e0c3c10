"""The asvs and dengbao password policies, password age, and the password change page."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import get_password_validators, validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from portal.people.passwords import character_classes, validators_for_policy
from tests.conftest import PASSWORD

# The guessability check reads the counties' names from the database.
pytestmark = pytest.mark.django_db

ASVS = validators_for_policy("asvs", min_length=12)
DENGBAO = validators_for_policy("dengbao", min_length=8)


def errors(password: str, policy: list[dict], user=None) -> list[str]:
    with translation.override("en"):
        try:
            validate_password(password, user, get_password_validators(policy))
        except ValidationError as error:
            return [e.code for e in error.error_list]
    return []


LONG_PASSPHRASE = "宝坻区的村务助理每周二下午到镇便民服务中心送材料，路上经过三棵老槐树和一座石桥。" * 2


def test_asvs_accepts_any_composition_and_long_passphrases():
    assert errors("alllowercasewords here", ASVS) == []
    assert errors("3907 1846 5520 9173", ASVS) == []  # digits only: no composition rule
    assert len(LONG_PASSPHRASE) > 64 and errors(LONG_PASSPHRASE, ASVS) == []  # ASVS 6.2.9


# Long passwords as they appear in leaks: a common one with digits, a year or symbols added,
# a unit repeated, a keyboard or number walk, a pinyin phrase. zxcvbn scores each below 3.
DECORATED_COMMON = [
    "qwertyuiop123",
    "1qaz2wsx3edc",
    "iloveyou1234",
    "abc123456789",
    "woaini1314520",
    "123456789012",
    "1234 5678 9012 3456",
    "aaaaaaaaaaaa",
    "passwordpassword",
    "P@ssw0rd1234",
    "abcabcabcabc",
    "sunshine2024",
    "1q2w3e4r5t6y",
    "zxcvbnm12345",
    "长" * 70,
]


@pytest.mark.parametrize("password", DECORATED_COMMON)
def test_both_policies_refuse_common_passwords_made_long(password):
    assert "password_guessable" in errors(password, ASVS)
    assert "password_guessable" in errors(password, DENGBAO)


@pytest.mark.parametrize("password", ["!!!!password2024!!", "dragon2024!!!"])
def test_heavily_decorated_common_passwords_are_left_to_the_lockout(password):
    """The hand-written pattern check refused these; zxcvbn scores them 3 (10^8 to 10^10
    guesses): weak offline, but far beyond online guessing, which django-axes locks out after a
    few tries. ASVS 6.2.4 asks for the top common passwords, not every decoration of them."""
    assert errors(password, ASVS) == []


@pytest.mark.parametrize(("language", "words"), [("en", "keyboard"), ("zh-hans", "键盘")])
def test_the_message_says_why_a_password_is_easy_to_guess(language, words):
    with translation.override(language):
        with pytest.raises(ValidationError) as refused:
            validate_password("zxcvbnm,./asdf", None, get_password_validators(ASVS))
        assert words in refused.value.messages[0]  # the message is lazy: read it in the language


def test_the_account_and_its_county_are_words_an_attacker_tries_first(world):
    """zxcvbn scores a password built from what anyone can learn about the account (its name in
    pinyin, its mobile number) or the county as guessable."""
    user = world.clerk_a
    user.name, user.mobile = "王秀英", "13912345678"
    county = world.county.name
    assert "password_guessable" in errors("wangxiuying12345678", ASVS, user)
    assert "password_guessable" in errors(f"{county}{county}2026!", ASVS)
    assert errors("wangxiuying12345678", ASVS) == []  # the same password is fine for another person


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "tianjin-baodi-2026-xiang",
        "zhang wei likes tea",
        "BaoDi gov desk 7",
        PASSWORD,
        "Fresh spring water 2026",
    ],
)
def test_passwords_that_merely_contain_digits_or_words_are_not_guessable(password):
    assert "password_guessable" not in errors(password, ASVS)


def test_the_guessability_check_covers_the_top_3000_common_passwords_at_the_policy_length():
    """ASVS 6.2.4: at least the top 3,000 passwords that meet the policy. Django's list has only
    a few hundred of 12 characters or more; its most common words with the endings people add
    are all refused (zxcvbn alone, without Django's list, lets about one in eleven through)."""
    import gzip

    from django.contrib.auth.password_validation import CommonPasswordValidator

    from portal.people.passwords import CONTEXT_WORDS, guessability

    endings = ("1234", "123456", "2024", "2026", "!@#", "520", "1314", "@123", "12345678")
    with gzip.open(CommonPasswordValidator().DEFAULT_PASSWORD_LIST_PATH, "rt") as lines:
        by_frequency = [line.strip() for line in lines]
    long_enough = [word + ending for word in by_frequency for ending in endings if len(word + ending) >= 12]
    scores = {
        password: guessability(password, list(CONTEXT_WORDS))["score"] for password in long_enough[:3000]
    }
    assert [password for password, score in scores.items() if score >= 3] == []


def test_asvs_refuses_short_common_overlong_and_context_passwords():
    assert "password_too_short" in errors("Ab1!xyz", ASVS)
    assert "password_too_common" in errors("password1234", ASVS)
    assert "password_too_long" in errors("x" * 129, ASVS)
    assert "password_context_word" in errors("my cunban desk 2026", ASVS)


def test_dengbao_needs_three_of_four_character_classes():
    assert "password_too_few_classes" in errors("onlylowercase", DENGBAO)
    assert "password_too_few_classes" in errors("lower12345", DENGBAO)
    assert errors("quietRiver42x", DENGBAO) == []
    assert errors("Desk7gate!tea", DENGBAO) == []
    # Three classes are not enough on their own: a word and a digit run is easy to guess
    # (zxcvbn is stricter here than the hand-written patterns were).
    assert errors("Lower12345", DENGBAO) == ["password_guessable"]
    assert errors("lower-123", DENGBAO) == ["password_guessable"]
    assert "password_too_short" in errors("Ab1!x", DENGBAO)


def test_character_classes_count_chinese_as_other():
    assert character_classes("Aa1!") == 4
    assert character_classes("村办") == 1


def test_messages_and_help_texts_are_translated_to_english():
    with translation.override("en"):
        texts = [v.get_help_text() for v in get_password_validators(DENGBAO)]
    assert any("capital letters" in text for text in texts)


def test_saving_a_new_password_stamps_the_change_time_but_a_rehash_does_not(world):
    user = world.clerk_a
    with time_machine.travel(timezone.now() + timedelta(days=10), tick=False):
        user.set_password("a new and long password")
        user.save()
        user.refresh_from_db()
        assert user.password_changed_at == timezone.now()
    stamped = user.password_changed_at
    user.set_password("another long password")
    user._password = None  # what a hasher upgrade does before it saves
    user.save(update_fields=["password"])
    user.refresh_from_db()
    assert user.password_changed_at == stamped


@pytest.mark.parametrize("days,expired", [(89, False), (91, True)])
def test_password_age(world, days, expired):
    with time_machine.travel(world.clerk_a.password_changed_at + timedelta(days=days)):
        assert world.clerk_a.password_expired(max_age_days=90) is expired
        assert world.clerk_a.password_expired(max_age_days=0) is False


@override_settings(PASSWORD_MAX_AGE_DAYS=90)
def test_an_expired_password_only_reaches_the_change_page_until_changed(client, world):
    with time_machine.travel(timezone.now() + timedelta(days=91), tick=False):
        client.force_login(world.clerk_a)
        response = client.get(reverse("web:staff_home"))
        assert response.status_code == 302 and response["Location"] == reverse("people:password_change")
        assert client.get("/work/").status_code == 302
        assert client.get(reverse("people:password_change")).status_code == 200
        changed = client.post(
            reverse("people:password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": "Fresh spring water 2026",
                "new_password2": "Fresh spring water 2026",
            },
        )
        assert changed.status_code == 302
        assert client.get(reverse("web:staff_home")).status_code == 200


def test_no_expiry_under_the_default_policy(client, world):
    with time_machine.travel(timezone.now() + timedelta(days=3650), tick=False):
        client.force_login(world.clerk_a)
        assert client.get(reverse("web:staff_home")).status_code == 200


def test_password_change_page_asks_for_the_current_password(client, world):
    client.force_login(world.clerk_a)
    with translation.override("en"):
        response = client.post(
            reverse("people:password_change"),
            {"old_password": "wrong", "new_password1": "x" * 20, "new_password2": "x" * 20},
        )
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
