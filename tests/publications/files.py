"""Small files for upload tests, built in memory."""

import io
import zipfile

from publications.demo import demo_epub, demo_pdf


def pdf_bytes() -> bytes:
    return demo_pdf("Test")


def epub_bytes() -> bytes:
    return demo_epub("Test")


def zip_bytes(entries: list[tuple[str, bytes]], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries:
            archive.writestr(
                zipfile.ZipInfo(name),
                content,
                compress_type=zipfile.ZIP_STORED if name == "mimetype" else compression,
            )
    return buffer.getvalue()


CONTAINER = (
    b'<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
    b'<rootfiles><rootfile full-path="c.opf" media-type="application/oebps-package+xml"/></rootfiles></container>'
)
