"""install_instruments: installs every definition file once, refuses a silent change."""

from __future__ import annotations

import json
import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from alongside.audit.models import AuditEvent
from alongside.surveys.definitions import DEFINITIONS_DIR, DefinitionError
from alongside.surveys.models import Immutable, Instrument, InstrumentVersion
from alongside.surveys.services import instruments_install

pytestmark = pytest.mark.django_db


def test_it_installs_the_shipped_instruments_and_running_again_changes_nothing():
    out = StringIO()
    call_command("install_instruments", stdout=out)
    assert "instrument versions installed" in out.getvalue()
    who5 = Instrument.objects.get(slug="who-5")
    assert who5.title == "WHO-5 Well-Being Index"
    assert who5.current.number == 1 and who5.in_use
    assert Instrument.objects.get(slug="barc-10").current.definition["scoring"]["range"] == [
        10,
        60,
    ]
    count = InstrumentVersion.objects.count()

    again = StringIO()
    call_command("install_instruments", stdout=again)
    assert again.getvalue().startswith("0 instrument versions installed (none)")
    assert InstrumentVersion.objects.count() == count
    assert AuditEvent.objects.filter(action="instrument.installed").count() == count


def _folder(tmp_path):
    folder = tmp_path / "definitions"
    folder.mkdir()
    shutil.copy(DEFINITIONS_DIR / "who-5.v1.json", folder)
    return folder


def test_a_new_version_file_becomes_the_current_version(tmp_path):
    folder = _folder(tmp_path)
    instruments_install(directory=folder)
    definition = json.loads((folder / "who-5.v1.json").read_text())
    definition["version"] = 2
    definition["title"]["en"] = "WHO-5 (revised)"
    (folder / "who-5.v2.json").write_text(json.dumps(definition))

    summary = instruments_install(directory=folder)

    assert summary.installed == ["who-5 v2"] and summary.unchanged == ["who-5 v1"]
    who5 = Instrument.objects.get(slug="who-5")
    assert who5.current.number == 2 and who5.title == "WHO-5 (revised)"


def test_a_changed_file_with_the_same_version_is_refused_and_nothing_installed(tmp_path):
    folder = _folder(tmp_path)
    instruments_install(directory=folder)
    path = folder / "who-5.v1.json"
    definition = json.loads(path.read_text())
    definition["items"][0]["text"]["en"] = "I have felt cheerful"
    path.write_text(json.dumps(definition))
    shutil.copy(DEFINITIONS_DIR / "barc-10.v1.json", folder)

    with pytest.raises(DefinitionError, match="installed already with different content"):
        instruments_install(directory=folder)
    with pytest.raises(CommandError, match=r"who-5\.v2\.json"):
        call_command("install_instruments", directory=str(folder))

    assert not Instrument.objects.filter(slug="barc-10").exists()
    assert InstrumentVersion.objects.get().definition["items"][0]["text"]["en"] == (
        "I have felt cheerful and in good spirits"
    )


def test_an_invalid_file_stops_the_command_with_its_name(tmp_path):
    folder = _folder(tmp_path)
    (folder / "oops.v1.json").write_text("{}")
    with pytest.raises(CommandError, match=r"oops\.v1\.json is not a valid instrument definition"):
        call_command("install_instruments", directory=str(folder))
    assert not InstrumentVersion.objects.exists()


def test_an_installed_version_never_changes_but_may_be_retired():
    instruments_install()
    version = InstrumentVersion.objects.get(instrument__slug="who-5")
    version.definition = {}
    with pytest.raises(Immutable):
        version.save()
    with pytest.raises(Immutable):
        version.delete()
    version.refresh_from_db()
    version.retired = True
    version.save(update_fields=["retired"])
    assert InstrumentVersion.objects.get(pk=version.pk).retired
