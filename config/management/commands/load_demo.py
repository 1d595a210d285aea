"""Demo data for the embedded default: users, an open call, the year's budgets and declarations in
every state.

Every declaration is walked to its state through the real services (config.demo), so its audit
trail, notices, reviews, publicity and payments are what users would have produced. Running the
command again changes nothing that exists.
"""

import datetime
from decimal import Decimal

from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone, translation
from stdnum.cn import uscc

from accounts.enums import Role
from accounts.models import User
from accounts.rules import is_staff_side
from accounts.selectors import has_authenticator_app
from config.demo import (
    DEMO_TOTP_SECRET,
    DEMO_TOTP_URL,
    PATHS,
    Cast,
    backdate_batch,
    batch_running_today,
    demo_bank_account,
    demo_opening_day,
    walk_to,
)
from config.demo_performance import load_performance_demo
from config.demo_statistics import date_demo_history
from declarations.enums import DeclarationState as S
from declarations.models import Call, Declaration, Organisation, Programme
from declarations.services import award_caps_recompute
from declarations.workflow import DISBURSEMENT_STATES, IN_PUBLICITY_STATES
from disbursement.recovery import recovery_case_open, recovery_case_refer, repayment_record
from disbursement.services import OrderBlocked, order_approve, order_prepare
from publicity.services import objection_handle, objection_raise, publicity_batch_close, publicity_batch_open
from review.acceptance import checklist_for
from review.budgets import budget_set
from review.double_funding import double_funding_check
from review.models import Budget, CreditList, CreditRecord, FundingRecord, UnitStatus, UnitStatusRecord
from review.services import declaration_accept
from review.unit_status import unit_status_record

# The demo's users and their roles, in the order the logins are printed.
USERS = [
    ("applicant1", Role.APPLICANT),
    ("applicant2", Role.APPLICANT),
    ("applicant3", Role.APPLICANT),
    ("staff", Role.STAFF),
    ("reviewer1", Role.REVIEWER),
    ("reviewer2", Role.REVIEWER),
    ("finance", Role.FINANCE),
    ("finance2", Role.FINANCE),
    ("admin", Role.ADMIN),
]
DEFAULT_ADDRESS = "http://127.0.0.1:8000/"
PASSWORD = "demo-pass-2026"  # nosec B105 # the demo users' published password, for the demo data only


def _code(body):
    return body + uscc.calc_check_digit(body)


ORGANISATIONS = {
    "applicant1": {
        "name": "中关村硬科技创业投资有限公司",
        "credit_code": _code("91110108MA01HT8K0"),
        "organisation_type": "investment_institution",
        "district": "haidian",
        "registered_capital": Decimal("100000000.00"),
        "established_on": datetime.date(2016, 4, 18),
        "annual_revenue": Decimal("35000000.00"),
        "legal_representative": "王磊",
    },
    "applicant2": {
        "name": "北京量子传感科技有限公司",
        "credit_code": _code("91110114MA02QN7R1"),
        "organisation_type": "enterprise",
        "district": "changping",
        "registered_capital": Decimal("20000000.00"),
        "established_on": datetime.date(2020, 9, 1),
        "annual_revenue": Decimal("68000000.00"),
        "legal_representative": "陈静",
    },
    # Barred from applying after its funds were recovered (Art. 21), apart from the two above so
    # that their drafts can still be submitted.
    "applicant3": {
        "name": "北京京华天使投资有限公司",
        "credit_code": _code("91110105MA03JH2P4"),
        "organisation_type": "investment_institution",
        "district": "chaoyang",
        "registered_capital": Decimal("60000000.00"),
        "established_on": datetime.date(2017, 6, 6),
        "annual_revenue": Decimal("12000000.00"),
        "legal_representative": "孙浩",
    },
}
# A unit that moved its registered place out of Beijing (Art. 17), recorded by staff in the register of
# unit status on the day the demo loads; it has no user and declares nothing in the demo.
MOVED_AWAY = {
    "name": "北京北桥光电有限公司",
    "credit_code": _code("91110108MA05NT3D9"),
    "organisation_type": "enterprise",
    "district": "outside_beijing",
    "registered_capital": Decimal("30000000.00"),
    "established_on": datetime.date(2019, 3, 12),
    "annual_revenue": Decimal("41000000.00"),
    "legal_representative": "李娜",
}

