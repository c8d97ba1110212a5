"""ISBN and uploaded-file checks. Files are judged by their content, never by their name or the browser's type.

Limits can be changed in settings (PUBLICATIONS_MAX_FILE_SIZE, PUBLICATIONS_EPUB_MAX_ENTRIES,
PUBLICATIONS_EPUB_MAX_UNCOMPRESSED, PUBLICATIONS_EPUB_MAX_RATIO).
"""

import logging
import zipfile
from xml.etree import ElementTree

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from stdnum import isbn as stdnum_isbn
from stdnum.exceptions import ValidationError as StdnumValidationError

logger = logging.getLogger(__name__)

MAX_FILE_SIZE = 100 * 1024 * 1024
MAX_COVER_SIZE = 5 * 1024 * 1024
EPUB_MAX_ENTRIES = 5_000
EPUB_MAX_UNCOMPRESSED = 500 * 1024 * 1024
# Text and XHTML compress well, but not a thousandfold: beyond this an entry is a bomb, not a book.
EPUB_MAX_RATIO = 100
# Below this many bytes a high ratio is harmless (a small, repetitive XHTML file), so it is not judged.
EPUB_RATIO_FLOOR = 256 * 1024
EPUB_MIMETYPE = b"application/epub+zip"
CONTAINER_PATH = "META-INF/container.xml"
CONTAINER_MAX_SIZE = 64 * 1024


def _limit(name: str, default: int) -> int:
    return getattr(settings, name, default)


def normalize_isbn(value: str) -> str:
    """ISBN-10 or ISBN-13, with or without hyphens -> the 13 digits of the ISBN-13. Raises ValidationError."""
    try:
        compact = stdnum_isbn.validate(value)
    except StdnumValidationError:
        raise ValidationError(
            _("„%(value)s” nie jest poprawnym numerem ISBN (sprawdź cyfry i cyfrę kontrolną)."),
            code="invalid_isbn",
            params={"value": value},
        ) from None
    return stdnum_isbn.to_isbn13(compact)


def validate_isbn(value: str) -> None:
    if value:
        normalize_isbn(value)


class ISBNField(models.CharField):
    """Accepts any valid ISBN form and stores the compact ISBN-13 (so uniqueness compares like with like)."""

    default_validators = [validate_isbn]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 17)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return ""
        value = value.strip()
        try:
            return normalize_isbn(value)
        except ValidationError:
            return value  # left for the validator, which explains what is wrong

    def pre_save(self, model_instance, add):
        value = self.to_python(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value


def validate_file_size(file) -> None:
    limit = _limit("PUBLICATIONS_MAX_FILE_SIZE", MAX_FILE_SIZE)
    if file.size > limit:
        raise ValidationError(
            _("Plik jest za duży (%(size)s); największy dopuszczalny rozmiar to %(limit)s."),
            code="file_too_large",
            params={"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
        )


def validate_cover_size(file) -> None:
    """Covers are shown on pages; a few megabytes is plenty (Pillow already checked it is an image)."""
    limit = _limit("PUBLICATIONS_MAX_COVER_SIZE", MAX_COVER_SIZE)
    if file.size > limit:
        raise ValidationError(
            _("Okładka jest za duża (%(size)s); największy dopuszczalny rozmiar to %(limit)s."),
            code="cover_too_large",
            params={"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
        )


ACTIVE_PDF_MESSAGE = _(
    "Plik PDF zawiera aktywną treść (skrypty, automatyczne akcje lub załączone pliki). Zapisz go ponownie jako "
    "zwykły PDF (np. poleceniem „Drukuj do PDF”) i prześlij jeszcze raz."
)


def validate_pdf(file) -> None:
    """A PDF: starts with the %PDF- signature and pypdf can read its page tree; not encrypted; no active content
    (JavaScript, launch and automatic actions, embedded files: core.pdf)."""
    from pypdf import PdfReader

    from core.pdf import active_content

    not_pdf = ValidationError(_("Plik nie jest poprawnym dokumentem PDF."), code="not_pdf")
    file.seek(0)
    if file.read(5) != b"%PDF-":
        raise not_pdf
    file.seek(0)
    try:
        reader = PdfReader(file, strict=False)
        if reader.is_encrypted:
            raise ValidationError(_("Plik PDF jest zaszyfrowany; dodaj wersję bez hasła."), code="encrypted_pdf")
        if len(reader.pages) < 1:
            raise not_pdf
        found = active_content(reader)
        if found:
            logger.info("Refused a PDF upload with active content: %s", ", ".join(found))
            raise ValidationError(ACTIVE_PDF_MESSAGE, code="active_pdf")
    except ValidationError:
        raise
    except Exception:  # pypdf raises many exception types on damaged input; all mean the same to the uploader
        logger.info("Refused an unreadable PDF upload", exc_info=True)
        raise not_pdf from None
    finally:
        file.seek(0)


def validate_epub(file) -> None:
    """An EPUB (OCF container): a zip whose first entry is `mimetype` holding application/epub+zip, with
    META-INF/container.xml; entry count, total uncompressed size and compression ratio are capped (zip bombs).

    Only the central directory and two small entries are read; nothing is extracted.
    """
    not_epub = ValidationError(_("Plik nie jest poprawnym archiwum EPUB."), code="not_epub")
    bomb = ValidationError(
        _("Archiwum EPUB rozpakowuje się do podejrzanie dużego rozmiaru; nie przyjmujemy go."), code="zip_bomb"
    )
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            entries = archive.infolist()
            if not entries or len(entries) > _limit("PUBLICATIONS_EPUB_MAX_ENTRIES", EPUB_MAX_ENTRIES):
                raise bomb if entries else not_epub
            max_ratio = _limit("PUBLICATIONS_EPUB_MAX_RATIO", EPUB_MAX_RATIO)
            total = sum(entry.file_size for entry in entries)
            compressed = sum(entry.compress_size for entry in entries)
            if total > _limit("PUBLICATIONS_EPUB_MAX_UNCOMPRESSED", EPUB_MAX_UNCOMPRESSED):
                raise bomb
            # The ratio over the whole archive: many entries each just under a per-entry limit add up to a bomb.
            if total > EPUB_RATIO_FLOOR and total > max_ratio * max(compressed, 1):
                raise bomb
            for entry in entries:
                if entry.file_size > EPUB_RATIO_FLOOR and entry.file_size > max_ratio * max(entry.compress_size, 1):
                    raise bomb
            first = entries[0]
            if first.filename != "mimetype" or first.file_size != len(EPUB_MIMETYPE):
                raise not_epub
            if archive.read(first).strip() != EPUB_MIMETYPE:
                raise not_epub
            try:
                container = archive.getinfo(CONTAINER_PATH)
            except KeyError:
                raise not_epub from None
            if container.file_size > CONTAINER_MAX_SIZE:
                raise not_epub
            root = ElementTree.fromstring(archive.read(container))
            if not root.tag.endswith("container"):
                raise not_epub
    except ValidationError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ElementTree.ParseError, EOFError, OSError, ValueError):
        raise not_epub from None
    except NotImplementedError:  # a compression method zipfile cannot read
        raise not_epub from None
    finally:
        file.seek(0)


def validate_edition_file(file, edition_format: str) -> None:
    """The checks an electronic edition's file must pass for its format. Raises ValidationError on `file`."""
    try:
        validate_file_size(file)
        if edition_format == "pdf":
            validate_pdf(file)
        elif edition_format == "epub":
            validate_epub(file)
    except ValidationError as error:
        raise ValidationError({"file": error.error_list}) from None
