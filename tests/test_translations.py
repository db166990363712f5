"""Every user-facing string is in the Spanish catalog, translated, and no template shows
English that was never marked for translation (see docs/translating.md)."""

from __future__ import annotations

import ast
import datetime
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType
from django.urls import reverse
from django.utils import timezone, translation

from alongside.surveys.testing import installed

ROOT = Path(settings.BASE_DIR)
APP_DIR = ROOT / "alongside"
CATALOG = Path(settings.LOCALE_PATHS[0]) / "es" / "LC_MESSAGES" / "django.po"
# What makemessages reads: the project's code and templates, not tests or tools.
IGNORED = ["tests", "benchmarks", ".venv", "*/tests/*", "node_modules", "staticfiles", "var"]

# Attributes whose value a person reads (or hears, with a screen reader).
VISIBLE_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "aria-description"}
# Text with no word in it: punctuation, numbers, symbols, and the placeholder below.
WORDLESS = re.compile(r"^[\W\d_]*$")
SLOT = "\x00"  # stands for a {{ variable }} or {% tag %} inside the text
# Text that is the same in every language (names, units) and may stay untagged.
UNTRANSLATED_OK = {
    "Alongside",
    "PDF",
    "CSV",
    "JSON",
    "FHIR",
    "API",
    "OK",
    "SVG",
    "TOTP",
    "SHA-256",
    "XLSX",
}


def _po_entries(path: Path) -> list[dict]:
    """The entries of a .po file: msgid (with context), msgstr(s), and flags."""
    entries, entry, field = [], None, None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if entry and (entry.get("msgid") or entry.get("msgid_plural")):
                entries.append(entry)
            entry, field = None, None
            continue
        entry = entry if entry is not None else {"flags": "", "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"] += line[2:]
        elif line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = _unquote(line)
            if isinstance(field, tuple):
                entry["msgstr"][field[1]] += value
            else:
                entry[field] += value
        else:
            key, _, rest = line.partition(" ")
            match = re.fullmatch(r"msgstr\[(\d+)\]", key)
            if match:
                field = ("msgstr", int(match.group(1)))
                entry["msgstr"][field[1]] = _unquote(rest)
            elif key == "msgstr":
                field = ("msgstr", 0)
                entry["msgstr"][0] = _unquote(rest)
            else:
                field = key
                entry[key] = _unquote(rest)
    return [e for e in entries if not e.get("obsolete")]


def _unquote(text: str) -> str:
    return text[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")


def _key(entry: dict) -> tuple[str, str]:
    return entry.get("msgctxt", ""), entry.get("msgid", "")


@pytest.fixture(scope="module")
def fresh_catalog(tmp_path_factory) -> Path:
    """makemessages run now over a copy of the code: run in the tree, it would write into
    the committed catalog (it puts strings in the nearest locale folder)."""
    if not shutil.which("xgettext"):
        pytest.fail("xgettext is missing: run `sh scripts/ensure-gettext.sh` (Debian gettext).")
    copy = tmp_path_factory.mktemp("tree")
    shutil.copytree(
        APP_DIR,
        copy / "alongside",
        ignore=shutil.ignore_patterns("locale", "tests", "__pycache__", "static", "*.mo"),
    )
    (copy / "alongside" / "locale").mkdir()
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "es", "--no-obsolete", "-v", "0"]
        + [f"--ignore={pattern}" for pattern in IGNORED],
        cwd=copy,
        check=True,
        env={**env, "PYTHONPATH": str(copy), "ALONGSIDE_VAR_DIR": str(copy / "var")},
        capture_output=True,
    )
    return copy / "alongside" / "locale" / "es" / "LC_MESSAGES" / "django.po"


def test_every_marked_string_is_in_the_committed_catalog(fresh_catalog):
    committed = {_key(e) for e in _po_entries(CATALOG)}
    missing = [
        e["msgid"]
        for e in _po_entries(fresh_catalog)
        if _key(e) not in committed and e.get("msgid")
    ]
    assert not missing, (
        f"{len(missing)} strings are not in {CATALOG.relative_to(ROOT)}; run "
        "`.venv/bin/python manage.py makemessages -l es` and translate them "
        f"(docs/translating.md). First ones: {missing[:10]}"
    )


