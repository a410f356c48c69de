"""core.uploads: documents that could run code on the computer of the
inspector who opens them (PDF JavaScript, launch actions and attachments;
office files' embedded OLE objects) are refused, and ordinary ones are not."""

import io
import logging
import re
import time
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.annotations import Link

from core import uploads
from core.models import StoredFile
from core.tests import files
from core.tests.fixtures import stored_paths

pytestmark = pytest.mark.django_db

DOCUMENTS = ["pdf", "docx", "odt", "xlsx"]
JS = b"<< /S /JavaScript /JS (app.alert('hello')) >>"
OLE = uploads.OLE_MAGIC + bytes(504)  # an OLE compound file's header block


def written(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def blank_writer() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    return writer


def with_js() -> bytes:
    """JavaScript run as the PDF opens, from the /JavaScript name tree."""
    writer = blank_writer()
    writer.add_open_action(JavaScript("app.alert('hello');"))
    return written(writer)


def with_attachment() -> bytes:
    writer = blank_writer()
    writer.add_attachment("invoice.docm", b"PK\x03\x04 a macro document")
    return written(writer)


def encrypted_pdf(*, user_password: str, js: bool = False) -> bytes:
    writer = blank_writer()
    if js:
        writer.add_open_action(JavaScript("app.alert('hello');"))
    # AES, as Acrobat locks a PDF against editing: needs cryptography to open.
    writer.encrypt(user_password, owner_password="owner", algorithm="AES-256")
    return written(writer)


def in_object_stream(catalog: bytes) -> bytes:
    """A PDF 1.5 file whose objects are all inside one compressed object
    stream (/ObjStm), found through a cross-reference stream, as Word and
    Acrobat write them: nothing of the catalog is in the file's plain bytes."""
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R %s >>" % catalog,
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        # Object 4: the action when the catalog names it, else nothing (every
        # object in the file is read, reachable or not).
        JS if b"4 0 R" in catalog else b"null",
    ]
    header, offset = b"", 0
    for number, body in enumerate(bodies, start=1):
        header += b"%d %d " % (number, offset)
        offset += len(body) + 1
    packed = zlib.compress(header + b"\n".join(bodies) + b"\n")
    out = bytearray(b"%PDF-1.5\n")
    objstm_at = len(out)
    out += b"5 0 obj\n<< /Type /ObjStm /N 4 /First %d /Filter /FlateDecode /Length %d >>\n" % (
        len(header),
        len(packed),
    )
    out += b"stream\n" + packed + b"\nendstream\nendobj\n"
    xref_at = len(out)
    rows = b"\x00\x00\x00\x00\x00\xff\xff"
    rows += b"".join(b"\x02" + (5).to_bytes(4) + index.to_bytes(2) for index in range(4))
    rows += b"\x01" + objstm_at.to_bytes(4) + b"\x00\x00"
    rows += b"\x01" + xref_at.to_bytes(4) + b"\x00\x00"
    out += b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\n" % len(rows)
    out += b"stream\n" + rows + b"\nendstream\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def next_chain(length: int, *, last: bytes = JS) -> bytes:
    """A link whose action is `length` harmless actions chained by /Next, then `last`."""
    chain = [
        b"<< /S /URI /URI (https://example.org) /Next %d 0 R >>" % (number + 1)
        for number in range(5, 5 + length)
    ]
    return files.pdf_of(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Annots [4 0 R] >>",
            b"<< /Type /Annot /Subtype /Link /Rect [0 0 99 99] /A 5 0 R >>",
            *chain,
            last,
        ]
    )


def with_root_given_twice() -> bytes:
    """The trailer names a harmless catalog, then one that runs JavaScript:
    pypdf reads the first, Chrome's and Firefox's viewers the last."""
    harmless = files.pdf(extra=[b"<< /Type /Catalog /Pages 2 0 R /OpenAction " + JS + b" >>"])
    return harmless.replace(b"/Root 1 0 R", b"/Root 1 0 R /Root 6 0 R")


