"""Vietnamese name order (core.collation): given name, then middle names, then family name; the Vietnamese
alphabet (ă, â, đ, ê, ô, ơ, ư are letters of their own); tones only after the letters."""

import unicodedata

import pytest

from core.collation import name_sort_key


def ordered(names):
    return sorted(names, key=name_sort_key)


def test_the_given_name_comes_first_then_middle_then_family():
    assert ordered(["Nguyễn Văn Bình", "Trần Thị An", "Lê An"]) == ["Lê An", "Trần Thị An", "Nguyễn Văn Bình"]
    # Same given and middle names: the family name decides.
    assert ordered(["Trần Văn An", "Nguyễn Văn An"]) == ["Nguyễn Văn An", "Trần Văn An"]
    # Same given name: the middle names decide before the family name.
    assert ordered(["Anh Văn Cường", "Bạch Thị Cường"]) == ["Bạch Thị Cường", "Anh Văn Cường"]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Lê An", "Lê Ăn"),  # a < ă
        ("Lê Ăn", "Lê Ân"),  # ă < â
        ("Lê Ân", "Lê Bảo"),  # â < b
        ("Lê Dũng", "Lê Đức"),  # d < đ, not after z as by code point
        ("Lê Đức", "Lê Em"),  # đ < e
        ("Lê Em", "Lê Ênh"),  # e < ê
        ("Lê On", "Lê Ôn"),  # o < ô
        ("Lê Ôn", "Lê Ơn"),  # ô < ơ
        ("Lê Uyên", "Lê Ứng"),  # u < ư (tones only after letters)
        ("Lê Ựa", "Lê Vân"),  # ư < v
    ],
)
def test_the_vietnamese_alphabet(first, second):
    assert name_sort_key(first) < name_sort_key(second)


def test_tones_count_only_after_the_letters():
    """ngang, huyền, hỏi, ngã, sắc, nặng — and every tone of "an" before "anh"."""
    names = ["Lê Anh", "Lê Ạn", "Lê Án", "Lê Ãn", "Lê Ản", "Lê Àn", "Lê An"]
    assert ordered(names) == ["Lê An", "Lê Àn", "Lê Ản", "Lê Ãn", "Lê Án", "Lê Ạn", "Lê Anh"]
    # A tone on the given name does not outrank a letter of the middle name.
    assert ordered(["Lê Văn Án", "Lê Bá An"]) == ["Lê Bá An", "Lê Văn Án"]


def test_case_spacing_and_unicode_form_do_not_matter_and_the_key_is_digits():
    composed = "Nguyễn Thị Ánh"
    decomposed = unicodedata.normalize("NFD", composed)
    assert name_sort_key(composed) == name_sort_key(decomposed) == name_sort_key("  NGUYỄN  thị ÁNH ")
    assert name_sort_key(composed).isdigit()  # ordered alike by SQLite and by any PostgreSQL collation
    assert len(name_sort_key("Nguyễn " * 17 + "Anh")) <= 400
