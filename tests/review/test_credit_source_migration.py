"""review 0013: the source of a credit record that a recovery's finding of dishonesty listed was
written in the site's language (Chinese); it becomes the message recovery.dishonesty_source, read in
each reader's language. A source typed or imported stays as it was."""

import datetime

import pytest
from django.utils import translation

from review.models import CreditList, CreditRecord
from tests.migrating import migrate_to

BEFORE = [("review", "0012_recheck_notes_to_message_keys")]
AFTER = [("review", "0013_credit_record_source_as_message")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_recovery_s_chinese_source_becomes_a_message_and_a_typed_source_stays(every_migration_applied_after):
    old = migrate_to(BEFORE).get_model("review", "CreditRecord")
    values = {"list": CreditList.RESEARCH_DISHONESTY, "starts_on": datetime.date(2026, 5, 1), "name": "某公司"}
    with translation.override("zh-hans"):
        written = translation.gettext("Recovery case %(number)s: dishonesty found by the commission (Art. 22)") % {
            "number": "ZGC-2026-ART6-0001-R1"
        }
    recovery = old.objects.create(credit_code="91110108MA00000001", source=written, **values)
    typed = old.objects.create(credit_code="91110108MA00000002", source="信用中国 2026-17", **values)
    migrate_to(AFTER)

    recovery, typed = CreditRecord.objects.get(pk=recovery.pk), CreditRecord.objects.get(pk=typed.pk)
    with translation.override("en"):
        assert str(recovery.source) == (
            "Recovery case ZGC-2026-ART6-0001-R1: dishonesty found by the commission (Art. 22)"
        )
        assert str(typed.source) == "信用中国 2026-17"
    with translation.override("zh-hans"):
        assert str(recovery.source) == written