def with_update_after_a_hidden_end() -> bytes:
    """An update appended after the file's end, itself ended by a %%EOF that
    does not begin its line: pypdf reads only the first revision; Chrome's
    viewer and poppler read the update, and its JavaScript."""
    original = files.pdf()
    previous = int(re.findall(rb"startxref\s+(\d+)", original)[-1])
    update = (
        b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R /Names << /JavaScript << /Names [(a) "
        + JS
        + b"] >> >> >>\nendobj\n"
    )
    table = len(original) + len(update)
    return (
        original
        + update
        + (
            b"xref\n0 1\n0000000000 65535 f \n1 1\n%010d 00000 n \ntrailer\n"
            b"<< /Size 6 /Root 1 0 R /Prev %d >>\nstartxref\n%d\n %%%%EOF\n"
            % (len(original), previous, table)
        )
    )


PDF_REFUSALS = [
    pytest.param(with_js, uploads.PDF_SCRIPTS, id="javascript-name-tree"),
    pytest.param(with_update_after_a_hidden_end, uploads.PDF_SCRIPTS, id="hidden-update"),
    pytest.param(
        # PDFium looks objects up by number alone: 6 1 R is object 6.
        lambda: files.pdf(
            catalog=b"/Names 6 1 R", extra=[b"<< /JavaScript << /Names [(a) " + JS + b"] >> >>"]
        ),
        uploads.PDF_SCRIPTS,
        id="reference-with-the-wrong-generation",
    ),
    pytest.param(
        lambda: files.pdf(catalog=b"/OpenAction << /S /URI /URI (https://example.org/beacon) >>"),
        uploads.PDF_SCRIPTS,
        id="address-fetched-on-opening",
    ),
    pytest.param(
        lambda: files.pdf(page=b"/AA << /O << /S /URI /URI (file://host/share/x) >> >>"),
        uploads.PDF_SCRIPTS,
        id="address-fetched-on-opening-a-page",
    ),
    pytest.param(
        lambda: files.pdf(
            catalog=b"/OpenAction << /S /Rendition "
            b"/R << /C << /D << /FS /URL /F (http://x) >> >> >> >>"
        ),
        uploads.PDF_SCRIPTS,
        id="media-from-an-address",
    ),
    pytest.param(
        lambda: files.pdf(catalog=b"/OpenAction << /S 6 0 R /F (calc.exe) >>", extra=[b"/Launch"]),
        uploads.PDF_SCRIPTS,
        id="launch-named-apart",
    ),
    pytest.param(
        lambda: files.pdf(catalog=b"/OpenAction << /S /GoToR /F (\\\\host\\share\\x.pdf) >>"),
        uploads.PDF_SCRIPTS,
        id="open-action-opening-a-pdf-on-a-share",
    ),
    pytest.param(
        lambda: files.pdf(catalog=b"/OpenAction << /S /SubmitForm /F (https://example.org) >>"),
        uploads.PDF_SCRIPTS,
        id="open-action-sending-the-form",
    ),
    pytest.param(
        lambda: files.pdf(catalog=b"/OpenAction << /S /ImportData /F (data.fdf) >>"),
        uploads.PDF_SCRIPTS,
        id="open-action-importing-data",
    ),
    pytest.param(
        lambda: files.pdf(
            page=b"/Annots [<< /Subtype /3D /Rect [0 0 9 9] /3DD 6 0 R >>]",
            extra=[b"<< /Type /3D /Subtype /U3D /OnInstantiate 7 0 R >>", b"(app.alert(1))"],
        ),
        uploads.PDF_SCRIPTS,
        id="3d-artwork-javascript",
    ),
    pytest.param(
        lambda: files.pdf(catalog=b"/OpenAction [3 0 R /Fit] /OpenAction " + JS),
        uploads.PDF_DAMAGED,
        id="open-action-given-twice",
    ),
    pytest.param(with_root_given_twice, uploads.PDF_DAMAGED, id="catalog-given-twice"),
    pytest.param(with_attachment, uploads.PDF_ATTACHMENTS, id="attached-file"),
    pytest.param(
        lambda: files.pdf(catalog=b"/OpenAction " + JS), uploads.PDF_SCRIPTS, id="open-action-js"
    ),
    pytest.param(
        lambda: files.pdf(catalog=b"/AA << /WC " + JS + b" >>"),
        uploads.PDF_SCRIPTS,
        id="document-additional-action",
    ),
    pytest.param(
        lambda: files.pdf(page=b"/AA << /O " + JS + b" >>"),
        uploads.PDF_SCRIPTS,
        id="page-opened-action",
    ),
    pytest.param(
        lambda: files.pdf(
            page=b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 99 99]"
            b" /A << /S /Launch /F (C:\\\\Windows\\\\System32\\\\cmd.exe) >> >>]"
        ),
        uploads.PDF_SCRIPTS,
        id="link-launching-a-program",
    ),
    pytest.param(
        lambda: files.pdf(
            page=b"/Annots [<< /Type /Annot /Subtype /Widget /Rect [0 0 99 99]"
            b" /AA << /E " + JS + b" >> >>]"
        ),
        uploads.PDF_SCRIPTS,
        id="annotation-additional-action",
    ),
    pytest.param(
        lambda: files.pdf(
            page=b"/Annots [<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 9 9]"
            b" /FS << /Type /Filespec /F (tool.exe) >> >>]"
        ),
        uploads.PDF_ATTACHMENTS,
        id="file-attachment-annotation",
    ),
    pytest.param(lambda: next_chain(3), uploads.PDF_SCRIPTS, id="javascript-at-end-of-next-chain"),
    pytest.param(
        lambda: files.pdf(
            catalog=b"/Outlines << /Type /Outlines /First 6 0 R /Last 6 0 R /Count 1 >>",
            extra=[b"<< /Title (Go) /A " + JS + b" >>"],
        ),
        uploads.PDF_SCRIPTS,
        id="bookmark-running-javascript",
    ),
    pytest.param(
        lambda: files.pdf(
            catalog=b"/AcroForm << /Fields [<< /FT /Tx /T (total) /AA << /K " + JS + b" >> >>] >>"
        ),
        uploads.PDF_SCRIPTS,
        id="form-field-keystroke-script",
    ),
    pytest.param(
        lambda: files.pdf(catalog=b"/AcroForm << /Fields [] /XFA (<xdp:xdp/>) >>"),
        uploads.PDF_SCRIPTS,
        id="xfa-form",
    ),
    pytest.param(
        lambda: encrypted_pdf(user_password="", js=True),
        uploads.PDF_SCRIPTS,
        id="javascript-in-a-pdf-locked-against-editing",
    ),
    pytest.param(
        lambda: encrypted_pdf(user_password="secret"),
        uploads.PASSWORD_PROTECTED,
        id="pdf-needing-a-password",
    ),
    pytest.param(
        lambda: b"%PDF-1.7\n" + bytes(range(256)) * 4, uploads.PDF_DAMAGED, id="not-a-pdf-at-all"
    ),
    pytest.param(
        # Nested too deep for pypdf, the action inside: a viewer may read it.
        lambda: files.pdf_of([b"<< /Type /Catalog /Pages " + b"[" * 5000 + JS + b" >>"]),
        uploads.PDF_DAMAGED,
        id="arrays-nested-too-deep",
    ),
]


