"""Public certificate codes: enough randomness, an unambiguous alphabet, forgiving input."""

import math

from certificates.codes import ALPHABET, LENGTH, grouped, new_code, normalise


def test_a_code_carries_at_least_80_random_bits():
    assert LENGTH * math.log2(len(ALPHABET)) >= 80
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == 16 and set(c) <= set(ALPHABET) for c in codes)


def test_the_alphabet_has_no_letters_that_look_like_digits():
    assert not set("ILOU") & set(ALPHABET)
    assert len(set(ALPHABET)) == 32


def test_codes_are_printed_in_groups_of_four():
    assert grouped("K7QM3XPD9RTA2VHC") == "K7QM-3XPD-9RTA-2VHC"


def test_lookups_ignore_case_spaces_and_dashes():
    for typed in ["K7QM-3XPD-9RTA-2VHC", "k7qm 3xpd 9rta 2vhc", " k7qm3xpd9rta2vhc ", "K7QM–3XPD—9RTA-2VHC"]:
        assert normalise(typed) == "K7QM3XPD9RTA2VHC"


def test_letters_misread_for_digits_are_read_as_the_digits():
    assert normalise("K7QM-3XPD-9RTA-2VHO") == "K7QM3XPD9RTA2VH0"
    assert normalise("IL00-0000-0000-0000") == "1100000000000000"


def test_anything_else_is_not_a_code():
    for typed in ["", "K7QM-3XPD", "K7QM-3XPD-9RTA-2VHC-AAAA", "K7QM-3XPD-9RTA-2VH!", "<script>", "ក្រសួង"]:
        assert normalise(typed) is None
