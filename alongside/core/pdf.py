"""HTML to PDF, and PDFs as downloads: one renderer and one response for every app."""

from __future__ import annotations

from django.http import HttpResponse

# Filenames keep only these besides letters and digits: nothing that could end the
# quoted header value or name a path.
_FILENAME_EXTRAS = " .-&"


def html_to_pdf(html: str, *, images: dict[str, bytes] | None = None) -> bytes:
    """Render HTML with WeasyPrint, fetching nothing but the given data: URIs.

    ``images`` maps data: URIs (a drawn signature) to their PNG bytes. Every other
    URL is refused rather than fetched, so a stored body can never reach the network.
    """
    # Imported here: loading Pango takes a moment, and most requests need no PDF.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    allowed = dict(images or {})

    class OnlyTheseImages(URLFetcher):
        def fetch(self, url, headers=None):
            if url in allowed:
                return URLFetcherResponse(url, allowed[url], {"Content-Type": "image/png"})
            raise ValueError(f"Not fetched while making a PDF: {url[:80]}")

    return HTML(string=html, url_fetcher=OnlyTheseImages()).write_pdf()


def in_language_of(participant):
    """Render a document the participant takes away in their language (if offered)."""
    from django.conf import settings
    from django.utils import translation

    language = getattr(participant, "preferred_language", "")
    return translation.override(
        language if language in dict(settings.LANGUAGES) else translation.get_language()
    )


def clean_filename(filename: str, suffix: str = ".pdf", default: str = "document") -> str:
    """``filename`` with only safe characters, ending in ``suffix``."""
    cleaned = "".join(c for c in filename if c.isalnum() or c in _FILENAME_EXTRAS).strip()
    if suffix and cleaned.lower().endswith(suffix.lower()):
        cleaned, suffix = cleaned[: -len(suffix)], cleaned[-len(suffix) :]
    return (cleaned.strip(" .") or default) + suffix


def pdf_attachment(content: bytes, filename: str) -> HttpResponse:
    """A PDF download under ``filename``, cleaned to safe characters and ending in .pdf."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{clean_filename(filename)}"'
    return response
