import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from publications.validators import validate_edition_file

from .files import CONTAINER, epub_bytes, pdf_bytes, zip_bytes


def upload(content: bytes, name: str) -> ContentFile:
    return ContentFile(content, name=name)


def messages(content: bytes, name: str, edition_format: str) -> list[str]:
    with pytest.raises(ValidationError) as error:
        validate_edition_file(upload(content, name), edition_format)
    return error.value.message_dict["file"]


def test_valid_pdf_and_epub_pass():
    validate_edition_file(upload(pdf_bytes(), "a.pdf"), "pdf")
    validate_edition_file(upload(epub_bytes(), "a.epub"), "epub")


def test_a_renamed_non_pdf_is_refused():
    assert messages(b"\x89PNG\r\n\x1a\n" + b"0" * 100, "ksiazka.pdf", "pdf") == [
        "Plik nie jest poprawnym dokumentem PDF."
    ]
    assert messages(epub_bytes(), "ksiazka.pdf", "pdf") == ["Plik nie jest poprawnym dokumentem PDF."]


def test_a_pdf_signature_with_garbage_behind_it_is_refused():
    assert messages(b"%PDF-1.7\n" + b"not really a pdf " * 50, "a.pdf", "pdf") == [
        "Plik nie jest poprawnym dokumentem PDF."
    ]


def test_a_non_zip_epub_is_refused():
    assert messages(pdf_bytes(), "ksiazka.epub", "epub") == ["Plik nie jest poprawnym archiwum EPUB."]
    assert messages(b"PK\x03\x04 broken", "ksiazka.epub", "epub") == ["Plik nie jest poprawnym archiwum EPUB."]


@pytest.mark.parametrize(
    "entries",
    [
        # a plain zip: no mimetype entry
        [("META-INF/container.xml", CONTAINER), ("c.xhtml", b"<html/>")],
        # mimetype not first
        [("META-INF/container.xml", CONTAINER), ("mimetype", b"application/epub+zip")],
        # wrong mimetype
        [("mimetype", b"application/zip"), ("META-INF/container.xml", CONTAINER)],
        # no container.xml
        [("mimetype", b"application/epub+zip"), ("c.xhtml", b"<html/>")],
        # container.xml is not XML
        [("mimetype", b"application/epub+zip"), ("META-INF/container.xml", b"<container")],
    ],
)
def test_a_zip_that_is_not_an_epub_is_refused(entries):
    assert messages(zip_bytes(entries), "a.epub", "epub") == ["Plik nie jest poprawnym archiwum EPUB."]


def test_a_zip_bomb_is_refused():
    bomb = zip_bytes(
        [
            ("mimetype", b"application/epub+zip"),
            ("META-INF/container.xml", CONTAINER),
            ("c.xhtml", b"\0" * (20 * 1024 * 1024)),  # 20 MB of zeros compress about a thousandfold
        ],
        compression=zipfile.ZIP_DEFLATED,
    )
    assert len(bomb) < 100_000
    assert messages(bomb, "a.epub", "epub") == [
        "Archiwum EPUB rozpakowuje się do podejrzanie dużego rozmiaru; nie przyjmujemy go."
    ]


def test_too_many_entries_and_too_much_uncompressed_data_are_refused(settings):
    settings.PUBLICATIONS_EPUB_MAX_ENTRIES = 10
    many = zip_bytes(
        [("mimetype", b"application/epub+zip"), ("META-INF/container.xml", CONTAINER)]
        + [(f"f{i}.xhtml", b"<html/>") for i in range(20)]
    )
    assert messages(many, "a.epub", "epub")[0].startswith("Archiwum EPUB rozpakowuje się")

    settings.PUBLICATIONS_EPUB_MAX_ENTRIES = 5000
    settings.PUBLICATIONS_EPUB_MAX_UNCOMPRESSED = 1000
    big = zip_bytes(
        [("mimetype", b"application/epub+zip"), ("META-INF/container.xml", CONTAINER), ("c.xhtml", b"x" * 5000)]
    )
    assert messages(big, "a.epub", "epub")[0].startswith("Archiwum EPUB rozpakowuje się")


