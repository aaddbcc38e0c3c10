"""Villagers' words (`services_catalog.Synonym`), compiled for matching.

Administrators edit synonyms in the back office. Both the indexer and every search read them
with one small query; compiling (pinyin, keys) is memoised on the rows themselves, so an edit
takes effect at the next search in every process without any cache to invalidate.
"""

from dataclasses import dataclass
from functools import lru_cache

from services_catalog.models import Synonym

from . import text


@dataclass(frozen=True)
class CompiledSynonym:
    phrase: str  # squashed: 低保
    means: str  # squashed: 最低生活保障
    syllables: tuple[str, ...]  # di bao
    full_pinyin: str  # dibao
    initials: str  # db

    def is_typed_as(self, word: str, syllables: list[str] | None) -> bool:
        """Whether typed letters spell this phrase: its full pinyin, its initials, or its
        syllables inside a longer typed run (woyaodibao)."""
        if not self.full_pinyin:
            return False
        if word in (self.full_pinyin, self.initials):
            return True
        if syllables and len(self.syllables) >= 2 and len(syllables) > len(self.syllables):
            size = len(self.syllables)
            return any(
                tuple(syllables[i : i + size]) == self.syllables for i in range(len(syllables) - size + 1)
            )
        return False

    def is_one_typo_from(self, word: str) -> bool:
        """Whether typed letters are this phrase's full pinyin with one typo (dibo, dbiao)."""
        return bool(self.full_pinyin) and text.one_typo_apart(word, self.full_pinyin)


@lru_cache(maxsize=8)
def _compile(rows: tuple[tuple[str, str], ...]) -> tuple[CompiledSynonym, ...]:
    compiled = []
    for phrase, means in rows:
        phrase_key, means_key = text.squash(phrase), text.squash(means)
        if not phrase_key or not means_key or phrase_key == means_key:
            continue
        syllables = tuple(
            syllable for is_cjk, run in text.runs(phrase_key) if is_cjk for syllable in text.pinyin(run)
        )
        syllables = tuple(syllable for syllable in syllables if syllable)
        compiled.append(
            CompiledSynonym(
                phrase=phrase_key,
                means=means_key,
                syllables=syllables,
                full_pinyin="".join(syllables),
                initials=text.initials(syllables) if len(syllables) >= 2 else "",
            )
        )
    # Longest phrases first, so 养老保险 is tried before 养老.
    compiled.sort(key=lambda synonym: (-len(synonym.phrase), synonym.phrase))
    return tuple(compiled)


def synonym_table() -> tuple[CompiledSynonym, ...]:
    """Every synonym, compiled. One query."""
    rows = tuple(Synonym.objects.order_by("pk").values_list("phrase", "means"))
    return _compile(rows)
