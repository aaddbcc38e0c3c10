"""Which terms a page gets, with which weights, and which terms a query looks up.

Weights are integers so sums are exact and equal on every database. The title dominates; a
villager's word that stands for the title (a synonym) counts nearly as much as the title itself;
summary, type, department, life events, certificate, materials and conditions count less and
less. A query's terms are made by the same functions from `text`, so whatever a page is indexed
under, a query can produce.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from . import text
from .synonyms import CompiledSynonym

# The title.
TITLE_WHOLE = 40  # the whole normalised title: someone typed the official name
TITLE_BIGRAM = 12
# (Single characters of any text count a quarter of its bigrams: 3 in a title.)
TITLE_PINYIN = 24  # zuidishenghuobaozhangshenhequeren
TITLE_INITIALS = 12  # zdshbzshqr
TITLE_PINYIN_PAIR = 6  # zuidi, dibao … : typed pinyin of part of the title
TITLE_NGRAM_INITIALS = 4  # cjr, cjrz: initials of any 3 or 4 title characters in a row
SYLLABLE = 1
FUZZY = 2  # each typo-variant posting; a typo'd word meets one or two of them
# A villager's word whose official words fit the title (see text.fits).
SYNONYM_PHRASE = 30
SYNONYM_PINYIN = 30
SYNONYM_INITIALS = 20
SYNONYM_BIGRAM = 8
# Query-time bonuses, added once per page by the ranking query.
BONUS_WHOLE_QUERY_IN_TITLE = 50
BONUS_MEANS_IN_TITLE = 40
BONUS_PER_WORD_MATCHED = 20  # queries of several words: pages matching more words first
# A page must score this much per two characters (or syllables) typed to be a hit at all.
CHANCE_OVERLAP_PER_TWO_UNITS = 2
MAX_WEIGHT = 32767  # PositiveSmallIntegerField

MAX_QUERY_CHARS = 60
MAX_QUERY_WORDS = 6
MAX_SYNONYMS_PER_WORD = 3
# Longer typed words look up neither single characters nor pinyin: their bigrams say enough,
# and those postings are the longest lists in the index (every title has 镇, 办, 发 …).
MAX_CHARS_FOR_UNIGRAMS = 3
MAX_CHARS_FOR_PINYIN = 4


def _add(terms: dict[str, int], term: str, weight: int) -> None:
    if term and weight > 0 and len(term) <= text.MAX_TERM_LENGTH:
        terms[term] = min(MAX_WEIGHT, terms.get(term, 0) + weight)


def _text_terms(value: str, bigram_weight: int) -> dict[str, int]:
    """Terms of one extracted text, each counted once however often it occurs."""
    terms: dict[str, int] = {}
    unigram_weight = bigram_weight // 4
    for is_cjk, run in text.runs(value):
        if not is_cjk:
            terms[run] = bigram_weight
            continue
        for bigram in text.bigrams(run):
            terms[bigram] = bigram_weight
        if unigram_weight or len(run) == 1:
            for char in run:
                terms.setdefault(char, max(unigram_weight, 1))
    return terms


def title_terms(title: str) -> dict[str, int]:
    terms: dict[str, int] = {}
    _add(terms, text.squash(title), TITLE_WHOLE)
    for term, weight in _text_terms(title, TITLE_BIGRAM).items():
        _add(terms, term, weight)
    all_syllables: list[str] = []
    for is_cjk, run in text.runs(title):
        if not is_cjk:
            continue
        syllables = text.pinyin(run)
        all_syllables.extend(syllable for syllable in syllables if syllable)
        for pair in set(text.pinyin_pairs(syllables)):
            _add(terms, pair, TITLE_PINYIN_PAIR)
        for syllable in set(syllables):
            _add(terms, syllable, SYLLABLE)
        ngram_initials = {
            text.initials(syllables[start : start + size])
            for size in (3, 4)
            for start in range(len(syllables) - size + 1)
            if all(syllables[start : start + size])
        }
        for ngram in ngram_initials:
            _add(terms, ngram, TITLE_NGRAM_INITIALS)
    full = "".join(all_syllables)
    _add(terms, full, TITLE_PINYIN)
    if len(all_syllables) >= 2:
        _add(terms, text.initials(all_syllables), TITLE_INITIALS)
    for variant in text.fuzzy_index_terms(full):
        _add(terms, variant, FUZZY)
    return dict(terms)


def page_terms(title: str, texts: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Every term of a page except those from synonyms: the title, then the extractor's texts."""
    terms = title_terms(title)
    for value, weight in texts:
        if value:
            for term, term_weight in _text_terms(str(value), int(weight)).items():
                _add(terms, term, term_weight)
    return terms


def synonym_terms(title_key: str, synonyms: Iterable[CompiledSynonym]) -> dict[str, int]:
    """Terms a page gets from the villagers' words whose official words fit its title."""
    terms: dict[str, int] = {}

    def keep(term: str, weight: int) -> None:
        if term and len(term) <= text.MAX_TERM_LENGTH:
            terms[term] = max(terms.get(term, 0), weight)

    for synonym in synonyms:
        if not text.fits(synonym.means, title_key):
            continue
        keep(synonym.phrase, SYNONYM_PHRASE)
        if len(synonym.phrase) > 2:
            for bigram in text.bigrams(synonym.phrase):
                keep(bigram, SYNONYM_BIGRAM)
        keep(synonym.full_pinyin, SYNONYM_PINYIN)
        keep(synonym.initials, SYNONYM_INITIALS)
        if len(synonym.syllables) > 2:
            for pair in text.pinyin_pairs(list(synonym.syllables)):
                keep(pair, TITLE_PINYIN_PAIR)
        for variant in text.fuzzy_index_terms(synonym.full_pinyin):
            keep(variant, FUZZY)
    return terms


