"""Text the system writes is stored as a message key with parameters and read in the reader's
language (issue 17): every notice and history note renders in Chinese and in English with no text of
the other language, old rows are recognised, and e-mail goes out in the recipient's language."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy

from common.messages import (
    DATE,
    DATETIME,
    LIST,
    MESSAGE,
    MESSAGES,
    MONEY,
    PARAGRAPHS,
    TITLE,
    Choice,
    Definition,
    literal,
    message,
    message_from_text,
    render,
    title,
)
from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.workflow import declaration_transition
from notices.models import Notice
from notices.services import notice_create, notice_deliver
from review.models import CreditList, CreditRecord
from tests.factories import DeclarationFactory
from tests.migrating import migrate_to

# A sample of each kind of parameter: codes and numbers only where free text or a proper name could
# be, since those are shown as typed, in whatever language they were typed.
SAMPLES = {
    "text": "2026-0001",
    DATE: datetime.date(2026, 12, 9),
    DATETIME: datetime.datetime(2026, 12, 9, 9, 30, tzinfo=datetime.UTC),
    MONEY: Decimal("1600000.00"),
    LIST: ["2026-0001", "2026-0002"],
    TITLE: title("二〇二六年度科技金融专项资金申报通知", "2026 call for technology-finance support funds"),
}

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
EMAIL = re.compile(r"\S+@\S+")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def other_language(text, language):
    """The pieces of `text` in the other language than `language`: CJK characters in English; in
    Chinese, Latin words other than e-mail addresses (codes and numbers have no two-letter word)."""
    if language == "en":
        return CJK.findall(text)
    return LATIN_WORD.findall(EMAIL.sub("", text))


def _choices(kind):
    choices = import_string(kind.path)
    return list(choices) if isinstance(choices, dict) else [member.value for member in choices]


def renderings(key):
    """`key`'s message with sample parameters, once per value of each choice parameter."""
    definition = MESSAGES[key]
    params = {}
    choices = {}
    for name in re.findall(r"%\((\w+)\)", str(definition.text)):
        kind = definition.params.get(name, "text")
        if isinstance(kind, Choice):
            choices[name] = _choices(kind)
        elif kind == MESSAGE:
            params[name] = message("declaration.number", number="2026-0001")
        elif kind == PARAGRAPHS:
            params[name] = [message("declaration.number", number="2026-0001"), literal("2026")]
        else:
            params[name] = SAMPLES.get(kind, SAMPLES["text"])
    # Each value of each choice, the other choices at their first.
    first = {name: values[0] for name, values in choices.items()}
    variants = [first | {name: value} for name, values in choices.items() for value in values] or [{}]
    return [message(key, **params, **variant) for variant in variants]


def mixed_language(keys):
    """(key, language, rendering, pieces of the other language) of every message of `keys` that has any."""
    found = []
    for key in keys:
        for rendered in renderings(key):
            for language in ("zh-hans", "en"):
                text = rendered.in_language(language)
                pieces = other_language(text, language)
                if pieces:
                    found.append((key, language, text, pieces))
    return found


def test_every_notice_and_history_note_reads_in_one_language_in_chinese_and_in_english():
    assert mixed_language(MESSAGES) == []


def test_the_check_finds_a_planted_untranslated_message_and_chinese_in_english(monkeypatch):
    monkeypatch.setitem(MESSAGES, "planted.untranslated", Definition(gettext_lazy("A sentence nobody translated.")))
    monkeypatch.setitem(MESSAGES, "planted.chinese", Definition("%(call)s拟支持项目名单"))

    found = mixed_language(["planted.untranslated", "planted.chinese"])

    assert [(key, language) for key, language, _text, _pieces in found] == [
        ("planted.untranslated", "zh-hans"),
        ("planted.chinese", "en"),
    ]


def test_a_message_renders_dates_amounts_lists_and_states_by_the_locale():
    note = message(
        "recovery.opened", number="R-1", amount=Decimal("1234567.5"), due=datetime.date(2026, 12, 9), reason="伪造凭证"
    )
    state = message("declaration.state.body", title="光子芯片", programme="ART6", state=S.PAID)

    assert note.in_language("en") == "Recovery case R-1: 1,234,567.50 yuan to be repaid by Dec. 9, 2026. 伪造凭证"
    assert "2026年12月9日" in note.in_language("zh-hans") and "1,234,567.50" in note.in_language("zh-hans")
    assert state.in_language("en") == "The state of your declaration “光子芯片” (ART6) is now: Funds paid."
    assert "资金已拨付" in state.in_language("zh-hans")


