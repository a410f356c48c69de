"""Reading text as people see it."""

import re
import unicodedata

# Characters that show as nothing: the soft hyphen, zero-width spaces and
# joiners, left-to-right and right-to-left marks, bidi embeddings, overrides
# and isolates, the word joiner and invisible operators, and the byte order
# mark (Unicode's format characters that Python's str.strip() leaves); and
# the blank letters used to make a name that looks empty (the combining
# grapheme joiner, the Hangul fillers, the blank Braille pattern).
INVISIBLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\u2800\u3164\ufeff\uffa0"
)
# Each character of the class, found in one pass over every character of
# the basic plane (all of Unicode's spaces and INVISIBLE are there).
_INVISIBLE_CHARS = "".join(re.findall(rf"[\s{INVISIBLE}]", "".join(map(chr, range(0x10000)))))


def strip_invisible(text: str) -> str:
    """Text without the spaces and invisible characters at its ends. Text of
    nothing else was accepted as an answer to a required question, then shown
    as a blank name, finding or reason (found by the bad input review). Inside
    text they are kept: a zero-width joiner is part of an emoji, or of a word
    in some languages. str.strip, in time linear in the text: a regular
    expression anchored at the end tried again from every space of a long
    run, so a pasted answer of 20,000 spaces between two letters held a
    worker for seconds, 40,000 for a minute (found by a review)."""
    return text.strip(_INVISIBLE_CHARS)


_INVISIBLE_ANYWHERE = re.compile(f"[{INVISIBLE}]")


def has_invisible(text: str) -> bool:
    """Whether the text holds a character that shows as nothing, anywhere."""
    return _INVISIBLE_ANYWHERE.search(text) is not None


# The bidi embeddings and overrides (U+202A-U+202E) and isolates
# (U+2066-U+2069): invisible, they change the order in which the text around
# them is shown. Not the left-to-right, right-to-left and Arabic letter marks
# (U+200E, U+200F, U+061C), which only say which way a space or a bracket
# beside them runs.
DIRECTION_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_NO_DIRECTION_CONTROLS = str.maketrans(dict.fromkeys(map(ord, DIRECTION_CONTROLS)))


def without_direction_controls(text: str) -> str:
    """Text without the bidi embeddings, overrides and isolates anywhere in it.

    Policy: they are left out silently, from everything people type into the
    service's forms and the Django admin (read_as_typed), single line or
    several, rather than refused. An override made a title read other than
    it is ("Trojan source": "report", an override, then "fdp.exe" shows as
    "reportexe.pdf"), and an embedding never closed turned round the text
    after it on a page or in an email; they were kept and shown as typed.
    Refusing them would ask people to remove what they cannot see (they come
    in with text pasted from a word processor or another system), and
    GOV.UK asks a service to fix what it can rather than make its users do
    it. Nothing legitimate is lost: Arabic and Hebrew letters
    carry their own direction, which browsers, mail programs and the PDF
    report follow without them, and the marks that place a space or a
    bracket (LRM, RLM, ALM) are kept. One pass, linear in the text.

    (An upload's file name loses them with every other format character in
    core.uploads._clean_name; a case list's references and areas with one
    are refused row by row, as a spreadsheet does not show them either.)"""
    return text.translate(_NO_DIRECTION_CONTROLS)


def read_as_typed(text: str) -> str:
    """Text as the service keeps what people type (core.forms.TextAsReadBoundField):
    without direction controls (without_direction_controls), and without the
    spaces and invisible characters at its ends (strip_invisible)."""
    return strip_invisible(without_direction_controls(text))


# INVISIBLE's characters without the spaces, for as_compared.
_NO_INVISIBLE = str.maketrans(
    dict.fromkeys(map(ord, re.findall(f"[{INVISIBLE}]", _INVISIBLE_CHARS)))
)


def as_compared(text: str) -> str:
    """Text as people reading it tell it from another, for a duplicate check:
    without the characters that show as nothing anywhere in it (a zero-width
    space, a soft hyphen, a byte order mark, a joiner), in Unicode's
    compatibility form (NFKC: full-width letters and ligatures as plain
    ones), case folded, and its spaces run together as a page shows them.
    Two findings, documents or categories whose names read the same both
    passed the checks when one held such a character inside it (found by the
    bad input review). Only compared, never stored. Linear in the text."""
    text = unicodedata.normalize("NFKC", text.translate(_NO_INVISIBLE))
    # Folding may make what NFKC would write otherwise (Python's docs on
    # caseless matching); and NFKC may make a filler that shows as nothing.
    text = unicodedata.normalize("NFKC", text.casefold()).translate(_NO_INVISIBLE)
    return " ".join(text.split())
