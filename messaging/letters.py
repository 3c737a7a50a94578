"""Letters as PDFs: where they are kept, and how one is laid out (decision 47).

A letter carries the debtor's full name, postal address and amounts, so it is kept
like a call recording: in LETTERS_ROOT (`var/letters/`), a storage with no URL,
served only by the case page's download view after its scope check, and audited
(messaging.DocumentDownload). Print batches (a zip of PDFs and a manifest) live in
the same storage.

The PDF is drawn with reportlab. Print vendors need the fonts embedded, so the text
is set in the TrueType font at LETTER_FONT_PATH (WenQuanYi Micro Hei from Debian's
fonts-wqy-microhei by default: CJK and Latin in one face), embedded as a subset. A
machine without that file falls back to reportlab's built-in CID font STSong-Light,
which renders Chinese in any viewer but is not embedded: fine for a look on a fresh
development machine, not for the vendor (docs/operations.md says so).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils import formats, translation
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

FALLBACK_FONT = "STSong-Light"


@deconstructible(path="messaging.letters.LetterStorage")
class LetterStorage(FileSystemStorage):
    """The file system under settings.LETTERS_ROOT, with no URL."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.LETTERS_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "LETTERS_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        raise ValueError(
            "Letters have no URL: the case page's letter download and the print "
            "batches page serve them after their access checks."
        )


_storage = LetterStorage()


def letter_storage() -> LetterStorage:
    """The storage of Letter.file and PrintBatch.file (a callable, so migrations
    name it)."""
    return _storage


def letter_upload_to(letter, filename: str) -> str:
    """`YYYY/MM/<letter reference>.pdf`."""
    return f"{letter.rendered_at:%Y/%m}/{letter.reference}.pdf"


def print_batch_upload_to(batch, filename: str) -> str:
    """`batches/YYYY/MM/<batch reference>.zip`."""
    return f"batches/{batch.created_at:%Y/%m}/{batch.reference}.zip"


@dataclass(frozen=True)
class LetterContent:
    """What one letter says: the rendered template and the envelope."""

    reference: str
    case_reference: str
    language: str
    recipient_name: str
    postal_address: str
    subject: str
    body: str
    date: object  # a date, shown in the letter's language


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    page_count: int


@cache
def _font_for(path: str) -> str:
    """The name of the registered font for LETTER_FONT_PATH `path`: the TrueType file
    embedded when it exists, else the built-in CID font (not embedded)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    if path and Path(path).is_file():
        name = "LetterFont"
        options = {"subfontIndex": 0} if path.lower().endswith(".ttc") else {}
        pdfmetrics.registerFont(TTFont(name, path, **options))
        return name
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FALLBACK_FONT


def letter_font() -> str:
    """The font letters are set in now (LETTER_FONT_PATH, or the fallback)."""
    return _font_for(str(settings.LETTER_FONT_PATH or ""))


def letterhead(language: str) -> dict[str, str]:
    """The bank's letterhead in `language` (settings LETTER_BANK_*)."""
    zh = language.startswith("zh")
    return {
        "name": settings.LETTER_BANK_NAME_ZH if zh else settings.LETTER_BANK_NAME,
        "address": (
            settings.LETTER_BANK_ADDRESS_ZH if zh else settings.LETTER_BANK_ADDRESS
        ),
        "hotline": settings.COLLECTIONS_HOTLINE,
    }


def _lines(text: str) -> str:
    return "<br/>".join(escape(line) for line in text.splitlines())


def letter_pdf(content: LetterContent) -> RenderedPdf:
    """The letter as a PDF (A4), with the letterhead, the recipient's address, the
    references, the subject and the body (blank lines separate paragraphs)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer

    font = letter_font()
    head = letterhead(content.language)
    with translation.override(content.language):
        hotline = _("Hotline: %(hotline)s") % {"hotline": head["hotline"]}
        references = _("Letter %(letter)s · Case %(case)s") % {
            "letter": content.reference,
            "case": content.case_reference,
        }
        date = formats.date_format(content.date, "DATE_FORMAT")
        footer = f"{head['name']} · {hotline}"

    base = ParagraphStyle("letter", fontName=font, fontSize=10.5, leading=16)
    small = ParagraphStyle("small", parent=base, fontSize=8.5, leading=12)
    bank = ParagraphStyle("bank", parent=base, fontSize=15, leading=20)
    subject = ParagraphStyle("subject", parent=base, fontSize=12.5, leading=18)
    story = []
    logo = settings.LETTER_LOGO_PATH
    if logo:
        image = Image(str(logo))
        scale = min(1.0, (45 * mm) / image.drawWidth, (18 * mm) / image.drawHeight)
        image.drawWidth, image.drawHeight = (
            image.drawWidth * scale,
            image.drawHeight * scale,
        )
        image.hAlign = "LEFT"
        story.append(image)
    story += [
        Paragraph(escape(head["name"]), bank),
        Paragraph(_lines(head["address"]), small),
        Paragraph(escape(hotline), small),
        Spacer(1, 10 * mm),
        Paragraph(escape(content.recipient_name), base),
        Paragraph(_lines(content.postal_address), base),
        Spacer(1, 8 * mm),
        Paragraph(escape(date), base),
        Paragraph(escape(references), small),
        Spacer(1, 6 * mm),
    ]
    if content.subject:
        story += [Paragraph(escape(content.subject), subject), Spacer(1, 3 * mm)]
    for paragraph in content.body.split("\n\n"):
        if paragraph.strip():
            story += [Paragraph(_lines(paragraph.strip()), base), Spacer(1, 2 * mm)]

    def on_page(canvas, doc):
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.drawString(20 * mm, 12 * mm, footer)
        canvas.drawRightString(A4[0] - 20 * mm, 12 * mm, str(doc.page))
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=22 * mm,
        title=content.subject or content.reference,
        author=head["name"],
        # Same letter, same bytes: the checksum depends on the content only.
        invariant=1,
        pageCompression=int(settings.LETTER_PDF_COMPRESS),
    )
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return RenderedPdf(content=buffer.getvalue(), page_count=doc.page)