def test_free_text_typed_by_a_person_is_kept_as_typed_even_when_it_looks_like_a_stored_message(applicant):
    declaration = DeclarationFactory(organisation=applicant.organisation, created_by=applicant)
    typed = '{"msg": "publicity.ended", "params": {}}'
    notice = notice_create(recipient=applicant, subject="Payment PAY-1", body=typed, declaration=declaration)

    notice = Notice.objects.get(pk=notice.pk)

    assert (notice.subject, str(notice.body)) == ("Payment PAY-1", typed)


@pytest.mark.django_db
def test_the_admin_keeps_a_stored_message_posted_back_unchanged_and_stores_text_typed_over_it(client, administrator):
    """The admin's form shows a message as its text in the editor's language: saved unchanged (the
    text area's line ends and blanks as a browser posts them), it stays a message, read in each
    reader's language; changed, the text typed is stored."""
    source = message("recovery.dishonesty_source", number="ZGC-2026-ART6-0001-R1")
    record = CreditRecord.objects.create(
        credit_code="91110108MA00000001",
        list=CreditList.RESEARCH_DISHONESTY,
        starts_on=datetime.date(2026, 5, 1),
        source=source,
    )
    client.force_login(administrator)
    url = reverse("admin:review_creditrecord_change", args=[record.pk])
    shown = client.get(url, headers={"accept-language": "en"}).context["adminform"].form["source"].value()

    def post(text):
        fields = {"credit_code": record.credit_code, "name": "", "list": record.list, "starts_on": "2026-05-01"}
        response = client.post(url, {**fields, "ends_on": "", "source": text}, headers={"accept-language": "en"})
        assert response.status_code == 302
        return CreditRecord.objects.get(pk=record.pk).source

    unchanged = post(str(shown).replace(": ", ":\r\n ", 1) + "\r\n")
    assert unchanged == source
    assert unchanged.in_language("zh-hans") == source.in_language("zh-hans") != source.in_language("en")
    assert post("Credit China 2026-17") == "Credit China 2026-17"
    assert CreditRecord.objects.filter(pk=record.pk, source="Credit China 2026-17").exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Payment PAY-7", message("disbursement.payment.first", reference="PAY-7")),
        (
            "Publicity ended on 2026-10-12 without an upheld objection.",
            message("publicity.ended", end=datetime.date(2026, 10, 12)),
        ),
        ("请补充付款凭证。", literal("请补充付款凭证。")),
    ],
)
def test_old_english_text_is_recognised_as_its_message_and_other_text_kept(text, expected):
    assert message_from_text(text) == expected


def test_old_chinese_text_is_recognised_as_its_message():
    with translation.override("zh-hans"):
        chinese = str(MESSAGES["publicity.ended"].text) % {"end": "2026-10-12"}

    assert message_from_text(chinese) == message("publicity.ended", end=datetime.date(2026, 10, 12))


# --- the data migrations ------------------------------------------------------------------------------

