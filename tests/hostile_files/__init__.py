"""The hostile evidence corpus (build.py writes it): files every upload form must refuse."""

import json
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"


def hostile_files():
    """(id, name as uploaded, bytes, part of the message it is refused with) for every file."""
    manifest = json.loads((CORPUS / "manifest.json").read_text())
    return [
        (case_id, case["name"], (CORPUS / f"{case_id}.bin").read_bytes(), case["refused_with"])
        for case_id, case in manifest.items()
    ]
