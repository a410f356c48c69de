"""Read a PDF the way a person would check it: its text, per page, and its info.

Uses poppler-utils (pdftotext, pdfinfo), which CI installs.
"""

import re
import shutil
import subprocess
import tempfile
import zlib
from pathlib import Path


def _run(tool: str, pdf: bytes, *args: str) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.pdf"
        path.write_bytes(pdf)
        command = [shutil.which(tool) or tool, *args, str(path)]
        if tool == "pdftotext":
            command.append("-")
        return subprocess.run(command, capture_output=True, check=True, text=True).stdout


def pdf_text(pdf: bytes, *, page: int | None = None, raw: bool = False) -> str:
    args = ["-raw" if raw else "-layout"]
    if page:
        args += ["-f", str(page), "-l", str(page)]
    return _run("pdftotext", pdf, *args)


def pdf_info(pdf: bytes) -> dict[str, str]:
    out = _run("pdfinfo", pdf)
    return {
        key.strip(): value.strip()
        for key, _, value in (line.partition(":") for line in out.splitlines())
    }


def pdf_structure(pdf: bytes) -> str:
    """The tagged structure tree with its text: what a screen reader reads, in order."""
    return _run("pdfinfo", pdf, "-struct-text")


def squashed(text: str) -> str:
    """Without whitespace: a rotated watermark comes out one letter a line."""
    return "".join(text.split())


def inflated(pdf: bytes) -> bytes:
    """The PDF with every compressed stream inflated, to look for catalog keys."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)