@pytest.mark.parametrize("content, message", PDF_REFUSALS)
def test_a_pdf_that_could_run_code_or_carries_files_is_refused_and_nothing_stored(
    private_storage, inspector, content, message
):
    with pytest.raises(ValidationError) as error:
        uploads.store_upload(files.upload("plan.pdf", content()), by=inspector, kinds=DOCUMENTS)

    assert error.value.messages == [message]
    assert stored_paths(private_storage) == []
    assert not StoredFile.objects.exists()


def ordinary_writer_pdf() -> bytes:
    """Links to a web page and to a page, and a bookmark: what reports have."""
    writer = blank_writer()
    writer.add_blank_page(612, 792)
    writer.add_annotation(0, Link(rect=(50, 50, 200, 80), url="https://www.gov.uk"))
    writer.add_annotation(0, Link(rect=(50, 100, 200, 130), target_page_index=1))
    writer.add_outline_item("Findings", 1)
    writer.add_metadata({"/Title": "Action plan"})
    return written(writer)


def weasyprint_pdf() -> bytes:
    from weasyprint import HTML

    html = (
        "<h1 id='top'>Action plan</h1><p><a href='https://www.gov.uk'>GOV.UK</a>"
        " <a href='#top'>Back to top</a></p>"
    )
    return HTML(string=html).write_pdf()


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(files.pdf, id="the-test-suite-pdf"),
        pytest.param(ordinary_writer_pdf, id="links-and-bookmarks"),
        pytest.param(weasyprint_pdf, id="made-by-weasyprint"),
        pytest.param(lambda: encrypted_pdf(user_password=""), id="locked-against-editing"),
        pytest.param(lambda: in_object_stream(b""), id="compressed-object-stream"),
        pytest.param(
            lambda: files.pdf(
                page=b"/Annots [<< /Subtype /Link /Rect [0 0 9 9] "
                b"/A << /S /URI /URI (https://www.gov.uk/#top) >> >>]"
            ),
            id="a-link-waiting-to-be-clicked",
        ),
        pytest.param(lambda: next_chain(3, last=b"<< /S /URI /URI (https://a.b) >>"), id="chain"),
    ],
)
def test_ordinary_pdfs_are_still_accepted(content):
    """False refusals would stop real inspection work."""
    assert uploads.check_upload(files.upload("plan.pdf", content()), kinds=DOCUMENTS) == "pdf"


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(
            lambda: files.pdf(catalog=b"/OpenAction << /S /J#61vaScript /#4A#53 (alert(1)) >>"),
            id="names-written-with-hex-escapes",
        ),
        pytest.param(
            lambda: in_object_stream(b"/OpenAction 4 0 R"),
            id="javascript-inside-a-compressed-object-stream",
        ),
    ],
)
def test_javascript_no_byte_scan_would_see_is_found(content):
    """Why pypdf reads the PDF: neither /JavaScript nor /JS is in these files' bytes."""
    content = content()
    assert b"/JavaScript" not in content and b"/JS" not in content
    with pytest.raises(ValidationError) as error:
        uploads.check_upload(files.upload("plan.pdf", content), kinds=["pdf"])
    assert error.value.messages == [uploads.PDF_SCRIPTS]