BEFORE = [("notices", "0002_notices_as_messages"), ("declarations", "0016_call_title_in_two_languages")]
AFTER = [("notices", "0003_notices_to_message_keys"), ("declarations", "0017_event_notes_to_message_keys")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_old_notices_and_notes_in_either_language_become_messages_and_typed_text_stays(
    applicant, staff, every_migration_applied_after
):
    from declarations.models import DeclarationEvent

    declaration = DeclarationFactory(organisation=applicant.organisation, created_by=applicant)
    with translation.override("zh-hans"):
        chinese_subject = str(MESSAGES["declaration.state.subject"].text) % {"title": "光子芯片", "state": "资金已拨付"}
    migrate_to(BEFORE)
    try:
        english = Notice.objects.create(
            recipient=applicant,
            subject="Declaration “光子芯片”: Funds paid",
            body="Declaration number: ZGC-1\n\nComments: Payment PAY-9\n\nA paragraph typed by hand.",
        )
        chinese = Notice.objects.create(recipient=applicant, subject=chinese_subject, body="手写的内容")
        paid = DeclarationEvent.objects.create(
            declaration=declaration, action=A.START_DISBURSEMENT, from_state=S.CONFIRMED, to_state=S.DISBURSING,
            note="Payment PAY-9", created_at=timezone.now(),
        )  # fmt: skip
        typed = DeclarationEvent.objects.create(
            declaration=declaration, action=A.RETURN, from_state=S.SUBMITTED, to_state=S.RETURNED,
            note="请补充付款凭证。", created_at=timezone.now(),
        )  # fmt: skip
    finally:
        migrate_to(AFTER)

    english, chinese = Notice.objects.get(pk=english.pk), Notice.objects.get(pk=chinese.pk)
    paid, typed = DeclarationEvent.objects.get(pk=paid.pk), DeclarationEvent.objects.get(pk=typed.pk)
    assert english.subject == chinese.subject == message("declaration.state.subject", title="光子芯片", state=S.PAID)
    assert english.body.in_language("en") == (
        "Declaration number: ZGC-1\n\nComments: Payment PAY-9\n\nA paragraph typed by hand."
    )
    assert "ZGC-1" in english.body.in_language("zh-hans") and "Declaration number" not in english.body.in_language(
        "zh-hans"
    )
    assert chinese.body == "手写的内容"
    assert paid.note == message("disbursement.payment.first", reference="PAY-9")
    assert typed.note == "请补充付款凭证。"


# --- delivery in the recipient's language -------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "active"), [("en", "zh-hans"), ("zh-hans", "en")])
def test_a_notice_is_emailed_in_its_recipients_language_whatever_language_is_active(applicant, language, active):
    applicant.language = language
    applicant.save(update_fields=["language"])
    subject = message("calendar.gap.subject", year=2027)
    with translation.override(active):
        notice = notice_create(recipient=applicant, subject=subject, body=message("recovery.due", date="2026-12-09"))
        assert notice_deliver(notice_id=notice.pk) is True

    (email,) = mail.outbox
    assert (email.subject, email.body) == (subject.in_language(language), notice.body.in_language(language))
    assert not other_language(email.subject + email.body, language)


# --- staff are told what needs them ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_submission_notifies_the_staff_who_accept_declarations_and_nobody_else(
    applicant, staff, reviewer, finance, administrator
):
    declaration = DeclarationFactory(organisation=applicant.organisation, created_by=applicant)

    declaration_transition(declaration_id=declaration.pk, action=A.SUBMIT, actor=applicant)

    notices = Notice.objects.filter(declaration=declaration).exclude(recipient=applicant)
    assert [notice.recipient for notice in notices] == [staff]
    assert notices.get().subject == message("declaration.submitted.subject", number=str(declaration))


# The Art. 17 findings, the notes naming them and the default indicators, written as text before.

RECHECK_BEFORE = [
    ("declarations", "0017_event_notes_to_message_keys"),
    ("review", "0011_notes_and_sources_as_messages"),
    ("monitoring", "0003_indicator_names_as_messages"),
    ("disbursement", "0008_event_notes_to_message_keys"),
    ("notices", "0003_notices_to_message_keys"),
]
RECHECK_AFTER = [
    ("declarations", "0018_recheck_notes_to_message_keys"),
    ("review", "0012_recheck_notes_to_message_keys"),
    ("monitoring", "0004_default_indicators_to_message_keys"),
    ("disbursement", "0009_recheck_findings_to_message_keys"),
    ("notices", "0004_recheck_notes_to_message_keys"),
]
# As review.recheck wrote them: English short dates 2026-05-16, Chinese 2026/05/16; a source typed
# with a semicolon, and one the system wrote (a profile's move out of Beijing).
ENGLISH_DISQUALIFICATION = (
    "Disqualified under Art. 17: On a credit list: Untrustworthy person subject to enforcement, 2026-05-16 to "
    "no end date, source: Credit China ref. 7; Registration status: Registration cancelled, effective "
    "2026-06-14, source: AMR; notice 5."
)
CHINESE_STOP = (
    "经拨付前第十七条复核，停止支持：登记状态：注册地迁出北京市，自2026/06/14起生效，"
    "来源：单位信息：注册所在区由海淀区变更为北京市外。"
)
CHINESE_FINDING = "列入信用名单：严重违法失信企业，2026/05/16至2026/06/15，来源：信用中国"


