"""Real files for upload tests, built in memory: no fixtures on disk.

Other apps' tests can use these too: `from core.tests import files`.
"""

import io
import struct
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

MB = 1024 * 1024


def pdf(
    text: str = "Action plan",
    *,
    catalog: bytes = b"",
    page: bytes = b"",
    extra: list[bytes] | None = None,
) -> bytes:
    """A minimal valid one-page PDF, with a correct cross-reference table.

    `catalog` and `page` are added to those dictionaries as written, so a
    test can add an /OpenAction, say, as raw PDF; `extra` objects are
    numbered from 6.
    """
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    return pdf_of(
        [
            b"<< /Type /Catalog /Pages 2 0 R %s >>" % catalog,
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> %s >>" % page,
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            *(extra or []),
        ]
    )


def pdf_of(objects: list[bytes]) -> bytes:
    """A PDF of these objects, numbered from 1, the first the catalog."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def zip_of(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            # ODF wants its mimetype entry first and stored, not compressed.
            kind = zipfile.ZIP_STORED if name == "mimetype" else compression
            archive.writestr(name, data, compress_type=kind)
    return buffer.getvalue()


CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="xml" ContentType="application/xml"/></Types>'
)


def docx_entries() -> dict[str, bytes]:
    return {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": b'<?xml version="1.0"?><Relationships/>',
        "word/document.xml": b'<?xml version="1.0"?><w:document xmlns:w="'
        b'http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        b"<w:p><w:r><w:t>Action plan</w:t></w:r></w:p></w:body></w:document>",
    }


def docx() -> bytes:
    return zip_of(docx_entries())


def xlsx() -> bytes:
    return zip_of(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": b'<?xml version="1.0"?><Relationships/>',
            "xl/workbook.xml": b'<?xml version="1.0"?><workbook><sheets/></workbook>',
            "xl/worksheets/sheet1.xml": b'<?xml version="1.0"?><worksheet/>',
        }
    )


def odt(
    mimetype: bytes = b"application/vnd.oasis.opendocument.text",
    extra: dict[str, bytes] | None = None,
) -> bytes:
    return zip_of(
        {
            "mimetype": mimetype,
            "META-INF/manifest.xml": b'<?xml version="1.0"?><manifest:manifest/>',
            "content.xml": b'<?xml version="1.0"?><office:document-content xmlns:office='
            b'"urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>',
            **(extra or {}),
        }
    )


def password_protected_odt() -> bytes:
    """An .odt as LibreOffice saves one with a password: a zip whose mimetype
    and manifest are plain, and whose content and styles are encrypted, each
    named in the manifest with its encryption-data."""
    namespace = b"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
    encryption = (
        b'<manifest:encryption-data manifest:checksum-type="SHA1/1K" '
        b'manifest:checksum="aGVsbG8="><manifest:algorithm manifest:algorithm-name='
        b'"http://www.w3.org/2001/04/xmlenc#aes256-cbc" manifest:initialisation-vector="aXY="/>'
        b'<manifest:key-derivation manifest:key-derivation-name="PBKDF2" '
        b'manifest:iteration-count="100000" manifest:salt="c2FsdA=="/></manifest:encryption-data>'
    )
    entries = b"".join(
        b'<manifest:file-entry manifest:full-path="' + part + b'" manifest:media-type="text/xml" '
        b'manifest:size="2048">' + encryption + b"</manifest:file-entry>"
        for part in (b"content.xml", b"styles.xml")
    )
    manifest = (
        b'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="'
        + namespace
        + b'" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" '
        b'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        + entries
        + b"</manifest:manifest>"
    )
    scrambled = bytes((n * 73 + 41) % 256 for n in range(2048))
    return zip_of(
        {
            "mimetype": b"application/vnd.oasis.opendocument.text",
            "META-INF/manifest.xml": manifest,
            "content.xml": scrambled,
            "styles.xml": scrambled[::-1],
        },
        zipfile.ZIP_STORED,
    )


def csv() -> bytes:
    return "force,grade\nCleveland,good\nGreater Manchester,adequate – see notes\n".encode()


def zip_bomb(entry_mb: int = 200) -> bytes:
    """A DOCX whose document.xml inflates to entry_mb of zeros (about 0.2MB packed).

    Written in chunks, so building it never holds the inflated entry in memory.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        chunk = bytes(MB)
        with archive.open("word/document.xml", "w") as entry:
            for _ in range(entry_mb):
                entry.write(chunk)
    return buffer.getvalue()


def encrypted(data: bytes) -> bytes:
    """Mark every entry of a zip as encrypted (zipfile cannot write real ones).

    Sets bit 0 of the general purpose flags in each local and central header.
    """
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = out.find(signature)
        while start != -1:
            out[start + offset] |= 0x1
            start = out.find(signature, start + 4)
    return bytes(out)


def password_protected_office() -> bytes:
    """A .docx or .xlsx as Word and Excel save one with "Encrypt with
    Password": no zip at all, but an OLE compound file (version 3, 512-byte
    sectors) holding the EncryptionInfo and EncryptedPackage streams
    ([MS-OFFCRYPTO]). The streams are empty here; their names are what tell."""
    end, free, fat_sector, no_stream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
    header += struct.pack("<HHHHH6sIIII", 0x3E, 3, 0xFFFE, 9, 6, bytes(6), 0, 1, 0, 0)
    header += struct.pack("<IIIII", 4096, end, 0, end, 0)
    header += struct.pack("<109I", 1, *[free] * 108)

    def entry(name: str, kind: int, child: int = no_stream, right: int = no_stream) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return struct.pack(
            "<64sHBBIII16sIQQIQ",
            encoded, len(encoded), kind, 1, no_stream, right, child, bytes(16), 0, 0, 0, end, 0,
        )  # fmt: skip

    directory = entry("Root Entry", 5, child=1)
    directory += entry("EncryptionInfo", 2, right=2) + entry("EncryptedPackage", 2)
    directory += bytes(128)  # an unused entry fills the sector
    fat = struct.pack("<128I", end, fat_sector, *[free] * 126)
    return header + directory + fat


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)
