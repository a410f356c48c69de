"""Whether a PDF can run code or carries files: run in a process of its own.

core.uploads runs this file as a script, with the PDF on standard input and
limits on its CPU time and memory, and reads one word back: SAFE, or why
the PDF is refused. pypdf is pure Python, and a PDF can be built to keep it
parsing for minutes (one array of a million numbers, say); in its own
process, with limits, that costs a killed child, not a web thread. Nothing
here imports Django: the child starts in about a tenth of a second.

    python -I core/pdfcheck.py MAX_OBJECTS CPU_SECONDS MEMORY_BYTES < file.pdf
"""

import resource
import sys

SAFE = "safe"
SCRIPTS = "scripts"
ATTACHMENTS = "attachments"
DAMAGED = "damaged"
TOO_COMPLEX = "too_complex"
PASSWORD = "password"  # noqa: S105 - a verdict, not a password

# Objects walked at most. A 184-page WeasyPrint report with 9,000 links and
# 300 bookmarks walks 9,500, in 0.8 seconds; a PDF with 100,000 comments, or
# a /Next chain as long, is refused after 3 to 5 seconds.
MAX_OBJECTS = 50_000

# What a PDF viewer acts on is reached from the catalog: its name trees
# (/JavaScript, /EmbeddedFiles), /OpenAction and /AA, the pages' /AA and
# annotations (/A, /AA and their /Next chains), bookmarks and form fields.
# Everything reachable is walked, each object once, except what a page only
# draws or describes, which can hold no action: skipping it keeps a long
# report's fonts, images and accessibility tags out of the count.
INERT_KEYS = frozenset({"/Contents", "/Resources", "/AP", "/Metadata", "/Thumb", "/StructTreeRoot"})
# A JavaScript action's code (/JS), the document's /JavaScript name tree,
# and an XFA form (/XFA), which Adobe Reader runs with scripts of its own in
# XML no /JS key names. /Launch opens another program or file.
# /OnInstantiate: the JavaScript of a 3D annotation's artwork, which Acrobat
# runs when it shows it.
SCRIPT_KEYS = ("/JS", "/JavaScript", "/XFA", "/OnInstantiate")
# Actions that reach outside the file: /GoToR opens another PDF, and
# /ImportData and /SubmitForm read or send data, each by any path or address,
# a share on another computer included, which hands it the reader's Windows
# sign-in (found by a code review).
RUNS = ("/JavaScript", "/Launch", "/GoToR", "/ImportData", "/SubmitForm")
# A file specification's embedded file (/EF), the /EmbeddedFiles name tree.
ATTACHMENT_KEYS = ("/EF", "/EmbeddedFiles")


class TooComplex(Exception):  # noqa: N818 - a verdict, as the others
    """More objects than the walk may visit."""


def _name(node, key: str):
    """A value as a viewer reads it, following `/S 7 0 R` (pypdf's dict.get does not)."""
    value = node.get(key)
    return value.get_object() if value is not None else None


def _refusal(node) -> str | None:
    """Why one dictionary of a PDF is refused, if it is. pypdf has already
    decoded names written with #xx escapes (/J#61vaScript is /JavaScript)."""
    if any(key in node for key in SCRIPT_KEYS) or _name(node, "/S") in RUNS:
        return SCRIPTS
    if (
        any(key in node for key in ATTACHMENT_KEYS)
        or _name(node, "/Type") == "/EmbeddedFile"
        or _name(node, "/Subtype") == "/FileAttachment"
    ):
        return ATTACHMENTS
    return None


def walk(root, max_objects: int) -> str:
    """The first refusal found from the catalog, walked without recursion
    (a /Next chain can be any length), each indirect object once (so a
    cycle ends). Streams' data is never decoded, only their dictionaries
    read; object streams (/ObjStm) are unpacked by pypdf as it resolves."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    containers = (IndirectObject, DictionaryObject, ArrayObject)
    seen: set[tuple[int, int]] = set()
    pending = [root]
    while pending:
        node = pending.pop()
        if isinstance(node, IndirectObject):
            if (node.idnum, node.generation) in seen:
                continue
            seen.add((node.idnum, node.generation))
            if len(seen) > max_objects:
                raise TooComplex
            node = node.get_object()
        if isinstance(node, DictionaryObject):
            if refusal := _refusal(node):
                return refusal
            values = (value for key, value in node.items() if key not in INERT_KEYS)
        elif isinstance(node, ArrayObject):
            values = node
        else:
            continue
        pending.extend(value for value in values if isinstance(value, containers))
    return SAFE


def verdict(data: bytes, max_objects: int = MAX_OBJECTS) -> tuple[str, str]:
    """(verdict, what went wrong reading it, if anything)."""
    import io

    from pypdf import PasswordType, PdfReader

    twice = _keys_given_twice()
    out_of_memory = _memory_errors_seen()
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            return PASSWORD, ""
        found = walk(reader.trailer.raw_get("/Root"), max_objects)
        if out_of_memory[0]:
            return TOO_COMPLEX, ""
        if twice:
            # pypdf keeps the first of a key given twice in one dictionary;
            # Chrome's and Firefox's viewers keep the last. What was checked
            # is then not what a viewer runs: a second /OpenAction, or a
            # second /Root in the trailer swapping in another catalog
            # (found by a code review). No PDF writer repeats a key.
            return DAMAGED, "a key given twice in one dictionary"
        return found, ""
    except (TooComplex, MemoryError):
        return TOO_COMPLEX, ""
    # pypdf fails on hostile input in many ways (its own errors, KeyError,
    # TypeError, RecursionError in nested arrays, a LimitReachedError for an
    # object stream that inflates too far): all mean "could not be read".
    except Exception as exc:  # noqa: BLE001
        return DAMAGED, type(exc).__name__


MONITOR = 3  # a sys.monitoring tool id of our own (0, 1, 2 and 5 are named)


def _memory_errors_seen() -> list[bool]:
    """[True] once a MemoryError has been raised anywhere, caught or not.

    pypdf reads past what it cannot parse in a damaged file, and a
    MemoryError (the child's memory limit reached) is among what it skips:
    the rest of the catalog then goes unread, and the walk would call safe
    what it never saw (found by testing the limit: a PDF whose array filled
    the memory came back safe). A flag set in place, as memory may be short."""
    seen = [False]

    def raised(code, offset, exception) -> None:
        if isinstance(exception, MemoryError):
            seen[0] = True

    sys.monitoring.use_tool_id(MONITOR, "pdfcheck")
    sys.monitoring.register_callback(MONITOR, sys.monitoring.events.RAISE, raised)
    sys.monitoring.set_events(MONITOR, sys.monitoring.events.RAISE)
    return seen


def _keys_given_twice() -> list:
    """pypdf's warnings, caught as they come: it tells of a key given twice
    only by a warning ("Multiple definitions in dictionary …"). The rest of
    what it warns of (each flaw it repairs) is dropped, not printed."""
    import logging

    found = []

    class Catch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.getMessage().startswith("Multiple definitions in dictionary"):
                found.append(record)

    pypdf = logging.getLogger("pypdf")
    pypdf.handlers = [Catch()]
    pypdf.setLevel(logging.WARNING)
    pypdf.propagate = False
    return found


def main(argv: list[str]) -> None:
    max_objects, seconds, memory = (int(arg) for arg in argv)
    # Killed by the kernel past them (SIGXCPU; a MemoryError first, for memory).
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core file when killed
    found, problem = verdict(sys.stdin.buffer.read(), max_objects)
    sys.stderr.write(problem)
    sys.stdout.write(found)


if __name__ == "__main__":
    main(sys.argv[1:])
