"""Text into search terms: the one module both the indexer and the query side use, so the two
cannot disagree about what a term is.

Chinese is not split into words (villagers' phrases and official names do not follow a
dictionary); instead every run of Chinese characters gives its character bigrams and unigrams,
and the pinyin of a run gives pinyin terms: the full pinyin joined (dibao), syllable pairs
(zhaiji, jidi), single syllables and initials (db). Typo tolerance is a symmetric-deletion
scheme: the index stores every pinyin word of 5+ letters and its one-letter deletions under a
"~" prefix, the query sends the same for what was typed, and the two meet when the words differ
by one letter missing, extra, changed, or two letters swapped.
"""

import unicodedata
from collections.abc import Iterable, Iterator

from pypinyin import lazy_pinyin

# Prefix of typo-tolerance terms; normalised text never contains it, so they cannot collide
# with real terms.
FUZZY_PREFIX = "~"
FUZZY_MIN_LETTERS = 5
FUZZY_MAX_LETTERS = 24
# Longer terms are not stored (the column's width); full pinyin of a very long title is one.
MAX_TERM_LENGTH = 120

# Every Mandarin syllable pypinyin can produce (without tones; ü as v), for splitting typed
# pinyin into syllables. Interjections with no vowel (m, n, ng, hm, hng) are left out: they
# would let nonsense split.
_SYLLABLE_LIST = """
    a ai an ang ao ba bai ban bang bao bei ben beng bi bian biang biao bie bin bing bo bong bu
    ca cai can cang cao ce cei cen ceng cha chai chan chang chao che chen cheng chi chong chou chu
    chua chuai chuan chuang chui chun chuo ci cong cou cu cuan cui cun cuo da dai dan dang dao de
    dei den deng di dia dian diao die din ding diu dong dou du duan dui dun duo e ei en eng er fa
    fan fang fei fen feng fiao fo fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai
    guan guang gui gun guo ha hai han hang hao he hei hen heng hong hou hu hua huai huan huang hui
    hun huo ji jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke
    kei ken keng kong kou ku kua kuai kuan kuang kui kun kuo la lai lan lang lao le lei len leng
    li lia lian liang liao lie lin ling liu lo long lou lu luan lun luo lv lve ma mai man mang mao
    me mei men meng mi mian miao mie min ming miu mo mou mu na nai nan nang nao ne nei nen neng ni
    nia nian niang niao nie nin ning niu nong nou nu nuan nun nuo nv nve o ou pa pai pan pang pao
    pei pen peng pi pian piao pie pin ping po pou pu qi qia qian qiang qiao qie qin qing qiong qiu
    qu quan que qun ran rang rao re ren reng ri rong rou ru rua ruan rui run ruo sa sai san sang
    sao se sen seng sha shai shan shang shao she shei shen sheng shi shou shu shua shuai shuan
    shuang shui shun shuo si song sou su suan sui sun suo ta tai tan tang tao te tei teng ti tian
    tiao tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen weng wo wong wu xi xia xian
    xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo yong you
    yu yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhei zhen
    zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun zuo
"""
SYLLABLES = frozenset(_SYLLABLE_LIST.split())
LONGEST_SYLLABLE = max(len(syllable) for syllable in SYLLABLES)


def is_cjk(char: str) -> bool:
    """A Chinese character (CJK unified ideographs, extension A, compatibility, extensions B+)."""
    code = ord(char)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x3134F
    )


def normalise(text: str) -> str:
    """NFKC, lower case, ü as v; everything but Chinese characters, a-z and 0-9 becomes one space.

    Full-width letters and brackets (ＡＢＣ, （）) fold to ASCII under NFKC first, so 农村宅基地和建房
    （规划许可）审批 and 农村宅基地和建房(规划许可)审批 normalise alike."""
    folded = unicodedata.normalize("NFKC", text or "").lower().replace("ü", "v")
    kept = "".join(
        char if ("a" <= char <= "z" or "0" <= char <= "9" or is_cjk(char)) else " " for char in folded
    )
    return " ".join(kept.split())


def squash(text: str) -> str:
    """The normalised text without spaces: the key titles and synonyms are compared by."""
    return normalise(text).replace(" ", "")


