"""Quote awards from the command line: a JSON array of cases in, a JSON array of results out.

    python manage.py quote_award cases.json
    echo '[{"programme": "ART6", "facts": {...}, "history": {...}}]' | python manage.py quote_award

Numbers are read as decimals (never binary floats), amounts are written as strings. A case that
cannot be computed gets {"error": "..."} in its place while the others are still computed.
"""

import json
import sys
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from declarations.awards import FactsInvalid, ProgrammeUnknown, assess_raw


def quote(case):
    """The result of one case, or {"error": ...} naming what is wrong with it."""
    if not isinstance(case, dict):
        return {"error": "a case must be an object with programme, facts and history"}
    programme = case.get("programme")
    facts, history = case.get("facts") or {}, case.get("history") or {}
    if not isinstance(programme, str):
        return {"error": "programme: missing; give a code such as ART6"}
    if not isinstance(facts, dict):
        return {"programme": programme, "error": "facts: must be an object"}
    if not isinstance(history, dict):
        return {"programme": programme, "error": "history: must be an object"}
    try:
        return assess_raw(programme, facts, history).as_json()
    except ProgrammeUnknown as unknown:
        return {"programme": programme, "error": str(unknown)}
    except FactsInvalid as invalid:
        return {"programme": programme, "error": str(invalid)}


class Command(BaseCommand):
    help = "Compute awards for a JSON array of cases read from a file or standard input."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="a JSON file of cases; standard input without it")
        parser.add_argument("--language", default="en", help="language of reasons and steps (en or zh-hans)")

    def handle(self, *args, file=None, language="en", **options):
        try:
            text = open(file, encoding="utf-8").read() if file else sys.stdin.read()  # noqa: SIM115 - read at once
        except OSError as problem:
            raise CommandError(f"cannot read {file}: {problem.strerror}", returncode=2) from None
        try:
            cases = json.loads(text, parse_float=Decimal)
        except ValueError as problem:
            raise CommandError(f"the input is not JSON: {problem}", returncode=2) from None
        if not isinstance(cases, list):
            raise CommandError("the input must be a JSON array of cases", returncode=2)
        with translation.override(language):
            results = [quote(case) for case in cases]
        # Chinese and "×" as they are where the terminal takes UTF-8, escaped (still JSON) elsewhere.
        utf8 = (getattr(sys.stdout, "encoding", "") or "").lower().replace("-", "") == "utf8"
        self.stdout.write(json.dumps(results, ensure_ascii=not utf8, indent=2))
