"""The Chinese catalogue is complete, compiled, and holds every message of the source."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def test_catalogue_has_a_translation_for_every_message():
    po = polib.pofile(str(PO))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


def test_compiled_catalogue_matches_the_po_file():
    po = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0) for e in polib.pofile(str(PO)) if not e.obsolete}
    mo = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0) for e in polib.mofile(str(MO))}
    assert {k: v for k, v in po.items() if k} == {k: v for k, v in mo.items() if k}


@pytest.mark.skipif(not shutil.which("xgettext"), reason="needs GNU gettext; .ci/run installs it")
def test_catalogue_holds_every_message_of_the_source(tmp_path):
    copy = tmp_path / "tree"
    shutil.copytree(
        ROOT, copy, ignore=shutil.ignore_patterns(".venv", ".git", "staticfiles", "media", "*.sqlite3", "__pycache__")
    )
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-obsolete",
            "--ignore=tests",
            "--ignore=docs",
            "--ignore=staticfiles",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
        timeout=300,
    )
    fresh = {e.msgid for e in polib.pofile(str(copy / PO.relative_to(ROOT)))}
    committed = {e.msgid for e in polib.pofile(str(PO))}
    assert sorted(fresh - committed) == [], "run `make messages` and translate the new messages"


TRANSLATING = {"gettext", "ngettext", "pgettext", "npgettext", "gettext_lazy", "ngettext_lazy", "pgettext_lazy", "_"}


def translations_in_f_strings(source):
    """Lines with a message translated inside an f-string, which makemessages does not find: the
    message never reaches the catalogue and shows in English on Chinese pages."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.JoinedStr):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Call):
                    name = getattr(inner.func, "id", None) or getattr(inner.func, "attr", None)
                    if name in TRANSLATING:
                        found.add(inner.lineno)
    return sorted(found)


def test_no_message_is_translated_inside_an_f_string():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sorted(ROOT.rglob("*.py"))
        if not {".venv", "tests", "migrations", "node_modules"} & set(path.relative_to(ROOT).parts)
        for line in translations_in_f_strings(path.read_text())
    ]
    assert offenders == []


@pytest.mark.parametrize(
    "source",
    ["f\"<td>{gettext('No project matches.')}</td>\"", "f\"{_('Total')}: {n}\"", "f'{translation.ngettext(a, b, n)}'"],
)
def test_the_f_string_check_finds_what_it_names(source):
    assert translations_in_f_strings(source) == [1]


@pytest.mark.django_db
def test_pages_speak_the_chosen_language(client):
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    page = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in page
    assert "支持事项" in page
    assert "北京市科学技术委员会" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Support programmes" in client.get("/").content.decode()


def test_state_labels_are_translated_for_each_audience():
    from declarations.enums import APPLICANT_LABELS, DeclarationState

    with translation.override("zh-hans"):
        assert str(DeclarationState.RETURNED.label) == "退回修改"
        assert str(APPLICANT_LABELS[DeclarationState.PAID]) != "Funds paid"


@pytest.mark.django_db
def test_a_signed_in_users_language_choice_is_remembered_for_notices(client, applicant):
    client.force_login(applicant)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    applicant.refresh_from_db()
    assert applicant.language == "zh-hans"
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    applicant.refresh_from_db()
    assert applicant.language == "zh-hans"


@pytest.mark.django_db
def test_error_pages_use_the_site_layout(client, applicant, staff):
    not_found = client.get("/no-such-page/")
    assert not_found.status_code == 404
    assert "Page not found" in not_found.content.decode()
    assert 'id="language-switcher"' in not_found.content.decode()
    client.force_login(applicant)
    forbidden = client.get("/console/")
    assert forbidden.status_code == 403
    assert "Your role does not allow this page" in forbidden.content.decode()


def test_a_token_lifetime_reads_in_the_language_of_the_page_not_of_the_first_import():
    """api.forms' choices are translated when shown: a lazy string formatted with % at import is
    translated then, in whatever language was active, and kept for every reader."""
    from django.utils import translation

    from api.forms import TokenForm

    with translation.override("zh-hans"):
        chinese = [str(label) for _days, label in TokenForm().fields["days"].choices]
    with translation.override("en"):
        english = [str(label) for _days, label in TokenForm().fields["days"].choices]
    assert all("天" in label for label in chinese)
    assert all("day" in label and "天" not in label for label in english)