def runs(text: str) -> Iterator[tuple[bool, str]]:
    """Runs of Chinese characters (True) and of ASCII letters and digits (False), in order."""
    for token in normalise(text).split(" "):
        start = 0
        for index in range(1, len(token) + 1):
            if index == len(token) or is_cjk(token[index]) != is_cjk(token[start]):
                yield is_cjk(token[start]), token[start:index]
                start = index


def bigrams(run: str) -> list[str]:
    return [run[index : index + 2] for index in range(len(run) - 1)]


def pinyin(run: str) -> list[str]:
    """One toneless syllable per Chinese character of `run` (a character pypinyin does not know
    gives an empty string, so positions stay aligned with the characters)."""
    return [
        syllable if syllable.isascii() and syllable.isalpha() else ""
        for syllable in lazy_pinyin(run, v_to_u=False)
    ]


def pinyin_pairs(syllables: list[str]) -> list[str]:
    """Adjacent syllables joined (zhai ji di → zhaiji, jidi): the pinyin analogue of bigrams."""
    return [
        first + second for first, second in zip(syllables, syllables[1:], strict=False) if first and second
    ]


def initials(syllables: Iterable[str]) -> str:
    return "".join(syllable[0] for syllable in syllables if syllable)


def segment(word: str) -> list[str] | None:
    """Split typed pinyin into syllables (gaifangzi → gai fang zi), fewest syllables first;
    None when it is not pinyin throughout."""
    if not word.isalpha() or len(word) > 60:
        return None
    best: list[list[str] | None] = [None] * (len(word) + 1)
    best[0] = []
    for start in range(len(word)):
        done = best[start]
        if done is None:
            continue
        for length in range(1, LONGEST_SYLLABLE + 1):
            piece = word[start : start + length]
            if len(piece) == length and piece in SYLLABLES:
                current = best[start + length]
                if current is None or len(done) + 1 < len(current):
                    best[start + length] = [*done, piece]
    return best[len(word)]


def deletions(word: str) -> set[str]:
    return {word[:index] + word[index + 1 :] for index in range(len(word))}


def fuzzy_index_terms(word: str) -> set[str]:
    """What the index stores so that typos of `word` find it; nothing for short words."""
    if not (word.isalpha() and FUZZY_MIN_LETTERS <= len(word) <= FUZZY_MAX_LETTERS):
        return set()
    return {FUZZY_PREFIX + variant for variant in {word, *deletions(word)}}


def fuzzy_query_terms(word: str) -> set[str]:
    """What a typed word looks up to meet `fuzzy_index_terms` of a word one typo away."""
    if not word.isalpha() or len(word) > FUZZY_MAX_LETTERS + 1:
        return set()
    terms = set()
    if len(word) >= FUZZY_MIN_LETTERS - 1:
        terms.add(FUZZY_PREFIX + word)
    if len(word) >= FUZZY_MIN_LETTERS:
        terms.update(FUZZY_PREFIX + variant for variant in deletions(word))
    return terms


def one_typo_apart(typed: str, word: str) -> bool:
    """One letter missing, extra, changed, or two neighbours swapped; only for words of 5+ letters."""
    if len(word) < FUZZY_MIN_LETTERS or typed == word or abs(len(typed) - len(word)) > 1:
        return False
    if len(typed) == len(word):
        differ = [index for index in range(len(word)) if typed[index] != word[index]]
        if len(differ) == 1:
            return True
        return (
            len(differ) == 2
            and differ[1] == differ[0] + 1
            and typed[differ[0]] == word[differ[1]]
            and typed[differ[1]] == word[differ[0]]
        )
    shorter, longer = (typed, word) if len(typed) < len(word) else (word, typed)
    return shorter in deletions(longer)


def fits(words: str, title: str, slack: int = 2) -> bool:
    """Whether `words` appear in `title` in order with at most `slack` other characters between
    them (宅基地建房 fits 农村宅基地和建房规划许可审批): how a synonym's official words are found
    in item titles that phrase them a little differently. Both arguments squashed."""
    if not words or not set(words) <= set(title):
        return False
    for start, char in enumerate(title):
        if char != words[0]:
            continue
        position, matched = start, 0
        while position < len(title) and position - start < len(words) + slack:
            if title[position] == words[matched]:
                matched += 1
                if matched == len(words):
                    return True
            position += 1
    return False
