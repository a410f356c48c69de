"""Reading text as people see it."""

import re

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