def _reads_in_each_language_only(value):
    return {language: other_language(value.in_language(language), language) for language in ("zh-hans", "en")}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_old_recheck_notes_findings_and_default_indicators_in_either_language_become_messages(
    applicant, staff, every_migration_applied_after
):
    from declarations.models import DeclarationEvent
    from disbursement.models import Recheck
    from monitoring.models import PerformanceIndicator
    from monitoring.performance_defaults import INDICATOR_NAMES
    from review.models import AcceptanceCheck, UnitStatus, UnitStatusRecord

    declaration = DeclarationFactory(organisation=applicant.organisation, created_by=applicant)
    with translation.override("zh-hans"):
        chinese_revenue = str(INDICATOR_NAMES["revenue_growth"])
    migrate_to(RECHECK_BEFORE)
    try:
        disqualified = DeclarationEvent.objects.create(
            declaration=declaration, action=A.DISQUALIFY, from_state=S.ACCEPTED, to_state=S.DISQUALIFIED,
            note=ENGLISH_DISQUALIFICATION, created_at=timezone.now(),
        )  # fmt: skip
        stopped = DeclarationEvent.objects.create(
            declaration=declaration, action=A.STOP, from_state=S.CONFIRMED, to_state=S.STOPPED,
            note=CHINESE_STOP, created_at=timezone.now(),
        )  # fmt: skip
        typed = DeclarationEvent.objects.create(
            declaration=declaration, action=A.STOP, from_state=S.CONFIRMED, to_state=S.STOPPED,
            note="经核实，单位已注销。", created_at=timezone.now(),
        )  # fmt: skip
        check = AcceptanceCheck.objects.create(
            declaration=declaration, outcome="disqualified", note=ENGLISH_DISQUALIFICATION, checked_by=staff
        )
        recheck = Recheck.objects.create(
            declaration=declaration, checked_at=timezone.now(), checked_by=staff, passed=False,
            findings=[{"cause": "credit", "text": CHINESE_FINDING}],
        )  # fmt: skip
        moved = UnitStatusRecord.objects.create(
            credit_code=applicant.organisation.credit_code, status=UnitStatus.MOVED_OUT,
            effective_on=datetime.date(2026, 6, 14), recorded_by=applicant,
            source="Organisation profile: registered district changed from Haidian District to Outside Beijing",
        )  # fmt: skip
        indicators = [
            PerformanceIndicator.objects.create(
                declaration=declaration, position=position, name=name, unit=unit, baseline=0, target=1
            )
            for position, (name, unit) in enumerate(
                [("Revenue growth", "%"), (chinese_revenue, "万元"), ("自定义指标", "家")]
            )
        ]
        notice = Notice.objects.create(
            recipient=applicant,
            subject="Declaration “光子芯片”: Disqualified",
            body=message(
                "paragraphs",
                paragraphs=[
                    message("declaration.number", number="ZGC-1"),
                    message("declaration.comments", note=literal(ENGLISH_DISQUALIFICATION)),
                ],
            ),
        )
    finally:
        migrate_to(RECHECK_AFTER)

    disqualified, stopped = (
        DeclarationEvent.objects.get(pk=disqualified.pk),
        DeclarationEvent.objects.get(pk=stopped.pk),
    )
    assert disqualified.note.key == "review.recheck.disqualified"
    assert disqualified.note.in_language("en") == (
        "Disqualified under Art. 17: On a credit list: Untrustworthy person subject to enforcement, May 16, 2026 to "
        "no end date, source: Credit China ref. 7; Registration status: Registration cancelled, effective "
        "June 14, 2026, source: AMR; notice 5."
    )
    assert disqualified.note.in_language("zh-hans").startswith("依据第十七条取消申报资格：列入信用名单：失信被执行人，")
    assert stopped.note.key == "review.recheck.stopped"
    assert _reads_in_each_language_only(stopped.note) == {"zh-hans": [], "en": []}
    assert "Organisation profile: registered district changed from Haidian District" in stopped.note.in_language("en")
    assert DeclarationEvent.objects.get(pk=typed.pk).note == "经核实，单位已注销。"
    assert AcceptanceCheck.objects.get(pk=check.pk).note == disqualified.note
    (finding,) = Recheck.objects.get(pk=recheck.pk).finding_messages
    assert finding.in_language("en") == (
        "On a credit list: Seriously illegal and untrustworthy enterprise, May 16, 2026 to June 15, 2026, "
        "source: 信用中国"
    )
    assert UnitStatusRecord.objects.get(pk=moved.pk).source == message(
        "review.status_source.profile", before="haidian", after="outside_beijing"
    )
    names = [PerformanceIndicator.objects.get(pk=indicator.pk) for indicator in indicators]
    assert [(render(i.name, "zh-hans"), render(i.unit, "en")) for i in names] == [
        ("营业收入增长率", "%"),
        ("营业收入增长率", "10,000 yuan"),
        ("自定义指标", "enterprises"),
    ]
    assert names[0].name.in_language("en") == names[1].name.in_language("en") == "Revenue growth"
    assert names[2].name == "自定义指标"
    body = Notice.objects.get(pk=notice.pk).body
    assert "第十七条" in body.in_language("zh-hans") and "Disqualified" not in body.in_language("zh-hans")