def test_a_next_chain_looping_on_itself_ends_and_the_rest_is_still_checked():
    looping = files.pdf(
        page=b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A 6 0 R >>]",
        extra=[b"<< /S /URI /URI (https://a.b) /Next [6 0 R 6 0 R 7 0 R] >>", JS],
    )
    with pytest.raises(ValidationError) as error:
        uploads.check_upload(files.upload("plan.pdf", looping), kinds=["pdf"])
    assert error.value.messages == [uploads.PDF_SCRIPTS]


def test_a_long_next_chain_is_followed_to_its_end_without_recursion():
    """5,000 actions deep: a recursive walk would overflow Python's stack."""
    with pytest.raises(ValidationError) as error:
        uploads.check_upload(files.upload("plan.pdf", next_chain(5000)), kinds=["pdf"])
    assert error.value.messages == [uploads.PDF_SCRIPTS]


def test_a_pdf_with_more_objects_than_the_limit_is_refused_unchecked(monkeypatch):
    """100,000 comments, or a /Next chain as long, would hold a web thread
    for minutes: past MAX_PDF_OBJECTS the walk stops and refuses."""
    monkeypatch.setattr(uploads, "MAX_PDF_OBJECTS", 100)
    harmless = next_chain(200, last=b"<< /S /URI /URI (https://a.b) >>")
    with pytest.raises(ValidationError) as error:
        uploads.check_upload(files.upload("plan.pdf", harmless), kinds=["pdf"])
    assert error.value.messages == [uploads.PDF_TOO_COMPLEX]
    shorter = next_chain(50, last=b"<< /S /URI /URI (https://a.b) >>")
    assert uploads.check_upload(files.upload("plan.pdf", shorter), kinds=["pdf"]) == "pdf"


def test_a_damaged_pdf_is_refused_quietly(caplog):
    """pypdf warns of every flaw it meets; a hostile file must not flood the log."""
    damaged = files.pdf()[:200]
    with caplog.at_level(logging.DEBUG), pytest.raises(ValidationError) as error:
        uploads.check_upload(files.upload("plan.pdf", damaged), kinds=["pdf"])
    assert error.value.messages == [uploads.PDF_DAMAGED]
    assert [(r.name, r.levelname) for r in caplog.records if r.levelno >= logging.INFO] == [
        ("core.uploads", "INFO")
    ]


def test_an_indirect_action_type_is_followed():
    """`/S 6 0 R` naming /JavaScript: read as a viewer reads it."""
    content = files.pdf(catalog=b"/OpenAction << /S 6 0 R >>", extra=[b"/JavaScript"])
    with pytest.raises(ValidationError) as error:
        uploads.check_upload(files.upload("plan.pdf", content), kinds=["pdf"])
    assert error.value.messages == [uploads.PDF_SCRIPTS]


# Office documents

PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


def docx_with(extra: dict[str, bytes]) -> bytes:
    return files.zip_of({**files.docx_entries(), **extra})


def xlsx_with(extra: dict[str, bytes]) -> bytes:
    with zipfile.ZipFile(io.BytesIO(files.xlsx())) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    return files.zip_of({**entries, **extra})