@dataclass
class QueryWord:
    """One word of a query as typed (a run of Chinese characters or of letters and digits),
    the terms it looks up, and the official words of the synonyms it matched."""

    typed: str
    terms: set[str] = field(default_factory=set)
    means: list[str] = field(default_factory=list)
    # Characters, or syllables of typed pinyin: how much a chance overlap may match (min_score).
    units: int = 0


@dataclass
class ParsedQuery:
    key: str  # the whole query, squashed
    words: list[QueryWord]

    @property
    def terms(self) -> list[str]:
        return sorted({self.key, *(term for word in self.words for term in word.terms)} - {""})

    @property
    def means(self) -> list[str]:
        return list(dict.fromkeys(means for word in self.words for means in word.means))

    @property
    def min_score(self) -> int:
        """Less than this is a chance overlap (火箭发射 shares 发 with 高龄津贴发放; gaifangzi
        shares fang with 发放), while 户口簿 still finds the items that ask for one (two
        material bigrams)."""
        return CHANCE_OVERLAP_PER_TWO_UNITS * (sum(word.units for word in self.words) // 2)

    @property
    def title_bonuses(self) -> list[tuple[str, int]]:
        """Substrings of a title that earn a bonus: the whole query, then synonyms' official words."""
        bonuses = [(self.key, BONUS_WHOLE_QUERY_IN_TITLE)] if self.key else []
        return bonuses + [(means, BONUS_MEANS_IN_TITLE) for means in self.means if means != self.key]


def _merge_split_syllables(tokens: list[str]) -> list[str]:
    """Join pinyin typed a syllable at a time ("di bao" → "dibao")."""
    merged: list[str] = []
    previous_was_syllable = False
    for token in tokens:
        is_syllable = token in text.SYLLABLES
        if is_syllable and previous_was_syllable:
            merged[-1] += token
        else:
            merged.append(token)
        previous_was_syllable = is_syllable
    return merged


def _chinese_word(run: str, synonyms: Iterable[CompiledSynonym]) -> QueryWord:
    word = QueryWord(typed=run, terms={run, *text.bigrams(run)}, units=len(run))
    if len(run) <= MAX_CHARS_FOR_UNIGRAMS:
        word.terms.update(run)
    syllables = text.pinyin(run)
    full = "".join(syllables)
    if 2 <= len(run) <= MAX_CHARS_FOR_PINYIN and all(syllables):
        # Typed with a pinyin keyboard, a wrong character of the right sound (低宝 for 低保)
        # still meets the pinyin terms.
        word.terms.add(full)
        word.terms.update(text.pinyin_pairs(syllables))
    matched = [
        synonym
        for synonym in synonyms
        if synonym.phrase in run or (len(run) >= 2 and full and full == synonym.full_pinyin)
    ]
    _expand(word, matched)
    return word


def _letters_word(run: str, synonyms: Iterable[CompiledSynonym]) -> QueryWord:
    word = QueryWord(typed=run, terms={run})
    if not run.isalpha():
        return word
    word.terms.update(text.fuzzy_query_terms(run))
    syllables = text.segment(run)
    word.units = len(syllables or ())
    if syllables and len(syllables) >= 2:
        word.terms.update(text.pinyin_pairs(syllables))
        word.terms.update(syllables)
    # A typo is assumed only when the letters spell no phrase exactly: dibao is 低保, not a
    # typo of yibao (医保).
    matched = [synonym for synonym in synonyms if synonym.is_typed_as(run, syllables)]
    _expand(word, matched or [synonym for synonym in synonyms if synonym.is_one_typo_from(run)])
    return word


def _expand(word: QueryWord, matched: list[CompiledSynonym]) -> None:
    """A word that contains a villager's phrase also searches the official words it stands for."""
    for synonym in matched[:MAX_SYNONYMS_PER_WORD]:
        word.means.append(synonym.means)
        word.terms.update({synonym.phrase, synonym.means, *text.bigrams(synonym.means)})
        if len(synonym.means) == 1:
            word.terms.add(synonym.means)


def parse_query(query: str, synonyms: Iterable[CompiledSynonym]) -> ParsedQuery:
    """Normalise, split into words, expand with synonyms, turn into terms."""
    synonyms = list(synonyms)
    normalised = text.normalise(query[: MAX_QUERY_CHARS * 2])[:MAX_QUERY_CHARS]
    words: list[QueryWord] = []
    for token in _merge_split_syllables(normalised.split()):
        for is_cjk, run in text.runs(token):
            if len(words) < MAX_QUERY_WORDS:
                words.append(_chinese_word(run, synonyms) if is_cjk else _letters_word(run, synonyms))
    return ParsedQuery(key=normalised.replace(" ", ""), words=words)