FACTS = {
    "ART6": {
        "institution_registered_capital": "100000000.00",
        "registered_in_beijing": True,
        "manager_registered_with_amac": True,
        "fund_filed_with_amac": True,
        "investee_name": "北京光子芯片有限公司",
        "investee_established_on": "2023-02-14",
        "investment_date": "2026-03-20",
        "investment_amount": "8000000.00",
        "equity_ratio_after_pct": "15",
        "first_round": True,
        "high_tech_field": True,
        "core_technology_or_ip": True,
    },
    "ART9": {
        "annual_revenue": "68000000.00",
        "insurance_product": "研发中断保险",
        "insured_or_loan_amount": "30000000.00",
        "premium": "120000.00",
        "high_tech_field": True,
        "core_technology_or_ip": True,
    },
    "ART12": {
        "market": "neeq_innovation_direct",
        "approval_letter": True,
        "high_tech_field": True,
        "core_technology_or_ip": True,
    },
}

# Which organisation declares what, and the state each demo declaration is walked to.
DECLARATIONS = [
    ("applicant1", "ART6", S.DRAFT, "光计算初创企业种子轮投资"),
    ("applicant1", "ART6", S.SUBMITTED, "北京光子芯片首轮投资"),
    ("applicant1", "ART6", S.RETURNED, "生物传感器企业首轮投资"),
    ("applicant1", "ART6", S.WITHDRAWN, "误报其他专项的天使投资"),
    ("applicant1", "ART6", S.ACCEPTED, "工业机器人企业首轮投资"),
    ("applicant1", "ART6", S.NOT_ACCEPTED, "消费零售连锁企业投资"),
    ("applicant1", "ART6", S.DISQUALIFIED, "被执行基金的投资"),
    ("applicant1", "ART6", S.UNDER_REVIEW, "量子网络企业首轮投资"),
    ("applicant1", "ART6", S.REVIEWED, "固态电池企业首轮投资"),
    ("applicant1", "ART6", S.NOT_SUPPORTED, "软件企业后续轮投资"),
    ("applicant2", "ART9", S.APPROVED, "传感器生产研发中断保险"),
    ("applicant2", "ART9", S.IN_PUBLICITY, "医用传感器产品责任保险"),
    ("applicant2", "ART9", S.OBJECTION_UPHELD, "新生产线融资保险"),
    ("applicant2", "ART12", S.CONFIRMED, "新三板创新层挂牌"),
    ("applicant2", "ART9", S.DISBURSING, "2026年芯片项目研发保险"),
    ("applicant1", "ART6", S.PAID, "卫星零部件企业首轮投资"),
    ("applicant1", "ART6", S.STOPPED, "已迁出企业的首轮投资"),
    ("applicant2", "ART9", S.TERMINATED, "未建成生产线的保险"),
    ("applicant3", "ART6", S.RECOVERED, "以伪造付款凭证申报的投资"),
    ("applicant3", "ART9", S.CONFIRMED, "无人机导航研发科技保险"),
    # Submitted before the unit's finding of dishonesty (below), accepted after it: the Art. 17 check
    # disqualifies it instead, naming the credit record (_disqualified_at_acceptance).
    ("applicant3", "ART9", S.SUBMITTED, "无人机电池研发科技保险"),
    ("applicant3", "ART6", S.RECOVERED, "虚增出资基金的投资"),
    ("applicant3", "ART6", S.RECOVERED, "并非首轮的投资"),
    ("applicant3", "ART6", S.RECOVERED, "附对赌回购协议的投资"),
]

# Recovery cases other than the walk's (which recovers everything paid, still open): one partly
# repaid, one repaid, one referred for enforcement with a finding of dishonesty (Art. 22). Their
# declarations are smaller, so the unit's four fit its annual cap.
RECOVERIES = {
    "虚增出资基金的投资": {
        "amount": Decimal("500000.00"),
        "repayments": [Decimal("200000.00")],
        "reason": "基金出资经补充协议虚增。",
    },
    "并非首轮的投资": {
        "amount": Decimal("800000.00"),
        "repayments": [Decimal("300000.00"), Decimal("500000.00")],
        "reason": "隐瞒了此前的融资轮次。",
    },
    "附对赌回购协议的投资": {
        "amount": Decimal("800000.00"),
        "repayments": [],
        "reason": "投资款经同日签订的回购协议返还。",
        "dishonest": True,
        "referral": "两次催告后仍未退回，已移送法院强制执行。",
    },
}
RECOVERY_AMOUNT = Decimal("800000.00")