OFFICE_REFUSALS = [
    pytest.param(
        "plan.docx", lambda: docx_with({"word/embeddings/oleObject1.bin": OLE}), id="docx-ole"
    ),
    pytest.param(
        "plan.xlsx", lambda: xlsx_with({"xl/embeddings/oleObject1.bin": OLE}), id="xlsx-ole"
    ),
    # A .bin there is an OLE object whatever its first bytes say.
    pytest.param(
        "plan.docx",
        lambda: docx_with({"word/embeddings/oleObject1.bin": b"not quite OLE"}),
        id="docx-bin-without-ole-header",
    ),
    pytest.param(
        "plan.docx", lambda: docx_with({"word/activeX/activeX1.bin": OLE}), id="activex-control"
    ),
    # Kept as a plain stream (persistStreamInit) or as XML alone (persistPropertyBag).
    pytest.param(
        "plan.docx",
        lambda: docx_with(
            {"word/activeX/activeX1.xml": b"<ax:ocx ax:persistence='persistPropertyBag'/>"}
        ),
        id="activex-control-without-ole",
    ),
    pytest.param(
        "plan.docx",
        lambda: docx_with(
            {"word/embeddings/Microsoft_Word_Macro-Enabled_Document.docm": files.docx()}
        ),
        id="embedded-macro-enabled-document",
    ),
    pytest.param(
        "plan.docx",
        lambda: docx_with(
            {
                "word/embeddings/Microsoft_Excel_Worksheet.xlsx": xlsx_with(
                    {"xl/vbaProject.bin": OLE}
                )
            }
        ),
        id="embedded-workbook-with-macros",
    ),
    pytest.param(
        "plan.docx",
        lambda: docx_with(
            {
                "word/embeddings/Microsoft_Excel_Worksheet.xlsx": xlsx_with(
                    {"xl/embeddings/oleObject1.bin": OLE}
                )
            }
        ),
        id="embedded-workbook-with-its-own-ole-object",
    ),
    pytest.param(
        "plan.docx",
        lambda: docx_with({"word/embeddings/Microsoft_Excel_Worksheet.xlsx": b"not a zip"}),
        id="embedded-workbook-that-is-not-one",
    ),
    pytest.param(
        "plan.odt",
        lambda: files.odt(extra={"Object 1": OLE, "ObjectReplacements/Object 1": b"VCLMTF"}),
        id="odt-ole-object",
    ),
    pytest.param(
        "plan.odt",
        lambda: files.odt(extra={"Object 2/Package": OLE}),
        id="odt-sub-document-holding-ole",
    ),
]


@pytest.mark.parametrize("name, content", OFFICE_REFUSALS)
def test_an_office_file_with_embedded_objects_is_refused_and_nothing_stored(
    private_storage, inspector, name, content
):
    with pytest.raises(ValidationError) as error:
        uploads.store_upload(files.upload(name, content()), by=inspector, kinds=DOCUMENTS)

    assert error.value.messages == [uploads.EMBEDDED]
    assert stored_paths(private_storage) == []
    assert not StoredFile.objects.exists()


def relationships(*links: tuple[str, str]) -> bytes:
    """A document's relationships part, each (type, target) external."""
    kinds = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
    return (
        b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        b'package/2006/relationships">'
        + b"".join(
            f'<Relationship Id="rId{n}" Type="{kinds}{kind}" Target="{target}" '
            f'TargetMode="External"/>'.encode()
            for n, (kind, target) in enumerate(links, start=1)
        )
        + b"</Relationships>"
    )


@pytest.mark.parametrize(
    "links",
    [
        # "Follina": an object linked to a web page, run when the file opens.
        pytest.param([("oleObject", "mhtml:http://example.org/x.html!x-usc:x")], id="linked-ole"),
        pytest.param([("oleObject", "file:///C:/Windows/x.exe")], id="linked-ole-on-disk"),
        pytest.param([("attachedTemplate", "https://example.org/t.dotm")], id="remote-template"),
        pytest.param([("frame", "file://host/share/x.html")], id="linked-frame"),
        pytest.param([("image", "http://example.org/pixel.png")], id="remote-picture"),
    ],
)
def test_an_office_file_that_loads_content_from_outside_is_refused(links):
    content = docx_with({"word/_rels/document.xml.rels": relationships(*links)})
    with pytest.raises(ValidationError) as error:
        uploads.check_upload(files.upload("plan.docx", content), kinds=DOCUMENTS)
    assert error.value.messages == [uploads.LINKED]


def test_an_office_file_with_hyperlinks_and_a_template_of_its_own_is_accepted():
    """Hyperlinks wait to be clicked. Word 365 names the template a document
    was made from, on the force's SharePoint or on the author's computer: a
    .dotx, which cannot hold macros."""
    links = relationships(
        ("hyperlink", "https://www.gov.uk/guidance"),
        ("attachedTemplate", "https://force.sharepoint.com/sites/Templates/Letter%20A4.dotx"),
        ("attachedTemplate", "file:///C:\\Users\\ann\\Templates\\Plan.dotx"),
    )
    content = docx_with({"word/_rels/settings.xml.rels": links})
    assert uploads.check_upload(files.upload("plan.docx", content), kinds=DOCUMENTS) == "docx"


