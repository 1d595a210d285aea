from django.db import migrations

from common.messages import message_from_text, rows_rewritten, texts_to_messages

FINDINGS = ["review.recheck.credit", "review.recheck.status"]


def _findings(name, findings):
    """A re-check's findings kept as text ({"cause", "text"}) as messages, where they read as one."""
    if not isinstance(findings, list) or not any(isinstance(f, dict) and "text" in f for f in findings):
        return None
    rewritten = []
    for finding in findings:
        recognised = message_from_text(finding.get("text", ""), FINDINGS) if "text" in finding else None
        if recognised is None or not recognised.key:
            rewritten.append(finding)
        else:
            rewritten.append({"cause": finding.get("cause", ""), "message": recognised.as_json()})
    return rewritten if rewritten != findings else None


def forwards(apps, schema_editor):
    rows_rewritten(apps.get_model("disbursement", "Recheck"), schema_editor, ["findings"], _findings)
    texts_to_messages(
        apps.get_model("disbursement", "PaymentOrderEvent"),
        schema_editor,
        {"note": "message"},
        ["review.recheck.stopped"],
    )


class Migration(migrations.Migration):
    """A re-check's findings, and the note of orders cancelled when support stopped after it,
    written in the language active then, become message keys with parameters, read in the reader's
    language; text that matches nothing stays as it is. Reversible as a no-op."""

    dependencies = [("disbursement", "0008_event_notes_to_message_keys")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
