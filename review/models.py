from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.messages import MessageField, message
from common.money import MONEY

SCORE = {"max_digits": 5, "decimal_places": 2}


def _in_language(en, zh):
    return zh if (get_language() or "").startswith("zh") and zh else en


class ReviewAssignment(models.Model):
    """An expert reviewer's evaluation of one declaration: a draft until `submitted_at` is set."""

    declaration = models.ForeignKey(
        "declarations.Declaration",
        verbose_name=_("declaration"),
        on_delete=models.CASCADE,
        related_name="review_assignments",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("expert reviewer"),
        on_delete=models.PROTECT,
        related_name="review_assignments",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)
    # The reviewer's weighted total on the programme's rubric (0-100), computed from the criterion
    # scores by review.evaluation when they are saved.
    score = models.DecimalField(
        _("weighted score"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    opinion = models.TextField(_("evaluation opinion"), blank=True, max_length=5000)
    # An opinion or a criterion score saved: the reviewer's "in progress" tab (review.selectors),
    # kept by review.evaluation.assignment_score with what it saves. Stored, not worked out from the
    # scores: the tabs' counts then read no score of 9,000 assignments.
    started = models.BooleanField(_("evaluation started"), default=False, editable=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    release_reason = models.TextField(_("reason for release"), blank=True)
    # What it was loaded with, by column name (from_db); not there on an assignment made in Python.
    loaded: dict

    class Meta:
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        ordering = ["assigned_at", "pk"]
        # The reviewer's tabs and their counts (review.selectors.reviewer_tab_counts), from the index;
        # what waits for the reviewer in the order assigned (review.selectors.next_to_score), read
        # from the first without sorting the reviewer's thousands of assignments.
        indexes = [
            models.Index(
                fields=["reviewer", "released_at", "submitted_at", "started"], name="assignment_reviewer_tabs"
            ),
            models.Index(
                fields=["reviewer", "assigned_at", "id"],
                condition=models.Q(released_at__isnull=True, submitted_at__isnull=True),
                name="assignment_reviewer_waiting",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["declaration", "reviewer"], name="one_assignment_per_reviewer"),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | (models.Q(score__gte=0) & models.Q(score__lte=100)),
                name="assignment_score_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.reviewer} — {self.declaration}"

    @classmethod
    def from_db(cls, db, field_names, values):
        """As Django loads it, keeping what it was loaded with (`loaded`, by column name), so that a
        save can tell what it changed (review.selectors.reviewer_tab_counts_changed)."""
        instance = super().from_db(db, field_names, values)
        instance.loaded = dict(zip(field_names, values, strict=True))
        return instance

    @property
    def is_submitted(self):
        return self.submitted_at is not None


class CreditList(models.TextChoices):
    """The lists of Art. 17 that cancel the qualification to apply."""

    RESEARCH_DISHONESTY = "research_dishonesty", _("Research dishonesty (discipline period)")
    ENFORCEMENT = "enforcement", _("Untrustworthy person subject to enforcement")
    SERIOUSLY_ILLEGAL = "seriously_illegal", _("Seriously illegal and untrustworthy enterprise")


class CreditRecordQuerySet(models.QuerySet):
    def in_force_on(self, day):
        return self.filter(starts_on__lte=day).filter(models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=day))


class CreditRecord(models.Model):
    """One entry of a credit list (Art. 17) for a unified social credit code, for a period."""

    credit_code = models.CharField(_("unified social credit code"), max_length=18, db_index=True)
    name = models.CharField(_("name as listed"), max_length=200, blank=True)
    list = models.CharField(_("list"), max_length=30, choices=CreditList.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True, help_text=_("Empty while the listing has no end."))
    # As typed or imported, or a message when the system recorded the listing (a recovery's finding).
    source = MessageField(_("source"), max_length=200, help_text=_("For example Credit China and its reference."))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    imported_from = models.ForeignKey(
        "RegisterImport",
        verbose_name=_("imported from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_records",
    )

    objects = CreditRecordQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("credit record")
        verbose_name_plural = _("credit records")
        ordering = ["credit_code", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="credit_record_ends_after_it_starts",
                violation_error_message=_("A listing cannot end before it starts."),
            )
        ]

    def __str__(self):
        return f"{self.credit_code} {self.get_list_display()}"

    def describe(self):
        """The record as a refusal names it (list, period and source): a message, read in the
        reader's language wherever it is stored."""
        if self.ends_on is None:
            return message("review.credit_record.open", list=self.list, starts=self.starts_on, source=self.source)
        return message(
            "review.credit_record", list=self.list, starts=self.starts_on, until=self.ends_on, source=self.source
        )


class Register(models.TextChoices):
    CREDIT = "credit", _("Credit register (Art. 17)")
    FUNDING = "funding", _("Register of municipal funds granted (Art. 16)")
    UNIT_STATUS = "unit_status", _("Register of unit status (Art. 17)")


class RegisterImport(models.Model):
    """One file imported into a register: who, when, which file (by hash) and how many rows."""

    register = models.CharField(_("register"), max_length=20, choices=Register.choices)
    file_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    rows = models.PositiveIntegerField(_("rows imported"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("register import")
        verbose_name_plural = _("register imports")
        ordering = ["-imported_at", "-pk"]

    def __str__(self):
        return f"{self.get_register_display()}: {self.file_name}"


class UnitStatus(models.TextChoices):
    """The changes of registration after which Art. 17 no longer supports a unit."""

    REVOKED = "revoked", _("Business licence revoked")
    CANCELLED = "cancelled", _("Registration cancelled")
    MOVED_OUT = "moved_out", _("Registered place moved out of Beijing")


class UnitStatusRecordQuerySet(models.QuerySet):
    def effective_on(self, day):
        return self.filter(effective_on__lte=day)


class UnitStatusRecord(models.Model):
    """A change of a unit's registration (Art. 17: revoked, cancelled, moved out of Beijing) for a
    unified social credit code, from the day it took effect: imported from a register file, recorded
    by staff, or recorded when the unit's own profile moved it out of Beijing."""

    credit_code = models.CharField(_("unified social credit code"), max_length=18, db_index=True)
    name = models.CharField(_("name as listed"), max_length=200, blank=True)
    status = models.CharField(_("registration status"), max_length=20, choices=UnitStatus.choices)
    effective_on = models.DateField(_("effective on"))
    # As typed or imported, or a message when the system recorded the change (a profile's move).
    source = MessageField(
        _("source"), max_length=200, help_text=_("For example the market regulator's notice and its reference.")
    )
    note = models.TextField(_("note"), blank=True, max_length=2000)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    imported_from = models.ForeignKey(
        RegisterImport,
        verbose_name=_("imported from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="unit_status_records",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = UnitStatusRecordQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unit status record")
        verbose_name_plural = _("unit status records")
        ordering = ["credit_code", "-effective_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(imported_from__isnull=False) | models.Q(recorded_by__isnull=False),
                name="unit_status_record_imported_or_recorded_by",
            )
        ]

    def __str__(self):
        return f"{self.credit_code} {self.get_status_display()}"

    def describe(self):
        """The record as a refusal names it (status, the day it took effect and source): a message."""
        return message("review.status_record", status=self.status, date=self.effective_on, source=self.source)


class FundingRecord(models.Model):
    """Municipal funds a unit obtained through another channel (Art. 16), for the double-funding check."""

    credit_code = models.CharField(_("unified social credit code"), max_length=18, db_index=True)
    organisation_name = models.CharField(_("organisation name"), max_length=200)
    project_title = models.CharField(_("project title"), max_length=300)
    project_content = models.TextField(_("project content"), blank=True, max_length=5000)
    channel = models.CharField(_("granted through"), max_length=200, help_text=_("The department or programme."))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    granted_on = models.DateField(_("granted on"))
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    imported_from = models.ForeignKey(
        RegisterImport,
        verbose_name=_("imported from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funding_records",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("funding record")
        verbose_name_plural = _("funding records")
        ordering = ["credit_code", "-granted_on", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gte=0), name="funding_amount_not_negative")]

    def __str__(self):
        return f"{self.credit_code} {self.project_title}"


class MatchJudgement(models.TextChoices):
    PENDING = "pending", _("To be judged")
    SAME_PROJECT = "same_project", _("Same project: already funded")
    DIFFERENT_PROJECT = "different_project", _("A different project")


class DoubleFundingMatch(models.Model):
    """A funded project of the same unit whose content resembles the declaration's, for staff to judge."""

    declaration = models.ForeignKey(
        "declarations.Declaration",
        verbose_name=_("declaration"),
        on_delete=models.CASCADE,
        related_name="double_funding_matches",
    )
    record = models.ForeignKey(
        FundingRecord, verbose_name=_("funding record"), on_delete=models.CASCADE, related_name="matches"
    )
    similarity = models.DecimalField(_("similarity"), max_digits=4, decimal_places=3)
    found_at = models.DateTimeField(_("found at"), default=timezone.now)
    judgement = models.CharField(
        _("judgement"), max_length=20, choices=MatchJudgement.choices, default=MatchJudgement.PENDING
    )
    judgement_note = models.TextField(_("reason for the judgement"), blank=True, max_length=2000)
    judged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("judged by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    judged_at = models.DateTimeField(_("judged at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("possible double funding")
        verbose_name_plural = _("possible double funding")
        ordering = ["-similarity", "pk"]
        constraints = [models.UniqueConstraint(fields=["declaration", "record"], name="one_match_per_record")]

    def __str__(self):
        return f"{self.declaration} ~ {self.record}"


class AcceptanceOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned for revision")
    REFUSED = "refused", _("Not accepted")
    DISQUALIFIED = "disqualified", _("Disqualified (Art. 17)")


class AcceptanceCheck(models.Model):
    """Staff's formal review of one round of a declaration: the checklist as ticked, and its outcome."""

    declaration = models.ForeignKey(
        "declarations.Declaration",
        verbose_name=_("declaration"),
        on_delete=models.CASCADE,
        related_name="acceptance_checks",
    )
    # checklist item key -> ticked; the items are review.acceptance.checklist_for(declaration)
    items = models.JSONField(_("checklist"), default=dict)
    outcome = models.CharField(_("outcome"), max_length=20, choices=AcceptanceOutcome.choices)
    # Staff's comments as typed, or the note of a disqualification under Art. 17 (a message).
    note = MessageField(_("comments"), blank=True, max_length=2000)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("checked by"), on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)

    class Meta:
        verbose_name = _("acceptance check")
        verbose_name_plural = _("acceptance checks")
        ordering = ["checked_at", "pk"]

    def __str__(self):
        return f"{self.declaration}: {self.get_outcome_display()}"


class Rubric(models.Model):
    """How one programme's declarations are scored: criteria with weights, and the overall pass mark."""

    programme = models.OneToOneField(
        "declarations.Programme", verbose_name=_("programme"), on_delete=models.PROTECT, related_name="rubric"
    )
    pass_mark = models.DecimalField(
        _("overall pass mark (0-100)"),
        **SCORE,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    outlier_margin = models.DecimalField(
        _("outlier margin (points)"),
        **SCORE,
        default=Decimal("15"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
        help_text=_("A reviewer's total this far from the others' middle value is flagged."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")
        ordering = ["programme__position"]

    def __str__(self):
        return str(self.programme)


class Criterion(models.Model):
    rubric = models.ForeignKey(Rubric, verbose_name=_("rubric"), on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    guidance_en = models.TextField(_("guidance (English)"), blank=True)
    guidance_zh = models.TextField(_("guidance (Chinese)"), blank=True)
    weight = models.DecimalField(_("weight"), **SCORE, validators=[MinValueValidator(Decimal("0.01"))])
    min_score = models.DecimalField(_("lowest score"), **SCORE, default=Decimal("0"))
    max_score = models.DecimalField(_("highest score"), **SCORE)
    pass_mark = models.DecimalField(_("pass mark"), **SCORE)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["rubric", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="criterion_weight_positive"),
            models.CheckConstraint(
                condition=models.Q(max_score__gt=models.F("min_score")),
                name="criterion_range_not_empty",
                violation_error_message=_("The highest score must be above the lowest."),
            ),
            models.CheckConstraint(
                condition=models.Q(pass_mark__gte=models.F("min_score"))
                & models.Q(pass_mark__lte=models.F("max_score")),
                name="criterion_pass_mark_in_range",
                violation_error_message=_("The pass mark must lie within the score range."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return _in_language(self.name_en, self.name_zh)

    @property
    def guidance(self):
        return _in_language(self.guidance_en, self.guidance_zh)


class CriterionScore(models.Model):
    assignment = models.ForeignKey(
        ReviewAssignment, verbose_name=_("review assignment"), on_delete=models.CASCADE, related_name="criterion_scores"
    )
    criterion = models.ForeignKey(Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("score"), **SCORE)

    class Meta:
        verbose_name = _("criterion score")
        verbose_name_plural = _("criterion scores")
        ordering = ["criterion__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "criterion"], name="one_score_per_criterion"),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.score}"


class ConflictOfInterest(models.Model):
    """A reviewer's declared conflict with an organisation: no declaration of it is assigned to them."""

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("expert reviewer"), on_delete=models.PROTECT, related_name="conflicts"
    )
    organisation = models.ForeignKey(
        "declarations.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    declaration = models.ForeignKey(
        "declarations.Declaration",
        verbose_name=_("declared on"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("reason"), max_length=2000)
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        ordering = ["-declared_at", "pk"]

    def __str__(self):
        return f"{self.reviewer} / {self.organisation}"


class ScoreAggregation(models.TextChoices):
    MEAN = "mean", _("Mean")
    MEDIAN = "median", _("Median")


class EvaluationSummary(models.Model):
    """The submitted evaluations of one declaration taken together, kept current by review.evaluation
    each time an evaluation is submitted or released, so the queue can filter, sort and rank on it."""

    declaration = models.OneToOneField(
        "declarations.Declaration",
        verbose_name=_("declaration"),
        on_delete=models.CASCADE,
        related_name="evaluation_summary",
        primary_key=True,
    )
    aggregation = models.CharField(_("taken by"), max_length=10, choices=ScoreAggregation.choices)
    total = models.DecimalField(_("weighted total"), **SCORE, null=True, blank=True)
    spread = models.DecimalField(_("spread (highest - lowest)"), **SCORE, null=True, blank=True)
    evaluations = models.PositiveSmallIntegerField(_("evaluations submitted"), default=0)
    assigned = models.PositiveSmallIntegerField(_("reviewers assigned"), default=0)
    passed = models.BooleanField(_("pass marks met"), null=True, blank=True)
    # criterion ids whose taken score is below their pass mark
    criteria_missed = models.JSONField(_("criteria below their pass mark"), default=list, blank=True)
    # ReviewAssignment ids whose total lies more than the rubric's margin from the others' median
    outliers = models.JSONField(_("outlying evaluations"), default=list, blank=True)
    has_outliers = models.BooleanField(_("outliers flagged"), default=False, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("evaluation summary")
        verbose_name_plural = _("evaluation summaries")
        # The queue ranked by total, either way, then the newest first (review.selectors.RankedByTotalScore);
        # the score filters read the first.
        indexes = [
            models.Index(fields=["-total", "-declaration"], name="summary_ranked_highest_first"),
            models.Index(fields=["total", "-declaration"], name="summary_ranked_lowest_first"),
        ]

    def __str__(self):
        return f"{self.declaration}: {self.total}"


class EvaluationMeeting(models.Model):
    """A meeting of the commission that evaluated declarations and proposed their support schemes."""

    call = models.ForeignKey(
        "declarations.Call", verbose_name=_("call"), on_delete=models.PROTECT, related_name="evaluation_meetings"
    )
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    members_present = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members present"), related_name="evaluation_meetings"
    )
    minutes = models.TextField(_("minutes"), blank=True, max_length=10000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    history = HistoricalRecords(m2m_fields=[members_present])

    class Meta:
        verbose_name = _("evaluation meeting")
        verbose_name_plural = _("evaluation meetings")
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"{self.call} {self.held_on.isoformat()}"


class MeetingWithdrawal(models.Model):
    """A member who withdrew from the meeting, or from one declaration's discussion, for a conflict."""

    meeting = models.ForeignKey(
        EvaluationMeeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="withdrawals"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    declaration = models.ForeignKey(
        "declarations.Declaration",
        verbose_name=_("for declaration"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the member withdrew from the whole meeting."),
    )
    reason = models.TextField(_("conflict of interest"), max_length=2000)
    # Recorded and removed by review.meetings, which name the actor and the reason.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("withdrawal")
        verbose_name_plural = _("withdrawals")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.member} ({self.meeting})"


class SupportScheme(models.TextChoices):
    SUPPORT = "support", _("Support")
    NOT_SUPPORT = "not_support", _("Do not support")


class MeetingOpinion(models.Model):
    """The meeting's opinion on one declaration and the support scheme it proposes."""

    meeting = models.ForeignKey(
        EvaluationMeeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="opinions"
    )
    declaration = models.ForeignKey(
        "declarations.Declaration",
        verbose_name=_("declaration"),
        on_delete=models.PROTECT,
        related_name="meeting_opinions",
    )
    opinion = models.TextField(_("evaluation opinion"), max_length=5000)
    scheme = models.CharField(_("support scheme"), max_length=20, choices=SupportScheme.choices)
    proposed_amount = models.DecimalField(_("proposed amount (yuan)"), **MONEY, null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting opinion")
        verbose_name_plural = _("meeting opinions")
        ordering = ["meeting__held_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "declaration"], name="one_opinion_per_meeting_declaration"),
            models.CheckConstraint(
                condition=(models.Q(scheme="support") & models.Q(proposed_amount__gt=0))
                | (models.Q(scheme="not_support") & models.Q(proposed_amount__isnull=True)),
                name="opinion_amount_matches_scheme",
            ),
        ]

    def __str__(self):
        return f"{self.meeting}: {self.declaration}"


# The order in which a declaration's meeting opinions are read when the latest one counts.
OPINIONS_LATEST_FIRST = ("-meeting__held_on", "-meeting_id", "-pk")


class DecisionOutcome(models.TextChoices):
    APPROVED = "approved", _("Support approved")
    NOT_SUPPORTED = "not_supported", _("Not supported")


class Decision(models.Model):
    """The commission's decision on a declaration, and the meeting opinion and evaluations it rests on."""

    declaration = models.OneToOneField(
        "declarations.Declaration", verbose_name=_("declaration"), on_delete=models.PROTECT, related_name="decision"
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=DecisionOutcome.choices)
    amount = models.DecimalField(_("approved amount (yuan)"), **MONEY, null=True, blank=True)
    award_cap = models.DecimalField(_("award cap at the decision (yuan)"), **MONEY, null=True, blank=True)
    reason = models.TextField(_("support scheme or reason"), blank=True, max_length=2000)
    opinion = models.ForeignKey(
        MeetingOpinion, verbose_name=_("meeting opinion"), on_delete=models.PROTECT, related_name="decisions"
    )
    evaluations = models.ManyToManyField(ReviewAssignment, verbose_name=_("evaluations"), related_name="+", blank=True)
    event = models.OneToOneField(
        "declarations.DeclarationEvent", verbose_name=_("event"), on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-decided_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(outcome="approved") & models.Q(amount__gt=0))
                | (models.Q(outcome="not_supported") & models.Q(amount__isnull=True)),
                name="decision_amount_matches_outcome",
            ),
        ]

    def __str__(self):
        return f"{self.declaration}: {self.get_outcome_display()}"


class Budget(models.Model):
    """A programme's annual budget for one support year (Art. 2: the funds are used according to the
    annual budget). Set and adjusted by the administrator through review.budgets.budget_set, which
    refuses an amount below what is already committed; every version is kept with who set it and why.
    Decisions to support may not take a programme over it (review.budgets.budget_check)."""

    programme = models.ForeignKey(
        "declarations.Programme", verbose_name=_("programme"), on_delete=models.PROTECT, related_name="budgets"
    )
    year = models.PositiveSmallIntegerField(_("support year"))
    amount = models.DecimalField(_("annual budget (yuan)"), **MONEY)
    reason = models.TextField(_("reason"), max_length=2000, help_text=_("For example the budget document's reference."))
    # Empty only for a budget loaded without a person (the tests' calls); budget_set always names one.
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    set_at = models.DateTimeField(_("set at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("annual budget")
        verbose_name_plural = _("annual budgets")
        ordering = ["-year", "programme__position"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "year"], name="one_budget_per_programme_year"),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0),
                name="budget_amount_not_negative",
                violation_error_message=_("A budget cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.programme.code} {self.year}"