@pytest.mark.parametrize(
    "links",
    [
        # A share on another computer is handed the reader's Windows sign-in.
        pytest.param([("attachedTemplate", "\\\\forcehq\\templates\\Letter.dotx")], id="unc"),
        pytest.param([("attachedTemplate", "file://forcehq/t/Letter.dotx")], id="file-host"),
        pytest.param(
            [("attachedTemplate", "https://force.sharepoint.com/sites/T/Letter.dotm")],
            id="template-with-macros",
        ),
        pytest.param(
            [("attachedTemplate", "https://sharepoint.com.example.org/Letter.dotx")],
            id="not-sharepoint",
        ),
    ],
)
def test_a_template_that_could_run_or_reach_out_is_refused(links):
    content = docx_with({"word/_rels/settings.xml.rels": relationships(*links)})
    with pytest.raises(ValidationError) as error:
        uploads.check_upload(files.upload("plan.docx", content), kinds=DOCUMENTS)
    assert error.value.messages == [uploads.LINKED]


def test_external_written_with_spaces_is_still_external():
    rels = relationships(("image", "https://example.org/pixel.png")).replace(
        b'TargetMode="External"', b'TargetMode=" External "'
    )
    content = docx_with({"word/_rels/document.xml.rels": rels})
    with pytest.raises(ValidationError) as error:
        uploads.check_upload(files.upload("plan.docx", content), kinds=DOCUMENTS)
    assert error.value.messages == [uploads.LINKED]


def internal(kind: str, target: str) -> bytes:
    """A relationship to a part inside the file."""
    return relationships((kind, target)).replace(b' TargetMode="External"', b"")


@pytest.mark.parametrize(
    "name, content, message",
    [
        # An RTF merged in as the file opens, with the objects it holds.
        pytest.param(
            "plan.docx",
            lambda: docx_with(
                {
                    "word/afchunk.rtf": b"{\\rtf1{\\object\\objemb}}",
                    "word/_rels/document.xml.rels": internal("aFChunk", "afchunk.rtf"),
                }
            ),
            uploads.EMBEDDED,
            id="merged-in-chunk",
        ),
        # An ActiveX control kept under another name, found by its relationship.
        pytest.param(
            "plan.docx",
            lambda: docx_with(
                {
                    "word/ctl/ctl1.xml": b"<ax:ocx ax:persistence='persistPropertyBag'/>",
                    "word/_rels/document.xml.rels": internal("control", "ctl/ctl1.xml"),
                }
            ),
            uploads.EMBEDDED,
            id="control-under-another-name",
        ),
        # A macro workbook kept among the pictures, shown as an icon that opens it.
        pytest.param(
            "plan.docx",
            lambda: docx_with({"word/media/sheet.xlsm": files.zip_of({"xl/vbaProject.bin": b"x"})}),
            uploads.EMBEDDED,
            id="package-among-the-pictures",
        ),
        pytest.param(
            "plan.docx",
            lambda: docx_with({"word/media/image9.png": b"MZ\x90\x00" + bytes(60)}),
            uploads.EMBEDDED,
            id="program-named-as-a-picture",
        ),
        pytest.param(
            "plan.xlsx",
            lambda: xlsx_with({"xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"}),
            uploads.MACROS,
            id="excel-4-macro-sheet",
        ),
        pytest.param(
            "plan.odt",
            lambda: files.odt(extra={"Basic\\Standard\\Module1.xml": b"<script:module/>"}),
            uploads.MACROS,
            id="odt-macros-named-with-backslashes",
        ),
    ],
)
def test_office_content_brought_in_or_hidden_is_refused(name, content, message):
    with pytest.raises(ValidationError) as error:
        uploads.check_upload(files.upload(name, content()), kinds=DOCUMENTS)
    assert error.value.messages == [message]


