"""A file named .pdf that is not one is reported as "not a PDF", naming what it is."""

from __future__ import annotations

import pytest

from ingest.errors import IngestError
from ingest.pipeline import parse_file
from ingest.sniff import check_pdf_signature, describe_bytes

pytestmark = pytest.mark.unit

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"This program cannot be run"


def test_an_executable_renamed_pdf_is_not_a_pdf(tmp_path):
    path = tmp_path / "tender.pdf"
    path.write_bytes(EXE)
    with pytest.raises(IngestError) as caught:
        parse_file(path, "tender.pdf")
    assert str(caught.value) == "not a PDF: the file is a Windows executable"


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"PK\x03\x04rest", "ZIP"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1", "legacy Office"),
        (b"\x89PNG\r\n", "PNG"),
        (b"<!DOCTYPE html><p>x", "HTML"),
    ],
)
def test_what_a_file_is_is_named(data, what):
    assert what in (describe_bytes(data) or "")
    with pytest.raises(IngestError, match="^not a PDF"):
        check_pdf_signature(data)


def test_real_and_empty_pdfs_pass_to_the_reader():
    check_pdf_signature(b"%PDF-1.7\n...")
    check_pdf_signature(b"\n\n  junk before the header is allowed %PDF-1.4\n")
    check_pdf_signature(b"")  # the reader says "empty file"
    with pytest.raises(IngestError, match="no PDF signature"):
        check_pdf_signature(b"just some text")