def code_of(declaration):
    return declaration.programme.code


AMOUNTS = {"ART6": Decimal("1600000.00"), "ART9": Decimal("72000.00"), "ART12": Decimal("1000000.00")}


# The current year's budget of each programme (Art. 2), in yuan: the demo's decisions fit, and ART9's
# is adjusted once (DEMO_BUDGET_ADJUSTMENTS) so that its page shows a history.
DEMO_BUDGETS = {
    "ART5": Decimal("20000000.00"),
    "ART6": Decimal("12000000.00"),
    "ART7": Decimal("5000000.00"),
    "ART8": Decimal("8000000.00"),
    "ART9": Decimal("400000.00"),
    "ART10": Decimal("3000000.00"),
    "ART11A": Decimal("6000000.00"),
    "ART11B": Decimal("4000000.00"),
    "ART12": Decimal("3000000.00"),
    "ART13A": Decimal("2000000.00"),
    "ART13B": Decimal("1000000.00"),
    "ART14": Decimal("10000000.00"),
}
DEMO_BUDGET_ADJUSTMENTS = {"ART9": Decimal("500000.00")}


def _summary(title, state):
    """The demo project's summary, in Chinese like its title whatever the default language."""
    with translation.override("zh-hans"):
        return f"{title}。演示申报书，状态为“{S(state).label}”。"