@pytest.mark.parametrize(
    "name, content",
    [
        pytest.param("plan.docx", lambda: docx_with({"word/media/image1.png": PNG}), id="docx-png"),
        pytest.param("plan.xlsx", lambda: xlsx_with({"xl/media/image1.png": PNG}), id="xlsx-png"),
        pytest.param(
            "plan.docx",
            lambda: docx_with(
                {
                    "word/embeddings/Microsoft_Excel_Worksheet.xlsx": files.xlsx(),
                    "word/charts/chart1.xml": b"<c:chartSpace/>",
                    "word/media/image1.emf": b"\x01\x00\x00\x00",
                }
            ),
            id="docx-chart-with-its-workbook",
        ),
        pytest.param(
            "plan.odt", lambda: files.odt(extra={"Pictures/photo.png": PNG}), id="odt-png"
        ),
        pytest.param(
            "plan.odt",
            lambda: files.odt(
                extra={
                    "Object 1/content.xml": (
                        b'<office:document-content xmlns:office="'
                        b'urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>'
                    ),
                    "ObjectReplacements/Object 1": b"VCLMTF" + bytes(32),
                }
            ),
            id="odt-chart",
        ),
    ],
)
def test_office_files_with_pictures_and_charts_are_still_accepted(name, content):
    assert (
        uploads.check_upload(files.upload(name, content()), kinds=DOCUMENTS) == name.split(".")[1]
    )


def test_a_pdf_that_takes_too_long_to_check_is_refused_and_its_check_ended(monkeypatch):
    """pypdf is pure Python: a PDF built as one array of a million numbers
    kept it parsing for seconds (half a minute at 20MB), which held one of
    web's threads. The check runs in a child process, ended at the limit."""
    monkeypatch.setattr(uploads, "CHECK_SECONDS", 1)
    # /AA: it names what a refusal looks for, so it is parsed.
    slow = files.pdf(catalog=b"/Junk [" + b"0 " * 1_000_000 + b"] /AA << >>")
    started = time.monotonic()
    with pytest.raises(ValidationError) as error:
        uploads.check_upload(files.upload("plan.pdf", slow), kinds=["pdf"])
    assert error.value.messages == [uploads.PDF_TOO_COMPLEX]
    assert time.monotonic() - started < 2.5
    # Given the time, the same PDF is checked, and is safe.
    monkeypatch.setattr(uploads, "CHECK_SECONDS", 30)
    assert uploads.check_upload(files.upload("plan.pdf", slow), kinds=["pdf"]) == "pdf"


def test_a_pdf_whose_check_runs_out_of_memory_is_refused_not_passed(monkeypatch):
    """pypdf reads past what it cannot parse, a MemoryError included: a PDF
    whose array fills the child's memory had the rest of its catalog, and
    the JavaScript there, skipped, and came back safe."""
    monkeypatch.setattr(uploads, "CHECK_MEMORY", 64 * 1024 * 1024)
    filling = files.pdf(catalog=b"/Junk [" + b"0 " * 1_000_000 + b"] /OpenAction " + JS)
    with pytest.raises(ValidationError) as error:
        uploads.check_upload(files.upload("plan.pdf", filling), kinds=["pdf"])
    assert error.value.messages == [uploads.PDF_TOO_COMPLEX]
    # Given the memory, the same PDF is found to run JavaScript.
    monkeypatch.setattr(uploads, "CHECK_MEMORY", 512 * 1024 * 1024)
    with pytest.raises(ValidationError) as error:
        uploads.check_upload(files.upload("plan.pdf", filling), kinds=["pdf"])
    assert error.value.messages == [uploads.PDF_SCRIPTS]


def test_an_upload_is_checked_once_though_the_form_and_the_service_both_ask(monkeypatch):
    """The form checks the file, then store_upload, inside the service's
    transaction, holding the inspection's lock: the PDF went to the check twice."""
    checks = []
    verdict = uploads._pdf_verdict
    monkeypatch.setattr(uploads, "_pdf_verdict", lambda data: checks.append(1) or verdict(data))
    upload = files.upload("plan.pdf", files.pdf())
    assert uploads.check_upload(upload, kinds=["pdf"]) == "pdf"
    assert uploads.check_upload(upload, kinds=["pdf"]) == "pdf"
    assert len(checks) == 1


@pytest.mark.parametrize(
    "name, content, kind", [("plan.pdf", files.pdf(), "pdf"), ("figures.csv", files.csv(), "csv")]
)
def test_when_the_check_itself_fails_the_upload_is_refused_and_someone_is_told(
    monkeypatch, caplog, name, content, kind
):
    """Our fault, not the file's (the check's Python broken, say): every PDF
    or CSV would be refused, so it is logged as an error, and the person is
    asked to try again rather than told their file is at fault."""
    monkeypatch.setattr(uploads.sys, "executable", "/bin/false")
    with caplog.at_level(logging.INFO), pytest.raises(ValidationError) as error:
        uploads.check_upload(files.upload(name, content), kinds=[kind])
    assert error.value.messages == [uploads.NOT_UPLOADED]
    assert [r.levelname for r in caplog.records if r.name == "core.uploads"] == ["ERROR"]