def test_size_is_limited(settings):
    settings.PUBLICATIONS_MAX_FILE_SIZE = 100
    assert messages(pdf_bytes(), "a.pdf", "pdf")[0].startswith("Plik jest za duży")


def repeated_entry_zip(head: list[tuple[str, bytes]], name: str, content: bytes, count: int) -> bytes:
    """An EPUB-shaped zip with `count` copies of one deflated entry. The entry is compressed once and its bytes
    reused, so a 480 MiB archive is built in milliseconds and weighs about half a megabyte."""
    import io
    import zlib

    buffer = io.BytesIO()
    archive = zipfile.ZipFile(buffer, "w")
    for entry_name, data in head:
        archive.writestr(zipfile.ZipInfo(entry_name), data, compress_type=zipfile.ZIP_STORED)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = compressor.compress(content) + compressor.flush()
    crc = zlib.crc32(content)
    for index in range(count):
        info = zipfile.ZipInfo(f"OEBPS/{index}-{name}")
        info.compress_type = zipfile.ZIP_DEFLATED
        info.CRC, info.compress_size, info.file_size = crc, len(deflated), len(content)
        info.header_offset = archive.fp.tell()
        archive.fp.write(info.FileHeader())
        archive.fp.write(deflated)
        archive.filelist.append(info)
        archive.NameToInfo[info.filename] = info
    archive.start_dir = archive.fp.tell()
    archive.close()
    return buffer.getvalue()


def test_many_entries_each_under_the_per_entry_limit_are_a_bomb_together():
    head = [("mimetype", b"application/epub+zip"), ("META-INF/container.xml", CONTAINER)]
    bomb = repeated_entry_zip(head, "c.xhtml", b"\0" * (1024 * 1024), 480)
    with zipfile.ZipFile(__import__("io").BytesIO(bomb)) as archive:
        assert sum(i.file_size for i in archive.infolist()) > 480 * 1024 * 1024
        assert archive.read("OEBPS/479-c.xhtml") == b"\0" * (1024 * 1024)  # a well-formed archive
    assert len(bomb) < 1_000_000
    assert messages(bomb, "a.epub", "epub") == [
        "Archiwum EPUB rozpakowuje się do podejrzanie dużego rozmiaru; nie przyjmujemy go."
    ]


def test_a_book_of_many_ordinary_chapters_passes():
    head = [("mimetype", b"application/epub+zip"), ("META-INF/container.xml", CONTAINER)]
    chapter = (
        "<p>" + " ".join(f"Zdanie numer {n} o spółdzielniach socjalnych." for n in range(2000)) + "</p>"
    ).encode()
    book = repeated_entry_zip(head, "c.xhtml", chapter, 40)
    validate_edition_file(upload(book, "a.epub"), "epub")


def pdf_with(**actions) -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    if "javascript" in actions:
        writer.add_js(actions["javascript"])
    if "attachment" in actions:
        writer.add_attachment("plik.exe", actions["attachment"])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize(
    "content",
    [
        pdf_with(javascript="app.alert('x');"),
        pdf_with(attachment=b"MZ\x90\x00"),
        pdf_with().replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /Launch /F (calc.exe) >>"),
        pdf_with().replace(b"/Type /Page", b"/Type /Page /AA << /O << /S /JavaScript /JS (1) >> >>", 1),
    ],
    ids=["javascript", "embedded-file", "launch", "page-aa"],
)
def test_a_pdf_edition_with_active_content_is_refused(content):
    assert messages(content, "a.pdf", "pdf") == [
        "Plik PDF zawiera aktywną treść (skrypty, automatyczne akcje lub załączone pliki). Zapisz go ponownie jako "
        "zwykły PDF (np. poleceniem „Drukuj do PDF”) i prześlij jeszcze raz."
    ]