def test_the_catalog_has_no_empty_or_fuzzy_translation():
    entries = _po_entries(CATALOG)
    assert len(entries) > 100
    empty = [e["msgid"] for e in entries if not all(e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert not empty, f"{len(empty)} untranslated strings, first ones: {empty[:10]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy strings (check, then drop the flag): {fuzzy[:10]}"


def test_the_catalog_keeps_every_placeholder():
    result = subprocess.run(
        ["msgfmt", "--check-format", "-o", "/dev/null", str(CATALOG)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    placeholder = re.compile(r"%\(\w+\)[sdif]|\{\w*\}")
    for entry in _po_entries(CATALOG):
        wanted = set(placeholder.findall(entry["msgid"]))
        if "msgid_plural" in entry:
            # A singular may say "once" where the plural says "%(n)s times".
            wanted |= set(placeholder.findall(entry["msgid_plural"]))
            for text in entry["msgstr"].values():
                assert set(placeholder.findall(text)) <= wanted, (entry["msgid"], text)
            continue
        assert set(placeholder.findall(entry["msgstr"][0])) == wanted, entry["msgid"]


# The template lint


class _VisibleText(HTMLParser):
    """Collects the text a reader sees: data outside script/style, and readable attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.hidden += 1
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value:
                self._keep(value)
        if tag == "input" and dict(attrs).get("type") in ("submit", "button", "reset"):
            self._keep(dict(attrs).get("value") or "")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self._keep(data)

    def _keep(self, text: str) -> None:
        for part in text.split(SLOT):
            part = " ".join(part.split())
            if part and not WORDLESS.match(part) and part.strip(" ·:-—|()") not in UNTRANSLATED_OK:
                self.found.append(part)


def untagged_text(source: str) -> list[str]:
    """The visible English of a template that is outside {% translate %}/{% blocktranslate %}."""
    pieces: list[str] = []
    skipping = None  # the end tag we are waiting for
    in_tag = False  # inside an HTML tag's < >, where a variable is part of a name or value
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if skipping:
                if name == skipping:
                    skipping = None
                continue
            if name in ("blocktranslate", "blocktrans", "comment", "verbatim"):
                skipping = "end" + name
            # A tag adds no text of its own (and may sit inside an HTML tag: <tr{% if %}>).
            pieces.append("")
        elif token.token_type == TokenType.TEXT and not skipping:
            pieces.append(token.contents)
            if "<" in token.contents or ">" in token.contents:
                in_tag = token.contents.rfind("<") > token.contents.rfind(">")
        elif not skipping:
            # <h{{ level }}>, title="{{ x }}": a stand-in digit keeps the tag a tag, wordless.
            pieces.append("0" if in_tag else SLOT)
    parser = _VisibleText()
    parser.feed("".join(pieces))
    parser.close()
    return parser.found


def _templates() -> list[Path]:
    return sorted(
        p
        for p in APP_DIR.glob("*/templates/**/*")
        if p.is_file() and p.suffix in (".html", ".txt")
    )


def test_the_lint_finds_untagged_text_and_ignores_tagged_text():
    source = (
        "{% load i18n %}<h1>{% translate 'Hello' %}</h1><p>Plain English</p>"
        "{% blocktranslate %}Tagged {{ x }}{% endblocktranslate %}{# a comment #}"
        '<img alt="A picture"><script>let a = "x";</script><p>{{ name }}: 3</p>'
        '{% comment %}Not shown{% endcomment %}<input type="submit" value="Go">'
        '<h{{ level }} id="x">{{ title }}</h{{ level }}>'
    )
    assert untagged_text(source) == ["Plain English", "A picture", "Go"]


def test_templates_show_no_untagged_text():
    found = {
        str(path.relative_to(ROOT)): text
        for path in _templates()
        if (text := untagged_text(path.read_text(encoding="utf-8")))
    }
    assert not found, "Wrap these in {% translate %} or {% blocktranslate %}:\n" + "\n".join(
        f"{name}: {texts}" for name, texts in found.items()
    )


# Spanish, served: the language follows the person


MO = CATALOG.with_suffix(".mo")


@pytest.fixture(scope="session")
def compiled():
    """The Spanish pages read the compiled catalog: `make messages` builds it; a test run
    started another way builds it here when it is missing or older than the .po."""
    if MO.exists() and MO.stat().st_mtime >= CATALOG.stat().st_mtime:
        return
    if not shutil.which("msgfmt"):
        pytest.fail("msgfmt is missing: run `sh scripts/ensure-gettext.sh`, then `make messages`.")
    partial = MO.with_name(f".django.{os.getpid()}.mo")
    subprocess.run(["msgfmt", "--check-format", "-o", partial, CATALOG], check=True)
    os.replace(partial, MO)  # atomic: a parallel worker never reads half a file


def test_a_participant_who_prefers_spanish_gets_the_portal_in_spanish(client, world, compiled):
    world.participant_user.preferred_language = "es"
    world.participant_user.save()
    client.force_login(world.participant_user)
    page = client.get(reverse("surveys:portal_list")).content.decode()
    assert '<html lang="es">' in page
    assert "Cerrar sesión" in page and "Sign out" not in page


def test_staff_see_english_unless_they_choose_otherwise(client, world, compiled):
    client.force_login(world.supporter)
    page = client.get(reverse("dashboard")).content.decode()
    assert '<html lang="en">' in page and "Sign out" in page


def test_staff_choose_spanish_in_the_footer_and_it_stays_with_them(client, world, compiled):
    client.force_login(world.supporter)
    page = client.get(reverse("dashboard")).content.decode()
    assert f'action="{reverse("language")}"' in page and 'value="es"' in page
    response = client.post(reverse("language"), {"language": "es", "next": "/dashboard/"})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    world.supporter.refresh_from_db()
    assert world.supporter.preferred_language == "es"
    client.cookies.clear()  # another device: the account remembers
    client.force_login(world.supporter)
    page = client.get(reverse("dashboard")).content.decode()
    assert '<html lang="es">' in page and "Cerrar sesión" in page


def test_a_participant_choosing_a_language_changes_their_details_too(client, world):
    client.force_login(world.participant_user)
    client.post(reverse("language"), {"language": "es", "next": "/portal/"})
    world.participant.refresh_from_db()
    assert world.participant.preferred_language == "es"


def test_anyone_signed_out_can_choose_spanish_with_a_cookie(client, world, compiled):
    url = reverse("referrals:public", kwargs={"slug": world.org.slug})
    response = client.post(reverse("language"), {"language": "es", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    assert client.get(url).content.decode().count('<html lang="es">') == 1


def test_the_language_choice_refuses_unknown_languages_and_foreign_pages(client, world):
    client.force_login(world.supporter)
    assert client.post(reverse("language"), {"language": "fr"}).status_code == 400
    assert client.get(reverse("language")).status_code == 405
    world.supporter.refresh_from_db()
    assert world.supporter.preferred_language == "en"
    response = client.post(
        reverse("language"), {"language": "es", "next": "https://elsewhere.example/"}
    )
    assert response["Location"] == "/"


def test_a_meeting_reminder_is_written_in_the_participants_language(world):
    from alongside.meetings.models import Meeting, MeetingStatus, Mode, PlaceType
    from alongside.meetings.reminders import reminder_text

    world.participant.preferred_language = "es"
    world.participant.save()
    meeting = Meeting.objects.create(
        engagement=world.engagement,
        starts_at=timezone.now() + datetime.timedelta(days=1),
        duration_minutes=60,
        planned_minutes=60,
        mode=Mode.IN_PERSON,
        place_type=PlaceType.COMMUNITY,
        status=MeetingStatus.PLANNED,
        created_by=world.supporter,
    )
    subject, body = reminder_text(meeting)
    assert subject.startswith("Recordatorio: reunión el")
    assert body.startswith("Le recordamos su reunión con Sunny")


# Instruments: a validated Spanish text where the definition has one, else English + a note


def test_an_instrument_with_a_spanish_version_is_shown_in_spanish(client, world, compiled):
    installed("exit-survey")
    world.supporter.preferred_language = "es"
    world.supporter.save()
    client.force_login(world.supporter)
    url = reverse("surveys:record_new", kwargs={"pk": world.engagement.pk, "slug": "exit-survey"})
    page = client.get(url).content.decode()
    assert "Encuesta de salida" in page
    assert "no tiene una versión validada en español" not in page


def test_an_instrument_without_a_spanish_version_stays_english_with_a_note(
    client, world, compiled
):
    installed("who-5")
    world.supporter.preferred_language = "es"
    world.supporter.save()
    client.force_login(world.supporter)
    url = reverse("surveys:record_new", kwargs={"pk": world.engagement.pk, "slug": "who-5"})
    page = client.get(url).content.decode()
    assert '<h1 lang="en">WHO-5 Well-Being Index</h1>' in page
    assert "no tiene una versión validada en español" in page
    world.supporter.preferred_language = "en"
    world.supporter.save()
    assert "validated Spanish" not in client.get(url).content.decode()


def test_a_notice_and_its_email_are_in_the_recipients_language(
    world, settings, compiled, django_capture_on_commit_callbacks
):
    from django.core import mail
    from django.utils.translation import gettext as _

    from alongside.notifications.services import notify

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world.supporter.preferred_language = "es"
    world.supporter.email = "sunny@example.org"
    world.supporter.save()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        notice = notify(
            user=world.supporter,
            organization=world.org,
            text=lambda: _("An urgent concern was raised. Please look at it today."),
        )
    assert notice.text == "Se presentó una inquietud urgente. Por favor revísela hoy."
    assert mail.outbox[0].body.startswith("Se presentó una inquietud urgente.")


def test_the_record_a_participant_takes_away_is_in_their_language(world, compiled):
    from alongside.core.permissions import engagements_visible_to
    from alongside.records.pdf import record_html

    world.participant.preferred_language = "es"
    world.participant.save()
    with translation.override("en"):  # the coordinator downloading it reads English
        html = record_html(world.participant, engagements_visible_to(world.coordinator, world.org))
    assert '<html lang="es">' in html and "Sobre mí" in html


# The Python lint: labels, help texts, verbose names, choices, refusals and messages


# Keyword arguments and calls whose text a person reads.
TEXT_KEYWORDS = {"label", "help_text", "verbose_name", "verbose_name_plural", "empty_label"}
REFUSALS = {"RuleViolation", "ValidationError", "StaleEdit", "PermissionDenied", "Http404"}
MESSAGE_LEVELS = {"debug", "info", "success", "warning", "error"}


def _plain_text(node) -> bool:
    """A literal string with a word in it (not _(...), which is a call)."""
    if isinstance(node, ast.JoinedStr):
        return True
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and (not WORDLESS.match(node.value) and node.value not in UNTRANSLATED_OK)
    )


def untagged_python(source: str) -> list[tuple[int, str]]:
    """Lines where user-facing text is a plain string instead of gettext's."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            found += [
                (node.lineno, k.arg)
                for k in node.keywords
                if k.arg in TEXT_KEYWORDS and _plain_text(k.value)
            ]
            if name in REFUSALS and node.args and _plain_text(node.args[0]):
                found.append((node.lineno, name))
            is_message = (
                name in MESSAGE_LEVELS
                and getattr(getattr(node.func, "value", None), "id", "") == "messages"
            )
            if is_message and len(node.args) > 1 and _plain_text(node.args[1]):
                found.append((node.lineno, "messages." + name))
        if isinstance(node, ast.ClassDef) and any(
            getattr(base, "attr", getattr(base, "id", "")) in ("TextChoices", "IntegerChoices")
            for base in node.bases
        ):
            for statement in node.body:
                value = getattr(statement, "value", None)
                pair = isinstance(value, ast.Tuple) and len(value.elts) == 2
                if pair and _plain_text(value.elts[1]):
                    found.append((statement.lineno, "choice"))
    return found


def test_the_python_lint_finds_plain_strings_only():
    source = (
        "class Kind(models.TextChoices):\n"
        "    A = 'a', _('Tagged')\n"
        "    B = 'b', 'Plain'\n"
        "    C = 'csv', 'CSV'\n"
        "f = forms.CharField(label='Plain', help_text=_('Tagged'))\n"
        "raise RuleViolation(f'Plain {x}')\n"
        "messages.success(request, _('Tagged'))\n"
        "messages.error(request, 'Plain')\n"
    )
    assert untagged_python(source) == [
        (3, "choice"),
        (5, "label"),
        (6, "RuleViolation"),
        (8, "messages.error"),
    ]


def test_python_code_shows_no_untagged_text():
    # The API's own refusals name capabilities for programmers and stay English; the
    # rules it enforces come from the services, translated.
    files = [
        p
        for p in APP_DIR.rglob("*.py")
        if not {"tests", "migrations", "api"} & set(p.relative_to(APP_DIR).parts)
        and p.name not in ("testing.py", "demo.py")
    ]
    found = {
        f"{p.relative_to(ROOT)}:{line}": what
        for p in files
        for line, what in untagged_python(p.read_text(encoding="utf-8"))
    }
    assert not found, f"Wrap these in gettext (_): {found}"