def test_no_more_pdfs_are_checked_at_once_in_a_process_than_allowed(monkeypatch):
    """Each check may use CHECK_MEMORY, and web runs four threads a worker:
    past CHECKS_AT_ONCE, an upload waits its turn, then is asked to try again."""
    monkeypatch.setattr(uploads, "CHECK_SECONDS", 0.05)
    for _ in range(uploads.CHECKS_AT_ONCE):
        assert uploads._CHECKS.acquire(timeout=1)
    try:
        with pytest.raises(ValidationError) as error:
            uploads.check_upload(files.upload("plan.pdf", files.pdf()), kinds=["pdf"])
    finally:
        for _ in range(uploads.CHECKS_AT_ONCE):
            uploads._CHECKS.release()
    assert error.value.messages == [uploads.NOT_UPLOADED]


ODF = (
    b'<?xml version="1.0"?><office:document-content'
    b' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    b' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    b' xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"'
    b' xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0"'
    b' xmlns:xlink="http://www.w3.org/1999/xlink"><office:body><office:text>%s'
    b"</office:text></office:body></office:document-content>"
)
WORD = (
    b'<?xml version="1.0"?><w:document'
    b' xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p>%s</w:p></w:body></w:document>"
)
SHEET = b'<?xml version="1.0"?><x xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">%s</x>'


def odt_with(body: bytes) -> bytes:
    """An ODT whose text holds this markup."""
    return files.odt(extra={"content.xml": ODF % body})


@pytest.mark.parametrize(
    "name, content, message",
    [
        # A macro of LibreOffice's own, run as the document loads: no macro in the file.
        pytest.param(
            "plan.odt",
            lambda: odt_with(
                b'<office:event-listeners><script:event-listener script:event-name="dom:load"'
                b' xlink:href="vnd.sun.star.script:Tools.Debug.X?language=Basic"/>'
                b"</office:event-listeners>"
            ),
            uploads.MACROS,
            id="odt-macro-on-opening",
        ),
        *(
            pytest.param("plan.odt", lambda body=body: odt_with(body), uploads.LINKED, id=name)
            for name, body in (
                ("odt-picture-on-a-share", b'<draw:image xlink:href="file://host/share/a.png"/>'),
                (
                    "odt-section-from-the-internet",
                    b'<text:section-source xlink:href="https://x.org/a"/>',
                ),
            )
        ),
        # Word's DDE field, its code written across two runs.
        pytest.param(
            "plan.docx",
            lambda: docx_with(
                {
                    "word/document.xml": WORD % b"<w:r><w:instrText> DD</w:instrText></w:r>"
                    b'<w:r><w:instrText>EAUTO cmd.exe "/k calc"</w:instrText></w:r>'
                }
            ),
            uploads.LINKED,
            id="word-dde-field",
        ),
        pytest.param(
            "plan.xlsx",
            lambda: xlsx_with(
                {"xl/externalLinks/externalLink1.xml": SHEET % b'<ddeLink ddeService="cmd"/>'}
            ),
            uploads.LINKED,
            id="excel-dde-link",
        ),
        pytest.param(
            "plan.xlsx",
            lambda: xlsx_with(
                {
                    "xl/connections.xml": SHEET
                    % b'<connection id="1"><webPr url="http://example.org/data"/></connection>'
                }
            ),
            uploads.LINKED,
            id="excel-web-query",
        ),
    ],
)
def test_office_content_that_acts_as_it_opens_is_refused(name, content, message):
    with pytest.raises(ValidationError) as error:
        uploads.check_upload(files.upload(name, content()), kinds=DOCUMENTS)
    assert error.value.messages == [message]


def test_an_odt_with_its_own_pictures_and_a_hyperlink_is_accepted():
    content = odt_with(
        b'<draw:image xlink:href="Pictures/1.png"/><draw:object xlink:href="./Object 1"/>'
        b'<text:a xlink:href="https://www.gov.uk/">GOV.UK</text:a>'
    )
    assert uploads.check_upload(files.upload("plan.odt", content), kinds=DOCUMENTS) == "odt"


def test_a_word_document_mentioning_dde_in_its_text_is_accepted():
    content = docx_with({"word/document.xml": WORD % b"<w:r><w:t>DDEAUTO is a field</w:t></w:r>"})
    assert uploads.check_upload(files.upload("plan.docx", content), kinds=DOCUMENTS) == "docx"
