"""Vietnamese name order, as a sort key a database can order by with any collation.

Vietnamese lists of people are ordered by the given name (tên, the last word), then the middle names (tên đệm),
then the family name (họ, the first word) — "Nguyễn Văn An" before "Lê Thị Bình" — and each in the Vietnamese
alphabet, where ă, â, đ, ê, ô, ơ, ư are letters of their own (a < ă < â < b … d < đ < e < ê … o < ô < ơ … u < ư)
and tones count only after the letters (an, àn, ản, ãn, án, ạn — ngang, huyền, hỏi, ngã, sắc, nặng — all before
anh). Neither SQLite's binary order nor PostgreSQL's default collation does that (they put "Đ" after "Z", and
"Ánh" before or after "Anh" by code point), so the key is made of digits only: every collation orders digit
strings the same way, one character at a time.

``name_sort_key(full_name)`` is stored on members and candidates (``sort_name``, kept by ``save`` and
``bulk_create`` like ``search_text``) and every list of people is ordered by it.
"""

from __future__ import annotations

import unicodedata

#: The Vietnamese alphabet (and f, j, w, z of foreign names), in order.
ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
#: Two digits per letter, from 10: 00 ends a part of the name, 01 separates two words of the middle names.
_LETTER_CODES = {letter: f"{10 + i:02d}" for i, letter in enumerate(ALPHABET)}
_DIGIT_CODES = {str(d): f"{50 + d:02d}" for d in range(10)}
_OTHER = "90"
_END = "00"
_SPACE = "01"
#: Combining marks that make a letter of its own: ă (breve), â ê ô (circumflex), ơ ư (horn).
_LETTER_MARKS = {"\u0306": "\u0306", "\u0302": "\u0302", "\u031b": "\u031b"}
#: Tones, in dictionary order after the level tone (0): huyền, hỏi, ngã, sắc, nặng.
_TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}


def _letters(word: str) -> list[tuple[str, str]]:
    """[(the letter's code, its tone digit)] for each letter of `word` (any case, composed or not)."""
    out: list[tuple[str, str]] = []
    for char in unicodedata.normalize("NFD", word.casefold()):
        if unicodedata.combining(char):
            if not out:
                continue
            code, tone = out[-1]
            if char in _TONES:
                out[-1] = (code, _TONES[char])
            elif char in _LETTER_MARKS and code in _BASES:
                letter = unicodedata.normalize("NFC", _BASES[code] + char)
                out[-1] = (_LETTER_CODES.get(letter, code), tone)
            continue
        out.append((_LETTER_CODES.get(char) or _DIGIT_CODES.get(char) or _OTHER, "0"))
    return out


_BASES = {code: letter for letter, code in _LETTER_CODES.items()}


def _part(words: list[str]) -> str:
    """One part of the name (given, middle or family): its letters, then 00, then the tones of its letters."""
    letters: list[str] = []
    tones: list[str] = []
    for i, word in enumerate(words):
        if i:
            letters.append(_SPACE)
        for code, tone in _letters(word):
            letters.append(code)
            tones.append(tone)
    return "".join(letters) + _END + "".join(tones)


def split_name(full_name: str) -> tuple[list[str], list[str], list[str]]:
    """(given, middle, family) words of a Vietnamese full name: family first, given last."""
    words = full_name.split()
    if not words:
        return [], [], []
    if len(words) == 1:
        return words, [], []
    return words[-1:], words[1:-1], words[:1]


def name_sort_key(full_name: str) -> str:
    """The order of `full_name` among Vietnamese names: given name, then middle names, then family name, each
    letter by letter in the Vietnamese alphabet and then by tone. A string of digits (see the module)."""
    given, middle, family = split_name(full_name or "")
    return _part(given) + _part(middle) + _part(family)


#: Room for the longest name a form takes (120 characters: at most 3 digits a character, and the ends).
SORT_KEY_LENGTH = 400
