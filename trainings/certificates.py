"""Certificate PDFs (reportlab, with a QR code of the verification URL) and a ZIP of all of a training's certificates.

The ZIP is built in a temporary file, not in memory, so a large training does not hold every PDF in RAM.
"""

import io
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from .models import Certificate

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"


def _register_fonts() -> None:
    # Registration is process-wide and idempotent; reportlab's bundled fonts have no Polish letters.
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))


def _qr_drawing(value: str, size: float) -> Drawing:
    widget = QrCodeWidget(value)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def _date_range(training) -> str:
    start = formats.date_format(training.starts_on, "j E Y")
    if training.ends_on == training.starts_on:
        return start
    return f"{start} – {formats.date_format(training.ends_on, 'j E Y')}"


def certificate_pdf(*, certificate: Certificate, verification_url: str) -> bytes:
    """One certificate as a PDF (A4 landscape)."""
    _register_fonts()
    enrolment = certificate.enrolment
    training, participant = enrolment.training, enrolment.participant
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=1)
    pdf.setTitle(_("Zaświadczenie %(number)s") % {"number": certificate.number})
    pdf.setAuthor(_("Portal spółdzielni socjalnych"))

    pdf.setFont(FONT_BOLD, 30)
    pdf.drawCentredString(width / 2, height - 45 * mm, _("ZAŚWIADCZENIE"))
    pdf.setFont(FONT, 14)
    pdf.drawCentredString(width / 2, height - 62 * mm, _("Zaświadcza się, że"))
    pdf.setFont(FONT_BOLD, 22)
    pdf.drawCentredString(width / 2, height - 78 * mm, participant.full_name)
    pdf.setFont(FONT, 14)
    pdf.drawCentredString(width / 2, height - 94 * mm, _("ukończył(a) szkolenie"))
    pdf.setFont(FONT_BOLD, 16)
    pdf.drawCentredString(width / 2, height - 108 * mm, f"„{training.title}”")
    pdf.setFont(FONT, 12)
    place = str(training.gmina) if training.gmina_id else training.get_format_display()
    pdf.drawCentredString(width / 2, height - 120 * mm, f"{_date_range(training)}, {place}")
    if training.programme_id:
        pdf.drawCentredString(
            width / 2, height - 130 * mm, _("w ramach programu: %(name)s") % {"name": training.programme.name}
        )

    pdf.setFont(FONT, 10)
    pdf.drawString(20 * mm, 30 * mm, _("Numer zaświadczenia: %(number)s") % {"number": certificate.number})
    pdf.drawString(20 * mm, 24 * mm, _("Wystawiono: %(date)s") % {"date": formats.date_format(certificate.issued_at)})
    pdf.drawString(20 * mm, 18 * mm, _("Weryfikacja: %(url)s") % {"url": verification_url})
    renderPDF.draw(_qr_drawing(verification_url, 32 * mm), pdf, width - 52 * mm, 14 * mm)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def certificate_filename(certificate: Certificate) -> str:
    return "zaswiadczenie-" + certificate.number.replace("/", "-") + ".pdf"


def certificates_zip(*, certificates: Iterable[Certificate], verification_url: Callable[[Certificate], str]):
    """A temporary file (positioned at its start) holding one PDF per certificate. The caller closes it."""
    handle = tempfile.TemporaryFile(suffix=".zip")
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for certificate in certificates:
            pdf = certificate_pdf(certificate=certificate, verification_url=verification_url(certificate))
            archive.writestr(certificate_filename(certificate), pdf)
    handle.seek(0)
    return handle
