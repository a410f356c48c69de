"""The one way a file enters, leaves and is removed from the service.

Every upload goes through check_upload() (what is it, really?) and
store_upload() (keep it privately, under a name nobody chose), and every
download through file_response(), which records who took a copy. Files live
in the default storage, rooted at settings.PRIVATE_STORAGE_ROOT: outside the
static root, with no URL, so the only way out is a view that checked access.
"""

import codecs
import hashlib
import io
import logging
import lzma
import re
import secrets
import subprocess
import sys
import threading
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from defusedxml import ElementTree
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404

from . import audit, csvcheck, pdfcheck
from .models import StoredFile

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileKind:
    label: str
    extensions: tuple[str, ...]
    content_type: str


KINDS: dict[str, FileKind] = {
    "pdf": FileKind("PDF", (".pdf",), "application/pdf"),
    "docx": FileKind(
        "DOCX",
        (".docx",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "odt": FileKind("ODT", (".odt",), "application/vnd.oasis.opendocument.text"),
    "xlsx": FileKind(
        "XLSX", (".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
    # Checked as UTF-8 before it is stored (_is_utf8_text), or written so.
    "csv": FileKind("CSV", (".csv",), "text/csv; charset=utf-8"),
}

# Programs, whatever they are called. Mach-O has four byte orders and widths,
# plus the "fat" universal header.
EXECUTABLE_MAGIC = (
    b"MZ",
    b"\x7fELF",
    b"#!",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
)
# Zip limits, judged from the central directory without inflating anything.
# A real report or spreadsheet is a few MB unpacked, has tens of entries and
# compresses XML perhaps 10 to 20 times. Entries under RATIO_FLOOR are too
# small to hurt, whatever their ratio.
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 100
RATIO_FLOOR = 64 * 1024
MAX_ENTRIES = 1000
ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
# What reading a damaged or hostile zip raises.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    zlib.error,  # an entry whose compressed data is damaged
    lzma.LZMAError,
)
CHUNK = 64 * 1024

SELECT = "Select a file"
EMPTY = "The selected file is empty"
PASSWORD_PROTECTED = "The selected file is password protected"  # noqa: S105 - a message
NOT_UPLOADED = "The selected file could not be uploaded – try again"
CSV_ENCODING = "The selected file must be a CSV saved as UTF-8"
CSV_FORMULA = (
    "The selected file must not contain formulas that run when it is opened in a "
    "spreadsheet – line {line} has one. Remove it, or start the cell with an apostrophe"
)
CSV_TOO_COMPLEX = (
    "The selected file is too complex to check. Split it into smaller files, and try again"
)


def _size_text(max_bytes: int) -> str:
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if max_bytes >= factor and max_bytes % factor == 0:
            return f"{max_bytes // factor}{unit}"
    return f"{max_bytes} bytes"


def _labels(kinds: Iterable[str]) -> str:
    labels = [KINDS[kind].label for kind in kinds]
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} or {labels[-1]}"


def _limit(max_bytes: int | None) -> int:
    return settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes


def describe_limits(kinds: Iterable[str], max_bytes: int | None = None) -> str:
    """What to tell people before they choose: "PDF, DOCX, ODT or XLSX, up to 20MB"."""
    return f"{_labels(kinds)}, up to {_size_text(_limit(max_bytes))}"


def _wrong_type(kinds: list[str]) -> ValidationError:
    labels = _labels(kinds)
    article = "an" if labels[0] in "AEFHILMNORSX" else "a"
    return ValidationError(f"The selected file must be {article} {labels}", code="file_type")


def _unsafe(entries: list[zipfile.ZipInfo]) -> bool:
    """A zip bomb, or something no office program writes, by its directory alone."""
    return (
        len(entries) > MAX_ENTRIES
        or sum(entry.file_size for entry in entries) > MAX_UNCOMPRESSED_BYTES
        or any(
            entry.file_size > RATIO_FLOOR
            and entry.file_size > MAX_RATIO * max(entry.compress_size, 1)
            for entry in entries
        )
        or any(entry.compress_type not in ZIP_METHODS for entry in entries)
    )


MACROS = "The selected file contains macros. Save it without macros, or as a PDF, and try again"
# The lists of an OpenDocument's Basic libraries, left behind, empty, when
# its macros are deleted: not macros (found by a code review).
_BASIC_LISTS = ("script-lc.xml", "script-lb.xml", "dialog-lc.xml", "dialog-lb.xml")


def _holds_macros(name: str) -> bool:
    """Office keeps macros in vbaProject.bin (a .docm or .xlsm renamed);
    OpenDocument keeps them in the same .odt, Basic in Basic/ and Python,
    JavaScript or BeanShell in Scripts/, so its name never gives them away."""
    name = name.lower().replace("\\", "/")  # a name written with Windows' separators
    if name.endswith("/"):  # a folder, holding nothing itself
        return False
    if name.startswith("basic/"):
        return PurePosixPath(name).name not in _BASIC_LISTS
    # Excel 4.0 macros are sheets of formulas, with no vbaProject.bin.
    return name.endswith("vbaproject.bin") or name.startswith(
        ("scripts/", "xl/macrosheets/", "xl/intlmacrosheets/")
    )


EMBEDDED = (
    "The selected file contains embedded objects or controls. Remove them, or save the "
    "file as a PDF, and try again"
)
# An OLE compound file: how Office and LibreOffice embed another program's
# file (an "Insert > Object" package can wrap any file, a program included)
# and how ActiveX controls are kept. A plain document never holds one.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# What may sit in an Office embeddings/ folder. A chart's data is a whole
# .xlsx kept there, so refusing OOXML packages would refuse every report with
# a chart; each is opened and checked for macros and OLE like its container
# (one level: a package inside a package is refused). Pictures cannot run.
_EMBEDDED_PACKAGES = (".docx", ".xlsx", ".pptx", ".vsdx")
_PICTURES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".emf", ".wmf", ".svg")
MAX_EMBEDDED_PACKAGE_BYTES = 20 * 1024 * 1024


LINKED = (
    "The selected file loads content from outside it when it is opened. Save it as a PDF, "
    "and try again"
)
# What an Office file's relationships may point at outside it. Hyperlinks
# wait to be clicked. A template (.dotx, which cannot hold macros) may be on
# the force's SharePoint, as Word 365 writes for every document made from one
# kept there, or on the computer it was written on. Anything else outside is
# fetched or run as the file opens: an object linked to a web page (the
# "Follina" attack), a remote template with macros, a picture on a share that
# is handed the reader's Windows sign-in (found by two code reviews).
_TEMPLATE = "/attachedtemplate"
_SHAREPOINT = re.compile(r"https://[a-z0-9-]+\.sharepoint\.com/[^?#]*\.dotx(?:[?#].*)?")
_LOCAL_TEMPLATE = re.compile(r"(?:file:///)?[a-z]:[\\/][^?#]*\.dotx")
# Relationships that bring other content in, whatever they point at: an
# "alternative format chunk" (an RTF or web page merged in as the file opens,
# with any objects it holds) and an ActiveX control, found by its relationship
# whatever its part is called.
_BRINGS_IN = ("/afchunk", "/control")
MAX_RELS_BYTES = 1024 * 1024  # a document's relationships are a few KB


def _relationship_refusal(archive: zipfile.ZipFile) -> str | None:
    """Why an Office file's relationships (its *.rels parts) refuse it, if
    they do. defusedxml refuses entity and DTD tricks; the size is limited
    first."""
    for entry in archive.infolist():
        if not entry.filename.lower().endswith(".rels") or entry.is_dir():
            continue
        if entry.file_size > MAX_RELS_BYTES:
            return NOT_UPLOADED
        try:
            root = ElementTree.fromstring(archive.read(entry))
        except ElementTree.ParseError:
            return NOT_UPLOADED
        for relationship in root:
            kind = relationship.get("Type", "").strip().lower()
            if kind.endswith(_BRINGS_IN):
                return EMBEDDED
            if relationship.get("TargetMode", "").strip().lower() != "external":
                continue
            target = relationship.get("Target", "").strip().lower()
            if kind.endswith("/hyperlink"):
                continue
            if kind.endswith(_TEMPLATE) and (
                _SHAREPOINT.fullmatch(target) or _LOCAL_TEMPLATE.fullmatch(target)
            ):
                continue
            return LINKED
    return None


def _in_embeddings(name: str) -> bool:
    """Office's word/embeddings/, xl/embeddings/ and so on."""
    return "/embeddings/" in name.lower() and not name.endswith("/")


def _head(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bytes:
    if entry.is_dir():
        return b""
    with archive.open(entry) as data:
        return data.read(len(OLE_MAGIC))


def _embeds_objects(archive: zipfile.ZipFile, *, nested: bool = False) -> bool:
    """An OLE object, ActiveX control or program anywhere (found by its
    content, as an .odt names them "Object 1"); a package (a zip) anywhere,
    or anything in an Office embeddings/ folder, but a picture or a checked
    macro-free OOXML package (a package kept elsewhere, with a relationship
    to it, is shown as an icon that opens it: found by a code review)."""
    for entry in archive.infolist():
        head = _head(archive, entry)
        if head == OLE_MAGIC or head.startswith(EXECUTABLE_MAGIC):
            return True
        if "/activex/" in entry.filename.lower():
            # An ActiveX control, kept as OLE or, not found by that, as a
            # plain stream or XML alone (found by a code review).
            return True
        is_package = head.startswith(b"PK\x03\x04")
        if not (is_package or _in_embeddings(entry.filename)):
            continue
        name = entry.filename.lower()
        if name.endswith(_PICTURES) and not is_package:
            continue
        if nested or not name.endswith(_EMBEDDED_PACKAGES) or _unsafe_package(archive, entry):
            return True
    return False


def _unsafe_package(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bool:
    """An embedded .docx or .xlsx that is not what its name says: encrypted,
    a bomb, holding macros or objects of its own, or refused as a file of
    its own would be, for its links and what it does as it opens (found by
    the uploads review: a chart's workbook with a "Follina" link or a DDE
    link passed inside a Word file). Its size was limited with its
    container's; read whole, as a zip needs its end to be read."""
    if entry.file_size > MAX_EMBEDDED_PACKAGE_BYTES:
        return True
    kind = "docx" if entry.filename.lower().endswith(".docx") else "xlsx"
    try:
        with zipfile.ZipFile(io.BytesIO(archive.read(entry))) as package:
            entries = package.infolist()
            return (
                any(inner.flag_bits & 0x1 for inner in entries)
                or _unsafe(entries)
                or any(_holds_macros(inner.filename) for inner in entries)
                or _embeds_objects(package, nested=True)
                or _relationship_refusal(package) is not None
                or _content_refusal(package, kind) is not None
            )
    except _ZIP_ERRORS:
        return True  # not a package Office could open as one, so not a chart's data


XLINK = "{http://www.w3.org/1999/xlink}href"
ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
ODF_DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
ODF_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
ODF_SCRIPT = "urn:oasis:names:tc:opendocument:xmlns:script:1.0"
# Where a link waits to be clicked: a hyperlink on text or on a frame.
_CLICKED = {f"{{{ODF_TEXT}}}a", f"{{{ODF_DRAW}}}a"}
# Macros bound to events run when the event happens (opening the file),
# from LibreOffice's own libraries, with no macro in the file to find.
_EVENTS = {f"{{{ODF_OFFICE}}}event-listeners", f"{{{ODF_SCRIPT}}}event-listener"}
# DDE: a live link that asks another program for its data.
_DDE = {f"{{{ODF_TEXT}}}dde-connection-decl", f"{{{ODF_OFFICE}}}dde-source"}
_WORD_DDE = re.compile(r"\bDDE(?:AUTO)?\b", re.IGNORECASE)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# The parts of a Word document that hold its text, and so its fields.
_WORD_TEXT = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml")


def _content_refusal(archive: zipfile.ZipFile, kind: str) -> str | None:
    """Why what an office file's content says to do when opened refuses it,
    if it does (found by a code review): an OpenDocument's event macros,
    links to pictures, objects and sections outside it, and DDE; a Word
    document's DDE fields; a workbook's DDE and OLE links, and data
    connections fetched from the web. Parsed as it is read, element by
    element, as a document's text may be large."""
    try:
        if kind == "odt":
            return _odt_refusal(archive)
        if kind == "docx":
            return _word_refusal(archive)
        return _workbook_refusal(archive)
    except ElementTree.ParseError:
        return NOT_UPLOADED


def _elements(archive: zipfile.ZipFile, part):
    """Each element of an XML part as it begins, its attributes read; each let
    go once it ends, as a document's text may be long."""
    with archive.open(part) as data:
        for event, element in ElementTree.iterparse(data, events=("start", "end")):
            if event == "start":
                yield element
            else:
                element.clear()


# An OpenDocument's content and styles, and each embedded object's own
# ("Object 1/content.xml": found by the uploads review, never read).
_ODF_PARTS = re.compile(r"(?:.*/)?(?:content|styles)\.xml")


def _odt_refusal(archive: zipfile.ZipFile) -> str | None:
    for part in archive.infolist():
        if part.is_dir() or not _ODF_PARTS.fullmatch(part.filename):
            continue
        for element in _elements(archive, part):
            if element.tag in _EVENTS:
                return MACROS
            if element.tag in _DDE:
                return LINKED
            href = element.get(XLINK, "").strip().lower()
            if href.startswith(("vnd.sun.star.script:", "macro:")):
                return MACROS
            if href and element.tag not in _CLICKED and not _inside(href):
                return LINKED
    return None


_MANIFEST = "{urn:oasis:names:tc:opendocument:xmlns:manifest:1.0}"


def _odt_encrypted(archive: zipfile.ZipFile) -> bool:
    """Whether an OpenDocument was saved with a password. LibreOffice then
    encrypts its content, not the zip's entries, and says so in the manifest:
    the content, unreadable, was refused as "could not be uploaded – try
    again", which no try would change (found by the bad input review)."""
    try:
        manifest = archive.getinfo("META-INF/manifest.xml")
    except KeyError:
        return False
    if manifest.file_size > MAX_RELS_BYTES:  # a manifest is a few KB
        return False
    try:
        return any(e.tag == f"{_MANIFEST}encryption-data" for e in _elements(archive, manifest))
    except ElementTree.ParseError:
        return False  # the content is judged as ever


def _inside(href: str) -> bool:
    """A reference to a part of the same file ("Pictures/1.png", "./Object 1")."""
    return ":" not in href and not href.startswith(("/", "\\", "..", "./.."))


def _word_refusal(archive: zipfile.ZipFile) -> str | None:
    """DDE fields, written in one field code or across several runs."""
    for name in archive.namelist():
        if not _WORD_TEXT.fullmatch(name):
            continue
        codes = []
        with archive.open(name) as data:
            for _, element in ElementTree.iterparse(data, events=("end",)):
                if element.tag == f"{W}instrText":
                    codes.append(element.text or "")
                elif element.tag == f"{W}fldSimple":
                    codes.append(" " + element.get(f"{W}instr", "") + " ")
                element.clear()
        if _WORD_DDE.search("".join(codes)):
            return LINKED
    return None


def _workbook_refusal(archive: zipfile.ZipFile) -> str | None:
    """A link to another program's data (DDE) or an object (OLE) in a
    workbook's external links, and data connections fetched from the web or
    refreshed as the workbook opens."""
    for entry in archive.infolist():
        name = entry.filename.lower()
        if name.startswith("xl/externallinks/") and name.endswith(".xml"):
            links = (e.tag.endswith(("}ddeLink", "}oleLink")) for e in _elements(archive, entry))
        elif name == "xl/connections.xml":
            links = (
                e.tag.endswith("}webPr") or e.get("refreshOnLoad") in ("1", "true")
                for e in _elements(archive, entry)
            )
        else:
            continue
        if any(links):
            return LINKED
    return None


def _zip_kind(upload) -> str | None:
    """Which office format a zip is, refusing bombs, encrypted and broken archives.

    Only the directory is read until it passes the bomb limits, so a bomb is
    never inflated; the declared sizes are what a later reader would try to
    unpack, so those are what we limit. Then the first bytes of each entry
    (for OLE objects), the one small entry ODT needs and any embedded Office
    package are read.
    """
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
            if any(entry.flag_bits & 0x1 for entry in entries):
                raise ValidationError(PASSWORD_PROTECTED, code="password_protected")
            if _unsafe(entries):
                raise ValidationError(NOT_UPLOADED, code="unsafe_archive")
            names = {entry.filename for entry in entries}
            if any(_holds_macros(name) for name in names):
                # No plan or evidence document needs them; said plainly, as
                # an ODT with macros has no other name to be saved under.
                raise ValidationError(MACROS, code="macros")
            if _embeds_objects(archive):
                raise ValidationError(EMBEDDED, code="embedded_objects")
            if refusal := _relationship_refusal(archive):
                raise ValidationError(refusal, code="linked_content")
            kind = None
            if {"[Content_Types].xml", "word/document.xml"} <= names:
                kind = "docx"
            elif {"[Content_Types].xml", "xl/workbook.xml"} <= names:
                kind = "xlsx"
            elif "mimetype" in names:
                with archive.open("mimetype") as entry:
                    if entry.read(100) == KINDS["odt"].content_type.encode():
                        kind = "odt"
            if kind == "odt" and _odt_encrypted(archive):
                raise ValidationError(PASSWORD_PROTECTED, code="password_protected")
            if kind and (refusal := _content_refusal(archive, kind)):
                raise ValidationError(refusal, code="linked_content")
            return kind
    except _ZIP_ERRORS as exc:
        raise ValidationError(NOT_UPLOADED, code="corrupt") from exc
    finally:
        upload.seek(0)


PDF_SCRIPTS = (
    "The selected PDF contains JavaScript or commands that open other files. "
    "Print it as a new PDF, and try again"
)
PDF_ATTACHMENTS = (
    "The selected PDF has files attached to it. Remove the attached files, or print it "
    "as a new PDF, and try again"
)
PDF_DAMAGED = "The selected PDF could not be checked. Print it as a new PDF, and try again"
PDF_TOO_COMPLEX = (
    "The selected PDF is too complex to check. Split it into smaller PDFs, or print it "
    "as a new PDF, and try again"
)
# How much CPU time and memory a PDF or CSV may take to check
# (core/pdfcheck.py and core/csvcheck.py, each in a process of its own). pypdf
# is pure Python: a PDF of 20MB built as one array of ten million numbers kept
# it parsing for about half a minute, holding one of web's threads and a core.
# A real report of 184 pages checks in under a second; a scan of 20MB in 0.1 s
# and 60MB. The child is killed at the limit and the PDF refused as too
# complex to check; so is one needing more memory.
CHECK_SECONDS = 10
CHECK_MEMORY = 512 * 1024 * 1024
# Checks at once in a process, PDF and CSV alike (web runs four threads a
# worker): each may use CHECK_MEMORY, and a host runs several workers.
CHECKS_AT_ONCE = 2
_CHECKS = threading.BoundedSemaphore(CHECKS_AT_ONCE)
MAX_PDF_OBJECTS = pdfcheck.MAX_OBJECTS
_PDF_REFUSALS = {
    pdfcheck.SCRIPTS: PDF_SCRIPTS,
    pdfcheck.ATTACHMENTS: PDF_ATTACHMENTS,
    pdfcheck.DAMAGED: PDF_DAMAGED,
    pdfcheck.TOO_COMPLEX: PDF_TOO_COMPLEX,
    pdfcheck.PASSWORD: PASSWORD_PROTECTED,
}


def _check_pdf(upload) -> None:
    """Refuse a PDF that can run code on the computer of whoever opens it
    (JavaScript, /Launch, links that reach out) or carries other files.

    The check (core.pdfcheck) runs in a child process with limits on its time
    and memory, so no PDF, however built, holds a web thread for long. A PDF
    pypdf cannot read is refused: unread, it cannot be checked, and a viewer
    that repairs more than pypdf would open what was hidden from it. A PDF
    locked only against printing or copying opens without a password, so it
    is checked like any other; one that needs a password to open is
    PASSWORD_PROTECTED, as an encrypted office file is.
    """
    verdict = _pdf_verdict(_whole(upload))
    if verdict in _PDF_REFUSALS:
        code = "password_protected" if verdict == pdfcheck.PASSWORD else f"pdf_{verdict}"
        raise ValidationError(_PDF_REFUSALS[verdict], code=code)


def _pdf_verdict(data: bytes) -> str:
    done = _in_a_child(pdfcheck, [str(MAX_PDF_OBJECTS)], data, too_complex=PDF_TOO_COMPLEX)
    if done is None:
        return pdfcheck.TOO_COMPLEX
    verdict = done.stdout.decode("ascii", "replace").strip()
    problem = done.stderr.decode("utf-8", "replace")[-2000:]
    if done.returncode != 0 or verdict not in (pdfcheck.SAFE, *_PDF_REFUSALS):
        _check_failed(pdfcheck, done)
    if verdict == pdfcheck.DAMAGED:
        log.info("An uploaded PDF could not be read (%s)", problem)
    return verdict


def _whole(upload) -> bytes:
    """The upload's bytes, for a check's standard input; left at its start."""
    upload.seek(0)
    data = b"".join(upload.chunks(CHUNK))
    upload.seek(0)
    return data


def _in_a_child(check, arguments: list[str], data: bytes, *, too_complex: str):
    """Run a check module as a script in a process of its own, `data` on its
    standard input, within CHECK_SECONDS of time and CHECK_MEMORY:
    the finished process, or None if the kernel stopped it at a limit. One
    that runs out of wall time is refused with `too_complex`."""
    command = [sys.executable, "-I", check.__file__, *arguments]
    command += [str(CHECK_SECONDS), str(CHECK_MEMORY)]
    if not _CHECKS.acquire(timeout=CHECK_SECONDS):
        log.warning("No upload check free within %s s: the upload was refused", CHECK_SECONDS)
        raise ValidationError(NOT_UPLOADED, code="busy")
    try:
        done = subprocess.run(  # noqa: S603 - our own script, no shell, no user input in the command
            command,
            input=data,
            capture_output=True,
            # The child's CPU is limited to CHECK_SECONDS; on a busy
            # host its wall time runs longer (a real 20MB export took 7 s of
            # it, two checks at once on two cores: found by a review).
            timeout=2 * CHECK_SECONDS,
            check=False,
            # Not web's environment, which holds its secrets: the check needs none.
            env={"LC_ALL": "C.UTF-8"},
        )
    except subprocess.TimeoutExpired as exc:
        log.info("An upload took too long to check (%s)", check.__name__)
        raise ValidationError(too_complex, code="too_complex") from exc
    except OSError as exc:  # the process could not be started (no memory, say)
        log.exception("The upload check %s could not be started", check.__name__)
        raise ValidationError(NOT_UPLOADED, code="check_failed") from exc
    finally:
        _CHECKS.release()
    if done.returncode < 0:  # killed by the kernel at its CPU limit
        log.info("An upload's check was stopped at its limit (signal %s)", -done.returncode)
        return None
    return done


def _check_failed(check, done) -> None:
    """Our fault, not the file's (a module missing from the environment,
    say): every file would be refused, so it is an error someone must see."""
    problem = done.stderr.decode("utf-8", "replace")[-2000:]
    log.error("The upload check %s failed (exit %s): %s", check.__name__, done.returncode, problem)
    raise ValidationError(NOT_UPLOADED, code="check_failed")


def _is_utf8_text(upload) -> bool:
    """CSV has no signature: accept it only as UTF-8 text with no NUL bytes."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in upload.chunks(CHUNK):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        upload.seek(0)
    return True


def _detect(upload) -> str | None:
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(EXECUTABLE_MAGIC):
        return "program"  # not a kind anyone accepts, whatever its name
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(upload)
    return "csv" if _is_utf8_text(upload) else None


def check_upload(
    upload, *, kinds: Iterable[str], max_bytes: int | None = None, served: bool = True
) -> str:
    """Check an uploaded file and return its kind ("pdf", "docx", ...).

    The type is judged by content, never by the name or the browser's claimed
    content type, which anyone can set; the extension must then agree, so a
    file opens in the program its name promises. Raises ValidationError in
    GOV.UK wording. Reads the file but writes nothing. `served`: people will
    download and open it, so a CSV must hold no formula that acts
    (_check_csv); False only for a file the service reads itself.
    """
    kinds = list(kinds)
    if not upload:
        raise ValidationError(SELECT, code="required")
    limit = _limit(max_bytes)
    # Checked once for the same rules: the form checks the file, then
    # store_upload, inside the service's transaction, finds it passed. A
    # second PDF or CSV check held the inspection's row lock for as long
    # again (found by a code review).
    rules = (upload.name, upload.size, tuple(kinds), limit, served)
    passed = getattr(upload, "_passed_checks", {})
    if rules in passed:
        return passed[rules]
    kind = _checked_kind(upload, kinds=kinds, limit=limit, served=served)
    upload._passed_checks = {**passed, rules: kind}
    return kind


def _checked_kind(upload, *, kinds: list[str], limit: int, served: bool) -> str:
    if not upload.size:
        raise ValidationError(EMPTY, code="empty")
    if upload.size > limit:
        raise ValidationError(
            f"The selected file must be smaller than {_size_text(limit)}", code="file_size"
        )
    extension = PurePosixPath(upload.name or "").suffix.lower()
    if not any(extension in KINDS[kind].extensions for kind in kinds):
        raise _wrong_type(kinds)
    kind = _detect(upload)
    if kind is None and extension in (".docx", ".xlsx") and _encrypted_office(upload):
        raise ValidationError(PASSWORD_PROTECTED, code="password_protected")
    if kind is None and extension in KINDS["csv"].extensions:
        raise ValidationError(CSV_ENCODING, code="file_type")
    if kind not in kinds or extension not in KINDS[kind].extensions:
        raise _wrong_type(kinds)
    if kind == "pdf":
        _check_pdf(upload)
    if kind == "csv" and served:
        _check_csv(upload)
    return kind


# Word and Excel's "Encrypt with Password" writes no zip, but an OLE
# compound file holding the encrypted package in a stream of this name
# ([MS-OFFCRYPTO]): a directory entry's name is UTF-16. Found by the bad
# input review: such a file was refused as "must be a DOCX", which it is.
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


def _encrypted_office(upload) -> bool:
    """Whether the file is an Office document saved with a password."""
    upload.seek(0)
    if upload.read(len(OLE_MAGIC)) != OLE_MAGIC:
        upload.seek(0)
        return False
    overlap = len(_ENCRYPTED_PACKAGE) - 1
    tail = b""
    try:
        for chunk in upload.chunks(CHUNK):
            if _ENCRYPTED_PACKAGE in tail + chunk:
                return True
            tail = chunk[-overlap:]
    finally:
        upload.seek(0)
    return False


def _check_csv(upload) -> None:
    """Refuse a CSV with a formula that can act when it is opened in a
    spreadsheet (core.csvcheck). In a process of its own, as a PDF is: the
    regular expressions hold the interpreter's lock, and a 20MB file built
    to be slow took them seconds, in which no other thread of the worker ran."""
    done = _in_a_child(csvcheck, [], _whole(upload), too_complex=CSV_TOO_COMPLEX)
    if done is None:
        raise ValidationError(CSV_TOO_COMPLEX, code="too_complex")
    answer = done.stdout.decode("ascii", "replace").strip()
    if answer == csvcheck.TOO_COMPLEX:
        raise ValidationError(CSV_TOO_COMPLEX, code="too_complex")
    if done.returncode != 0 or not (answer == csvcheck.SAFE or answer.isdigit()):
        _check_failed(csvcheck, done)
    if answer != csvcheck.SAFE:
        raise ValidationError(CSV_FORMULA.format(line=int(answer)), code="csv_formula")


def _clean_name(name: str) -> str:
    """The last path part, without control characters, at most 255 long."""
    name = re.split(r"[\\/]", name or "")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if name in ("", ".", ".."):
        return "file"
    suffix = PurePosixPath(name).suffix[:20]
    return name if len(name) <= 255 else name[: 255 - len(suffix)] + suffix


class _HashingFile(File):
    """Hands storage a file in chunks, counting and hashing as they pass.

    Not an UploadedFile, so FileSystemStorage streams it rather than moving
    a temporary file into place unread.
    """

    def __init__(self, upload):
        super().__init__(upload)
        self.sha256 = hashlib.sha256()
        self.counted = 0

    def chunks(self, chunk_size=None):
        for chunk in self.file.chunks(chunk_size or CHUNK):
            self.sha256.update(chunk)
            self.counted += len(chunk)
            yield chunk


def store_upload(
    upload, *, by, kinds: Iterable[str], max_bytes: int | None = None, served: bool = True
) -> StoredFile:
    """Check an upload, then keep it privately and return its StoredFile row.

    The name on disk is random and has no extension: it reveals nothing and
    can never be run or served as what the uploader called it. If the checks
    fail nothing is written; if writing or the insert fails the file is
    removed. (If a caller's enclosing transaction rolls back later, the file
    stays as an orphan with no row: unreachable, and a retention sweep's job.)
    A storage that fails (a full disk, the shared folder gone) is
    NOT_UPLOADED: the person can try again, where it was a 500.
    """
    kind = check_upload(upload, kinds=kinds, max_bytes=max_bytes, served=served)
    upload.seek(0)
    try:
        return store_file(upload, name=upload.name, kind=kind, by=by)
    except OSError as exc:
        # Logged without the file's name, which may be a child's.
        log.exception("Could not store an upload of %s bytes", upload.size)
        raise ValidationError(NOT_UPLOADED, code="not_stored") from exc


class FileGone(Http404):
    """A file the person may take, but which is no longer kept: the retention
    policy deleted it, or it is missing from the disk. core.views.error_404
    says so, with this message (410), instead of "Page not found" (found by
    the uploads review). Raised only after the caller's access check."""


def file_response(
    stored_file: StoredFile, *, by, inspection=None, named: str | None = None
) -> FileResponse:
    """Send a stored file as a download and record who took it, under the
    inspection it belongs to (none for a national export), so a search of
    that inspection's or force's audit trail shows every copy taken.

    This checks no permission: callers load the owning object through its
    door and decide access BEFORE calling. Always an attachment with the
    stored (checked) content type and nosniff, so a browser never renders
    it inline; never cached, as it may hold personal data.

    `named` is how the history names the copy taken, instead of the file's
    own name: an evidence document's file name may be a child's.
    """
    try:
        handle = default_storage.open(stored_file.storage_name, "rb")
    except FileNotFoundError:
        # Kept in the database and not on the disk: a lost file, for on call
        # (by its id: its name may be a child's).
        log.error("Stored file %s is missing from the private storage", stored_file.pk)
        raise FileGone(
            "It could not be found in the service's storage. The problem has been recorded "
            "for the team that runs the service."
        ) from None
    audit.record(
        by=by,
        action="file.downloaded",
        obj=stored_file,
        label=named,
        force=inspection.force if inspection else None,
        inspection_id=inspection.pk if inspection else None,
        comment="" if named else stored_file.original_name,
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=stored_file.original_name,
        content_type=stored_file.content_type,
    )
    # Where the server cannot send the file itself (no wsgi.file_wrapper),
    # 64 KiB reads instead of Django's 4 KiB: a 3 MB export was 750 reads,
    # 1.1 ms of its 12.7 ms in the benchmark.
    response.block_size = 64 * 1024
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@transaction.atomic
def delete_stored_file(stored_file: StoredFile) -> None:
    """Delete the row now and the file once that commits.

    Removing the file only after commit means a rollback never leaves a row
    pointing at nothing.
    """
    name = stored_file.storage_name
    stored_file.delete()
    transaction.on_commit(lambda: default_storage.delete(name))


def store_bytes(content: bytes, *, name: str, kind: str, by) -> StoredFile:
    """Keep bytes the service made itself (a PDF report, say); see store_file()."""
    return store_file(ContentFile(content), name=name, kind=kind, by=by)


@transaction.atomic
def store_file(content: File, *, name: str, kind: str, by) -> StoredFile:
    """Keep a file privately, under a random name with no extension, with its
    size and SHA-256, read in chunks however large. Uploads come here once
    store_upload() has checked them; files the service made come directly.
    If writing or the insert fails, the file is removed."""
    token = secrets.token_hex(16)
    storage_name = f"{token[:2]}/{token}"
    hashing = _HashingFile(content)
    try:
        storage_name = default_storage.save(storage_name, hashing)
        return StoredFile.objects.create(
            original_name=_clean_name(name),
            storage_name=storage_name,
            content_type=KINDS[kind].content_type,
            size=hashing.counted,
            sha256=hashing.sha256.hexdigest(),
            uploaded_by=by,
        )
    except BaseException:
        default_storage.delete(storage_name)
        raise
