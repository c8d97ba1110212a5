"""Certificate PDFs (reportlab, with a QR code of the verification URL) and a ZIP of all of a training's certificates.

The ZIP is built in a temporary file, not in memory, so a large training does not hold every PDF in RAM.
"""

import io
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings
from django.db.models import DurationField, ExpressionWrapper, F, Sum
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from .models import Certificate, Training, TrainingSession

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


def training_hours(training: Training) -> int | None:
    """The training's length in hours: as entered, else the sessions' total duration rounded to whole hours."""
    if training.hours:
        return training.hours
    total = TrainingSession.objects.filter(training=training).aggregate(
        total=Sum(ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField()))
    )["total"]
    if not total:
        return None
    return max(round(total.total_seconds() / 3600), 1)


def hours_text(hours: int) -> str:
    """ "16 godzin", "2 godziny", "1 godzina" (nominative, with Polish plural forms)."""
    return ngettext("%(n)d godzina", "%(n)d godziny", hours) % {"n": hours}


def public_verification_url(certificate: Certificate) -> str:
    """The absolute URL of the QR code (BASE_URL, never the host of whoever downloads the PDF)."""
    return settings.BASE_URL.rstrip("/") + certificate.get_verification_url()


def _centred_lines(pdf, text: str, *, y: float, font: str, size: float, width: float, max_width: float) -> float:
    """Draws `text` centred, wrapped to `max_width`; returns the y below the last line."""
    pdf.setFont(font, size)
    for line in simpleSplit(text, font, size, max_width):
        pdf.drawCentredString(width / 2, y, line)
        y -= size * 1.35
    return y


def certificate_pdf(
    *, certificate: Certificate, verification_url: str | None = None, hours: int | None = None
) -> bytes:
    """One certificate as a PDF (A4 landscape): who completed which training, when and where, its length, issuer
    and programme, the statement in the participant's grammatical form, the number and the verification number.
    A second page lists the curriculum when the training has one."""
    _register_fonts()
    enrolment = certificate.enrolment
    training, participant = enrolment.training, enrolment.participant
    if verification_url is None:
        verification_url = public_verification_url(certificate)
    if hours is None:
        hours = training_hours(training)
    buffer = io.BytesIO()
    width, height = landscape(A4)
    text_width = width - 60 * mm
    pdf = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=1)
    pdf.setTitle(_("Zaświadczenie %(number)s") % {"number": certificate.number})
    pdf.setAuthor(training.get_issuer())

    pdf.setFont(FONT, 12)
    pdf.drawCentredString(width / 2, height - 25 * mm, training.get_issuer())
    pdf.setFont(FONT_BOLD, 30)
    pdf.drawCentredString(width / 2, height - 45 * mm, _("ZAŚWIADCZENIE"))
    pdf.setFont(FONT, 14)
    pdf.drawCentredString(width / 2, height - 60 * mm, _("Zaświadcza się, że"))
    pdf.setFont(FONT_BOLD, 22)
    pdf.drawCentredString(width / 2, height - 75 * mm, participant.full_name)
    pdf.setFont(FONT, 14)
    pdf.drawCentredString(width / 2, height - 89 * mm, _("%(verb)s szkolenie") % {"verb": participant.completed_verb()})
    y = _centred_lines(
        pdf, f"„{training.title}”", y=height - 102 * mm, font=FONT_BOLD, size=16, width=width, max_width=text_width
    )
    place = str(training.gmina) if training.gmina_id else training.get_format_display()
    details = f"{_date_range(training)}, {place}"
    if hours:
        details += ", " + _("wymiar: %(hours)s") % {"hours": hours_text(hours)}
    y = _centred_lines(pdf, details, y=y - 2 * mm, font=FONT, size=12, width=width, max_width=text_width)
    if training.programme_id:
        y = _centred_lines(
            pdf,
            _("w ramach programu: %(name)s") % {"name": training.programme.name},
            y=y,
            font=FONT,
            size=12,
            width=width,
            max_width=text_width,
        )
    if training.get_curriculum_items():
        _centred_lines(
            pdf, _("Program szkolenia – na odwrocie."), y=y, font=FONT, size=10, width=width, max_width=text_width
        )

    pdf.setFont(FONT, 10)
    pdf.drawString(20 * mm, 42 * mm, _("Wystawca: %(issuer)s") % {"issuer": training.get_issuer()})
    pdf.drawString(20 * mm, 36 * mm, _("Numer zaświadczenia: %(number)s") % {"number": certificate.number})
    pdf.drawString(20 * mm, 30 * mm, _("Wystawiono: %(date)s") % {"date": formats.date_format(certificate.issued_at)})
    pdf.setFont(FONT_BOLD, 11)
    pdf.drawString(20 * mm, 22 * mm, _("Numer weryfikacyjny: %(code)s") % {"code": certificate.short_code_display})
    pdf.setFont(FONT, 10)
    lookup_url = settings.BASE_URL.rstrip("/") + reverse("trainings:certificate-lookup")
    pdf.drawString(20 * mm, 16 * mm, _("Sprawdź ważność: %(url)s") % {"url": lookup_url})
    renderPDF.draw(_qr_drawing(verification_url, 32 * mm), pdf, width - 52 * mm, 14 * mm)
    pdf.showPage()

    items = training.get_curriculum_items()
    if items:
        pdf.setFont(FONT_BOLD, 16)
        pdf.drawString(20 * mm, height - 25 * mm, _("Program szkolenia"))
        y = height - 38 * mm
        for item in items:
            for index, line in enumerate(simpleSplit(item, FONT, 11, width - 50 * mm)):
                if y < 20 * mm:
                    pdf.showPage()
                    y = height - 25 * mm
                pdf.setFont(FONT, 11)
                pdf.drawString(25 * mm if index else 20 * mm, y, ("" if index else "• ") + line)
                y -= 6 * mm
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def certificate_filename(certificate: Certificate) -> str:
    return "zaswiadczenie-" + certificate.number.replace("/", "-") + ".pdf"


def certificates_zip(
    *, certificates: Iterable[Certificate], verification_url: Callable[[Certificate], str] | None = None
):
    """A temporary file (positioned at its start) holding one PDF per certificate. The caller closes it."""
    handle = tempfile.TemporaryFile(suffix=".zip")
    url_of = verification_url or public_verification_url
    hours_of: dict[int, int | None] = {}
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for certificate in certificates:
            training = certificate.enrolment.training
            if training.pk not in hours_of:
                hours_of[training.pk] = training_hours(training)
            pdf = certificate_pdf(
                certificate=certificate, verification_url=url_of(certificate), hours=hours_of[training.pk]
            )
            archive.writestr(certificate_filename(certificate), pdf)
    handle.seek(0)
    return handle
