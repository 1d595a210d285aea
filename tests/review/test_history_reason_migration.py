"""review 0014 and monitoring 0006: the change reasons the services wrote into the histories, in the
language active then ("Meeting recorded" or 已记录评审会, a withdrawal naming the member) or as an
action's code ("submit"), become messages read in each reader's language. A reason staff typed
stays as typed."""

import datetime

import pytest
from django.utils import timezone, translation

from common.messages import from_db, message, to_db
from tests.migrating import migrate_to

BEFORE = [("review", "0013_credit_record_source_as_message"), ("monitoring", "0005_statistics_snapshot")]
AFTER = [
    ("review", "0014_history_change_reasons_as_messages"),
    ("monitoring", "0006_history_change_reasons_as_messages"),
]


def _in_chinese(text, **params):
    with translation.override("zh-hans"):
        return translation.gettext(text) % params


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_old_reasons_in_either_language_and_action_codes_become_messages_and_a_typed_reason_stays(
    every_migration_applied_after,
):
    old = migrate_to(BEFORE)
    meeting = old.get_model("review", "HistoricalEvaluationMeeting")
    withdrawal = old.get_model("review", "HistoricalMeetingWithdrawal")
    report = old.get_model("monitoring", "HistoricalPerformanceReport")
    inspection = old.get_model("monitoring", "HistoricalInspection")
    now, held_on = timezone.now(), datetime.date(2026, 6, 1)

    def meeting_row(reason):
        return meeting.objects.create(
            id=1, held_on=held_on, history_date=now, history_type="~", history_change_reason=reason
        ).pk

    chinese_note = _in_chinese("Withdrawal: %(withdrawal)s", withdrawal="张三，ZGC-2026-ART6-0001")
    chinese_removal = _in_chinese("Withdrawal removed: %(withdrawal)s", withdrawal="张三，整个会议") + " (选错了人)"
    rows = {
        "english": meeting_row("Meeting recorded"),
        "chinese": meeting_row(_in_chinese("Meeting recorded")),
        "chinese note": meeting_row(chinese_note),
        "english removal": meeting_row("Withdrawal removed: Zhang San, the whole meeting (Wrong member.)"),
        "chinese removal": meeting_row(chinese_removal),
    }
    typed = withdrawal.objects.create(
        id=1, reason="顾问", history_date=now, history_type="-", history_change_reason="选错了人"
    ).pk
    submitted = report.objects.create(
        id=1, kind="final", due_on=held_on, history_date=now, history_type="~", history_change_reason="submit"
    ).pk
    recorded = inspection.objects.create(
        id=1,
        kind="audit",
        held_on=held_on,
        findings="账目不清",
        history_date=now,
        history_type="+",
        history_change_reason="record",
    ).pk
    new = migrate_to(AFTER)

    def reason(model, pk):
        return new.get_model(*model.split(".")).objects.get(pk=pk).history_change_reason

    meetings = {name: reason("review.HistoricalEvaluationMeeting", pk) for name, pk in rows.items()}
    # As a MessageField stores a message (compared as stored: a str equals a Message that reads as it).
    assert meetings["english"] == meetings["chinese"] == to_db(message("review.meeting.recorded"))
    assert meetings["chinese note"] == to_db(
        message(
            "review.withdrawal.note",
            withdrawal=message("review.withdrawal.declaration", name="张三", declaration="ZGC-2026-ART6-0001"),
        )
    )
    assert meetings["english removal"] == to_db(
        message(
            "review.withdrawal.removed",
            withdrawal=message("review.withdrawal.whole_meeting", name="Zhang San"),
            reason="Wrong member.",
        )
    )
    assert meetings["chinese removal"] == to_db(
        message(
            "review.withdrawal.removed",
            withdrawal=message("review.withdrawal.whole_meeting", name="张三"),
            reason="选错了人",
        )
    )
    assert reason("review.HistoricalMeetingWithdrawal", typed) == "选错了人"
    assert reason("monitoring.HistoricalPerformanceReport", submitted) == to_db(
        message("monitoring.report.action", action="submit")
    )
    assert reason("monitoring.HistoricalInspection", recorded) == to_db(
        message("monitoring.inspection.action", action="record")
    )
    meetings = {name: from_db(stored) for name, stored in meetings.items()}
    with translation.override("en"):
        assert [str(meetings[name]) for name in ("chinese", "chinese note", "chinese removal")] == [
            "Meeting recorded",
            "Withdrawal: 张三, ZGC-2026-ART6-0001",
            "Withdrawal removed: 张三, the whole meeting (选错了人)",
        ]
        assert (
            str(from_db(reason("monitoring.HistoricalPerformanceReport", submitted))) == "Action on the report: Submit"
        )
    with translation.override("zh-hans"):
        assert str(meetings["english"]) == _in_chinese("Meeting recorded") == "已记录评审会"
        assert str(meetings["chinese removal"]) == "删除回避记录：张三，整个会议（选错了人）"
        assert str(from_db(reason("monitoring.HistoricalInspection", recorded))) == "监督检查操作：记录"
