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

# Objects read at most. Every object in the file is looked at, and those
# that name nothing refused (the words in SUSPECT) are passed over unparsed:
# a report of 3,000 paragraphs and 6,000 links (27,000 objects) checks in
# under a second. Past this, or past the child's time, a PDF is too complex.
MAX_OBJECTS = 200_000

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
# Words an object must hold, as written, to be worth parsing: the names a
# refusal looks for (names are never encrypted), an object stream's type
# (objects packed inside it), and "#", which may escape any name.
SUSPECT = (
    b"#",
    b"/JS",
    b"/JavaScript",
    b"/XFA",
    b"/OnInstantiate",
    b"/Launch",
    b"/GoToR",
    b"/ImportData",
    b"/SubmitForm",
    b"/Rendition",
    b"/Movie",
    b"/Sound",
    b"/RichMediaExecute",
    b"/GoToE",
    b"/Thread",
    b"/URL",
    b"/EF",
    b"/EmbeddedFile",
    b"/FileAttachment",
    b"/OpenAction",
    b"/AA",
    b"/ObjStm",
)


class TooComplex(Exception):  # noqa: N818 - a verdict, as the others
    """More objects than the check may read."""


class Unreadable(Exception):  # noqa: N818 - a verdict, as the others
    """An object naming what a refusal looks for, that cannot be read."""


def _name(node, key: str):
    """A value as a viewer reads it, following `/S 7 0 R` (pypdf's dict.get does not)."""
    value = node.get(key)
    return value.get_object() if value is not None else None


# Actions a viewer takes by itself, on opening the file or a page: a /URI
# there is fetched, not waited on to be clicked (found by a code review).
AUTOMATIC = ("/OpenAction", "/AA")
# Actions that play or fetch media or threads from other files.
MEDIA = ("/Rendition", "/Movie", "/Sound", "/RichMediaExecute", "/GoToE")


def _automatic_uri(node) -> bool:
    """A /URI action run by itself: the /OpenAction, or one of an /AA's."""
    for key in AUTOMATIC:
        value = node.get(key)
        value = value.get_object() if value is not None else None
        actions = [value] if key == "/OpenAction" else list(_values(value))
        if any(_is_dict(action) and _name(action, "/S") == "/URI" for action in actions):
            return True
    return False


def _values(node):
    return (value.get_object() for value in node.values()) if _is_dict(node) else ()


def _is_dict(node) -> bool:
    from pypdf.generic import DictionaryObject

    return isinstance(node, DictionaryObject)


def _refusal(node) -> str | None:
    """Why one dictionary of a PDF is refused, if it is. pypdf has already
    decoded names written with #xx escapes (/J#61vaScript is /JavaScript)."""
    if any(key in node for key in SCRIPT_KEYS) or _name(node, "/S") in (*RUNS, *MEDIA):
        return SCRIPTS
    if _name(node, "/S") == "/Thread" and "/F" in node:
        return SCRIPTS  # an article thread in another file
    if _name(node, "/FS") == "/URL" or _automatic_uri(node):
        return SCRIPTS  # a file at an address, or an address fetched by itself
    if (
        any(key in node for key in ATTACHMENT_KEYS)
        or _name(node, "/Type") == "/EmbeddedFile"
        or _name(node, "/Subtype") == "/FileAttachment"
    ):
        return ATTACHMENTS
    return None


# "12 0 obj": where each object of a PDF begins, whichever revision holds it.
OBJECT = rb"(?<![0-9])(\d{1,10})\s+(\d{1,5})\s+obj\b"


def every_object(data: bytes, reader, max_objects: int):
    """Every object written in the file, reachable or not, and each inside
    an object stream: what a viewer might read.

    Walking from the catalog sees only the revision and the objects pypdf
    chooses. A viewer may choose others: an update appended after a last
    %%EOF that does not begin its line, an object written twice (pypdf
    takes the first, a viewer rebuilding a broken table the last), a
    reference with the wrong generation (PDFium looks objects up by number
    alone). Each carried JavaScript past such a walk that Chrome's viewer or
    poppler found (found by a code review). So every object is read, but
    those that name nothing a refusal looks for (see suspect()); one that
    does and cannot be read makes the PDF one that could not be checked.
    """
    import io
    import re

    from pypdf._utils import skip_over_whitespace
    from pypdf.generic import StreamObject, read_object

    def read(stream, number: int | None = None, generation: int = 0):
        """The object at the stream's place; decrypted, if the file is, by
        its number, unless it is inside an object stream (decrypted whole)."""
        skip_over_whitespace(stream)
        stream.seek(-1, 1)
        try:
            found = read_object(stream, reader)
            encryption = reader._encryption  # noqa: SLF001 - pypdf is pinned
            if encryption is not None and number is not None:
                found = encryption.decrypt_object(found, number, generation)
            return found
        except Exception as exc:  # noqa: BLE001 - pypdf fails in many ways
            # It names what a refusal looks for, and cannot be read: a viewer
            # may read it, and act on it.
            raise Unreadable from exc

    file = io.BytesIO(data)
    for count, match in enumerate(re.finditer(OBJECT, data)):
        if count > max_objects:
            raise TooComplex
        end = data.find(b"endobj", match.end())
        if not suspect(data[match.end() : end if end != -1 else len(data)]):
            continue
        number, generation = int(match.group(1)), int(match.group(2))
        file.seek(match.end())
        found = read(file, number, generation)
        yield found
        if isinstance(found, StreamObject) and found.get("/Type") == "/ObjStm":
            try:
                inner, first = found.get_data(), int(found["/First"])
                offsets = [first + int(offset) for offset in inner[:first].split()[1::2]]
            except Exception as exc:  # noqa: BLE001
                # Objects a viewer may read and this check cannot.
                raise Unreadable from exc
            stream = io.BytesIO(inner)
            for offset, after in zip(offsets, [*offsets[1:], len(inner)], strict=True):
                if not suspect(inner[offset:after]):
                    continue
                stream.seek(offset)
                yield read(stream)


def suspect(body: bytes) -> bool:
    """Whether an object, as written, names anything a refusal looks for:
    those that do not are passed over unparsed."""
    return any(word in body for word in SUSPECT)


def scan(data: bytes, reader, max_objects: int) -> str:
    """The first refusal in any object written in the file, nested
    dictionaries and arrays included (references are objects of their own)."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    for found in every_object(data, reader, max_objects):
        if isinstance(found, NameObject) and found in (*RUNS, *MEDIA):
            return SCRIPTS  # an action's type kept apart (/S 7 0 R), to be hidden
        pending = [found]
        while pending:
            node = pending.pop()
            if isinstance(node, DictionaryObject):
                if refusal := _refusal(node):
                    return refusal
                pending.extend(node.values())
            elif isinstance(node, ArrayObject):
                pending.extend(node)
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
        found = scan(data, reader, max_objects)
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
    except Unreadable as exc:
        return DAMAGED, f"an object: {type(exc.__cause__).__name__}"
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
    the rest of the object then goes unread, and the check would call safe
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