def demo_logins(address, users):
    """Where to sign in and as whom: the lines `make run` prints last (and load_demo at its end), in
    English as the README's."""
    with translation.override("en"):
        roles = [(user.username, str(user.get_role_display())) for user in users]
    lines = [
        f"The site: {address}",
        f"Sign in at {address.rstrip('/')}/accounts/login/ with the password {PASSWORD} as:",
        *(f"  {username:<11} {role}" for username, role in roles),
        "Staff-side users then enter the 6-digit code of an authenticator app set up with the key",
        f"  {DEMO_TOTP_SECRET} (the same for all of them), or scanned from",
        f"  {DEMO_TOTP_URL}",
    ]
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Create the demo users, an open call, the year's budgets and declarations in every state (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--address", default=DEFAULT_ADDRESS, help="the site's address, for the sign-in hint")

    @transaction.atomic
    def handle(self, *args, **options):
        # The demo is a Chinese-speaking commission's: what the system writes down as text as it
        # goes (a credit record's source, in the commission's language), and what a person would
        # type (a plan's indicators, offered from their defaults in the active language), is
        # Chinese whatever the default language (English in the tests).
        with translation.override("zh-hans"):
            self._load(**options)

    def _load(self, **options):
        users = self._users()
        call = self._call()
        self._budgets(users["admin"], call.year)
        cast = Cast(
            applicant=None,
            staff=users["staff"],
            reviewers=[users["reviewer1"], users["reviewer2"]],
            finance=users["finance"],
            approver=users["finance2"],
        )
        created = []
        for owner, code, state, title in DECLARATIONS:
            applicant = users[owner]
            if Declaration.objects.filter(organisation=applicant.organisation, title=title).exists():
                continue
            declaration = Declaration.objects.create(
                organisation=applicant.organisation,
                call=call,
                programme=Programme.objects.get(code=code),
                title=title,
                summary=_summary(title, state),
                facts=dict(FACTS[code]),
                created_by=applicant,
            )
            created.append((declaration, state, users[owner]))

        # Up to the decision one by one; then publicity in two batches, as the commission would:
        # one whose 5 working days are over, one running now; then on to each declaration's state.
        for declaration, state, applicant in created:
            cast.applicant = applicant
            walk_to(
                declaration,
                S.APPROVED if S.APPROVED in PATHS[state] else state,
                cast,
                amount=RECOVERY_AMOUNT if declaration.title in RECOVERIES else AMOUNTS[code_of(declaration)],
            )
        past = [d.pk for d, state, _ in created if state in DISBURSEMENT_STATES]
        if past:
            batch = publicity_batch_open(actor=cast.staff, call=call, declaration_ids=past, today=demo_opening_day())
            batch = backdate_batch(batch)
            publicity_batch_close(batch_id=batch.pk, today=batch.ends_on + datetime.timedelta(days=1))
        running = [d.pk for d, state, _ in created if state in IN_PUBLICITY_STATES]
        running_batch = None
        if running:
            running_batch = publicity_batch_open(
                actor=cast.staff, call=call, declaration_ids=running, today=demo_opening_day()
            )
        for declaration, state, applicant in created:
            cast.applicant = applicant
            if declaration.title in RECOVERIES:
                walk_to(declaration, S.PAID, cast, amount=RECOVERY_AMOUNT)
                self._recovery(declaration, cast, **RECOVERIES[declaration.title])
            else:
                walk_to(declaration, state, cast, amount=AMOUNTS[code_of(declaration)])
        if running_batch:
            self._objections(batch_running_today(running_batch), cast)
        assert set(PATHS) == {state for _, _, state, _ in DECLARATIONS}  # nosec B101 # a self-check of the demo's own tables; nothing depends on it
        self._registers(users)
        self._payment_orders(created, cast)
        self._disqualified_at_acceptance(created, cast)
        load_performance_demo(cast.staff)
        date_demo_history([declaration.pk for declaration, _state, _applicant in created])
        award_caps_recompute()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({len(created)} declarations created)."))
        self.stdout.write(demo_logins(options["address"], users.values()))

    def _budgets(self, admin, year):
        """The administrator's budget for each programme in `year`, where none is recorded yet."""
        recorded = set(Budget.objects.filter(year=year).values_list("programme__code", flat=True))
        for programme in Programme.objects.exclude(code__in=recorded):
            budget_set(
                programme_id=programme.pk,
                year=year,
                amount=DEMO_BUDGETS[programme.code],
                actor=admin,
                reason=f"{year}年度预算，经市财政局批复。",
            )
            if programme.code in DEMO_BUDGET_ADJUSTMENTS:
                budget_set(
                    programme_id=programme.pk,
                    year=year,
                    amount=DEMO_BUDGET_ADJUSTMENTS[programme.code],
                    actor=admin,
                    reason="年中调整：保险类申报多于计划。",
                )

    def _recovery(self, declaration, cast, *, amount, repayments, reason, dishonest=False, referral=""):
        """A recovery case on a paid declaration, repaid in the parts given, referred for
        enforcement when `referral` says why."""
        today = timezone.localdate()
        case = recovery_case_open(
            declaration_id=declaration.pk,
            actor=cast.staff,
            amount_due=amount,
            due_on=today + datetime.timedelta(days=30),
            reason=reason,
            barred_until=today + datetime.timedelta(days=3 * 365),
            dishonest=dishonest,
        )
        for n, part in enumerate(repayments, start=1):
            repayment_record(
                case_id=case.pk, actor=cast.finance, amount=part, received_on=today, reference=f"RET-{case.pk}-{n}"
            )
        if referral:
            recovery_case_refer(case_id=case.pk, actor=cast.staff, note=referral)

    def _objections(self, batch, cast):
        """The running batch (version 2 already: the project whose objection was upheld was withdrawn)
        gets a dismissed objection with the commission's reply and one still open, so that the
        console and the look-up page show an objection in each state."""
        today = timezone.localdate()
        for entry in batch.entries.filter(withdrawn_at__isnull=True, declaration__classified=False):
            dismissed = objection_raise(
                entry=entry,
                name="王五",
                contact="wangwu@example.com",
                text="投保的传感器在北京以外生产。",
                today=today,
            )
            objection_handle(
                objection_id=dismissed.pk,
                actor=cast.staff,
                outcome=None,
                reply="经核实，传感器在该单位昌平工厂生产，项目继续列入名单。",
            )
            objection_raise(
                entry=entry,
                name="赵六",
                contact="139 1234 5678",
                text="实际缴纳的保费似乎高于保单所载金额。",
                today=today,
            )
            self.stdout.write(
                f"Objections on {entry.declaration.number}: receipts {dismissed.receipt_number} (dismissed, "
                "look it up with wangwu@example.com) and one still open."
            )

    def _payment_orders(self, created, cast):
        """Two confirmed declarations with an order prepared by `finance`: one waiting for `finance2`'s
        approval; the other is applicant3's, whose unit was found dishonest (Art. 22) after the
        decision, so the approval was refused by the Art. 17 re-check, which names the credit record
        (the order stays waiting)."""
        confirmed = [(d, applicant) for d, state, applicant in created if state == S.CONFIRMED]
        for declaration, applicant in confirmed:
            demo_bank_account(declaration.organisation, cast)
            order = order_prepare(declaration_id=declaration.pk, actor=cast.finance)
            if applicant.username != "applicant3":
                continue
            try:
                order_approve(order_id=order.pk, actor=cast.approver)
            except OrderBlocked:
                self.stdout.write(f"Order {order.number} of {declaration.number} is blocked by the Art. 17 re-check.")

    def _disqualified_at_acceptance(self, created, cast):
        """applicant3's declaration submitted before its unit was found dishonest (Art. 22): staff
        accept it now, and the Art. 17 check disqualifies it, the note naming the credit record."""
        for declaration, state, applicant in created:
            if applicant.username == "applicant3" and state == S.SUBMITTED:
                checklist = {item.key: True for item in checklist_for(declaration)}
                declaration_accept(declaration_id=declaration.pk, actor=cast.staff, checklist=checklist)

    def _registers(self, users):
        """A credit record of another unit, a unit that moved out of Beijing (register of unit status,
        Art. 17), and a project applicant1 was already funded for through another channel, which the
        double-funding check (Art. 16) flags on its accepted declaration."""
        CreditRecord.objects.get_or_create(
            credit_code=_code("91110112MA04XY5L7"),
            list=CreditList.ENFORCEMENT,
            defaults={
                "name": "北京示例商贸有限公司",
                "starts_on": datetime.date(2026, 3, 1),
                "source": "信用中国，被执行人名单第2026-0315号",
            },
        )
        moved, _ = Organisation.objects.get_or_create(credit_code=MOVED_AWAY["credit_code"], defaults=MOVED_AWAY)
        if not UnitStatusRecord.objects.filter(credit_code=moved.credit_code).exists():
            unit_status_record(
                organisation_id=moved.pk,
                actor=users["staff"],
                status=UnitStatus.MOVED_OUT,
                effective_on=timezone.localdate(),
                source="北京市市场监督管理局，变更登记第2026-1187号",
                note="注册地已迁至天津滨海新区。",
            )
        organisation = users["applicant1"].organisation
        FundingRecord.objects.get_or_create(
            credit_code=organisation.credit_code,
            project_title="工业机器人企业首轮投资",
            defaults={
                "organisation_name": organisation.name,
                "project_content": "投资海淀区一家工业机器人企业，已获市高端制造业专项资金支持。",
                "channel": "北京市经济和信息化局",
                "amount": Decimal("800000.00"),
                "granted_on": datetime.date(2026, 5, 20),
                "reference": "京经信〔2026〕88号",
            },
        )
        for declaration in Declaration.objects.filter(organisation=organisation, state=S.ACCEPTED):
            double_funding_check(declaration)

    def _users(self):
        users = {}
        for username, role in USERS:
            organisation = None
            if username in ORGANISATIONS:
                data = ORGANISATIONS[username]
                organisation, _ = Organisation.objects.get_or_create(credit_code=data["credit_code"], defaults=data)
            user, is_new = User.objects.get_or_create(
                username=username,
                defaults={
                    "email": f"{username}@demo.zgc-funds.example",
                    "role": role,
                    "organisation": organisation,
                    "is_staff": role == Role.ADMIN,
                    "is_superuser": role == Role.ADMIN,
                },
            )
            if is_new:
                user.set_password(PASSWORD)
                user.save()
                EmailAddress.objects.get_or_create(
                    user=user, email=user.email, defaults={"verified": True, "primary": True}
                )
            if is_staff_side(user) and not has_authenticator_app(user):
                TOTP.activate(user, DEMO_TOTP_SECRET)
                RecoveryCodes.activate(user)
            users[username] = user
        return users

    def _call(self):
        year = timezone.localdate().year
        opens = timezone.make_aware(datetime.datetime(year, 1, 5, 9, 0))
        closes = timezone.make_aware(datetime.datetime(year, 12, 31, 17, 0))
        call, is_new = Call.objects.get_or_create(
            year=year,
            title_zh=f"{year}年度科技金融专项资金申报通知",
            defaults={
                "title_en": f"{year} annual declaration notice: technology-finance support funds",
                "opens_at": opens,
                "closes_at": closes,
            },
        )
        if is_new:
            call.programmes.set(Programme.objects.all())
        return call
