import uuid
from decimal import Decimal

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.messages import MessageField, bilingual
from common.money import MONEY, Fen
from declarations.enums import (
    APPLICANT_LABELS,
    PUBLIC_LABELS,
    DeclarationAction,
    DeclarationState,
    District,
    DocumentState,
    OrganisationType,
    SignatoryCapacity,
)
from declarations.evidence import ACCEPTED_TYPES
from declarations.validators import validate_credit_code


class Organisation(models.Model):
    """A declaring unit: an enterprise or a financial institution."""

    name = models.CharField(_("organisation name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    organisation_type = models.CharField(_("organisation type"), max_length=40, choices=OrganisationType.choices)
    district = models.CharField(_("registered district"), max_length=20, choices=District.choices)
    registered_capital = models.DecimalField(
        _("registered capital (yuan)"), **MONEY, validators=[MinValueValidator(Decimal("0"))]
    )
    established_on = models.DateField(_("date of establishment"))
    annual_revenue = models.DecimalField(
        _("annual revenue of the last fiscal year (yuan)"), **MONEY, validators=[MinValueValidator(Decimal("0"))]
    )
    legal_representative = models.CharField(_("legal representative"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(registered_capital__gte=0), name="organisation_capital_not_negative"
            ),
            models.CheckConstraint(condition=models.Q(annual_revenue__gte=0), name="organisation_revenue_not_negative"),
        ]

    def __str__(self):
        return self.name

    @property
    def registered_in_beijing(self):
        return self.district != District.OUTSIDE_BEIJING


class Programme(models.Model):
    """A support programme of Articles 5-14; rows are loaded by a data migration."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    article = models.CharField(_("article"), max_length=20)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    beneficiary_en = models.CharField(_("beneficiary (English)"), max_length=200)
    beneficiary_zh = models.CharField(_("beneficiary (Chinese)"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["position"]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def title(self):
        return self.title_in(self.title_zh, self.title_en)

    @staticmethod
    def title_in(title_zh, title_en):
        """Of a programme's two titles, the one of the active language (for a programme read as values)."""
        return title_zh if (get_language() or "").startswith("zh") else title_en

    @property
    def beneficiary(self):
        return self.beneficiary_zh if (get_language() or "").startswith("zh") else self.beneficiary_en


class CallQuerySet(models.QuerySet):
    def open_at(self, moment):
        return self.filter(opens_at__lte=moment, closes_at__gt=moment)


class Call(models.Model):
    """An annual declaration notice: which programmes may be declared, and when."""

    year = models.PositiveSmallIntegerField(_("support year"))
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(
        _("title (English)"), max_length=200, blank=True, help_text=_("Leave empty to show the Chinese title.")
    )
    programmes = models.ManyToManyField(Programme, verbose_name=_("programmes"), related_name="calls")
    opens_at = models.DateTimeField(_("declaration opens at"))
    closes_at = models.DateTimeField(_("declaration closes at"))
    score_aggregation = models.CharField(
        _("reviewers' scores taken by"),
        max_length=10,
        choices=[("mean", _("Mean")), ("median", _("Median"))],
        default="mean",
        help_text=_("How the expert reviewers' weighted totals of one declaration are combined."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[programmes])

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-year", "-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="call_closes_after_it_opens",
                violation_error_message=_("A call must close after it opens."),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def title(self):
        """The title in the reader's language."""
        return bilingual(self.title_zh, self.title_en)

    @title.setter
    def title(self, value):
        # One title for both languages (a call created with `title=`), until an English one is given.
        self.title_zh = self.title_en = value

    def is_open(self, moment=None):
        moment = moment or timezone.now()
        return self.opens_at <= moment < self.closes_at


# The first time a declaration reached each stage (declarations.workflow.MILESTONES says by which
# actions), in the order of its life.
MILESTONE_FIELDS = (
    "first_submitted_at",
    "first_accepted_at",
    "first_reviewed_at",
    "first_decided_at",
    "first_approved_at",
    "first_confirmed_at",
    "first_paid_at",
    "paid_in_full_at",
)


class Declaration(models.Model):
    """One organisation's declaration of one project under one programme of one call.

    `state` is written only by declarations.workflow.declaration_transition.
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="declarations"
    )
    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="declarations")
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="declarations"
    )
    title = models.CharField(_("project title"), max_length=200)
    summary = models.TextField(_("project summary"), max_length=5000)
    facts = models.JSONField(_("facts"), default=dict, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=DeclarationState.choices, default=DeclarationState.DRAFT, db_index=True
    )
    number = models.CharField(_("declaration number"), max_length=40, unique=True, null=True, blank=True)
    classified = models.BooleanField(
        _("classified"), default=False, help_text=_("Classified projects are never publicised.")
    )
    # Why the project is kept off the public list (classified, or excluded by law): staff-only, and
    # the change is kept in the declaration's history with who made it.
    classified_reason = models.TextField(_("reason it is not publicised"), blank=True)
    approved_amount = models.DecimalField(_("approved amount (yuan)"), **MONEY, null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    # What the declaration keeps of the approved amount (selectors.kept_amount_expression): less the
    # part that will never be paid once support ends (stop, termination, recovery) and less what
    # was ordered recovered (Art. 21). Written only by the workflow, for disbursement's services.
    cancelled_amount = models.DecimalField(
        _("approved amount no longer to be paid (yuan)"), **MONEY, default=Decimal("0.00"), editable=False
    )
    recovered_amount = models.DecimalField(
        _("amount to recover (yuan)"), **MONEY, default=Decimal("0.00"), editable=False
    )
    # The award engine's result with the history decided so far, kept current by
    # declarations.services.award_caps_recompute: null while facts the award needs are missing.
    award_cap = models.DecimalField(_("award cap (yuan)"), **MONEY, null=True, blank=True)
    award_assessment = models.JSONField(_("award assessment"), default=dict, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The console queue lists the newest submissions first; migration 0009 indexes that order.
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # When the declaration first reached each stage: the time of its first event of the action(s)
    # declarations.workflow.MILESTONES names, written with that event by declaration_transition
    # (never changed after). The statistics read these instead of every declaration's events.
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True, editable=False)
    first_accepted_at = models.DateTimeField(_("first accepted at"), null=True, blank=True, editable=False)
    first_reviewed_at = models.DateTimeField(_("evaluation first completed at"), null=True, blank=True, editable=False)
    first_decided_at = models.DateTimeField(_("first decided at"), null=True, blank=True, editable=False)
    first_approved_at = models.DateTimeField(_("first approved at"), null=True, blank=True, editable=False)
    first_confirmed_at = models.DateTimeField(_("first confirmed at"), null=True, blank=True, editable=False)
    first_paid_at = models.DateTimeField(_("first paid at"), null=True, blank=True, editable=False)
    paid_in_full_at = models.DateTimeField(_("paid in full at"), null=True, blank=True, editable=False)
    # Every saved version: the facts of each round of revision, next to the workflow's events (which
    # hold the milestones' times too).
    history = HistoricalRecords(excluded_fields=["award_assessment", *MILESTONE_FIELDS])

    class Meta:
        verbose_name = _("declaration")
        verbose_name_plural = _("declarations")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The statistics read a call's declarations that were ever submitted (monitoring.statistics).
            models.Index(fields=["call", "first_submitted_at"], name="declaration_call_submitted"),
            # The applicant's dashboard pages an organisation's declarations newest first: read in
            # index order, a page costs the same for 10 declarations as for 10,000.
            models.Index(fields=["organisation", "-created_at", "-id"], name="declaration_org_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(approved_amount__isnull=True) | models.Q(approved_amount__gte=0),
                name="declaration_approved_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(award_cap__isnull=True) | models.Q(award_cap__gte=0),
                name="declaration_award_cap_not_negative",
            ),
            # What is approved never exceeds the award cap the decision computed, even past the services.
            models.CheckConstraint(
                condition=models.Q(approved_amount__isnull=True)
                | models.Q(award_cap__isnull=True)
                | models.Q(approved_amount__lte=models.F("award_cap")),
                name="declaration_approved_within_award_cap",
            ),
            # What is kept is never negative: no more is cancelled and recovered than was approved.
            # The sum to the fen (Fen): in SQLite's floating point, 3,069,468.99 + 1,078,608.86 came
            # to more than 4,148,077.85 and refused a payment recovered in full.
            models.CheckConstraint(
                condition=models.Q(cancelled_amount__gte=0, recovered_amount__gte=0)
                & models.Q(approved_amount__gte=Fen(models.F("cancelled_amount") + models.F("recovered_amount"))),
                name="declaration_keeps_what_is_not_cancelled_or_recovered",
            ),
        ]

    def __str__(self):
        return self.number or self.title

    @property
    def applicant_state_label(self):
        return APPLICANT_LABELS[self.state]

    @property
    def public_state_label(self):
        return PUBLIC_LABELS.get(self.state, "")

    @property
    def is_draft(self):
        return self.state == DeclarationState.DRAFT

    @property
    def is_editable(self):
        from declarations.workflow import EDITABLE_STATES  # noqa: PLC0415 -- circular: the workflow imports the models

        return self.state in EDITABLE_STATES


class DeclarationNumberSequence(models.Model):
    """The last number given in a support year and programme; locked while a number is taken."""

    year = models.PositiveSmallIntegerField()
    programme_code = models.CharField(max_length=10)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        # The administrator meets it only in the list of permissions.
        verbose_name = _("declaration number sequence")
        verbose_name_plural = _("declaration number sequences")
        constraints = [
            models.UniqueConstraint(fields=["year", "programme_code"], name="one_sequence_per_year_programme")
        ]

    def __str__(self):
        return f"{self.year} {self.programme_code}: {self.last}"


class DeclarationEvent(models.Model):
    """The audit record of one state change: who, when, from, to, why. Never edited."""

    declaration = models.ForeignKey(
        Declaration, verbose_name=_("declaration"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("action"), max_length=30, choices=DeclarationAction.choices)
    from_state = models.CharField(_("from"), max_length=20, choices=DeclarationState.choices)
    to_state = models.CharField(_("to"), max_length=20, choices=DeclarationState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the system acted, for example when a publicity period ended."),
    )
    note = MessageField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("declaration event")
        verbose_name_plural = _("declaration events")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.declaration_id}: {self.get_from_state_display()} → {self.get_to_state_display()}"

    @property
    def applicant_to_label(self):
        return APPLICANT_LABELS[self.to_state]


class AttachmentStorage(Storage):
    """Evidence files live apart from any public URL; a view that checks permission serves them.

    Every call goes to the `attachments` storage configured now (settings.STORAGES), not the one
    configured when the model was loaded, so settings overridden later (tests) take effect."""

    def __getattribute__(self, name):
        if name.startswith("__"):
            return object.__getattribute__(self, name)
        return getattr(storages["attachments"], name)


def attachment_storage():
    return AttachmentStorage()


def attachment_path(attachment, filename):
    return f"declarations/{attachment.declaration_id}/{uuid.uuid4().hex}.{attachment.extension}"


class Attachment(models.Model):
    """One evidence file of a declaration, of one of its programme's evidence kinds (evidence.py)."""

    declaration = models.ForeignKey(
        Declaration, verbose_name=_("declaration"), on_delete=models.CASCADE, related_name="attachments"
    )
    evidence = models.CharField(_("evidence"), max_length=40)
    file = models.FileField(_("file"), storage=attachment_storage, upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    # Removed files keep their record here: who added what, and when it went.
    history = HistoricalRecords(excluded_fields=["file"])

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name

    @property
    def extension(self):
        return ACCEPTED_TYPES[self.content_type]


class Commitment(models.Model):
    """The good-faith commitment letter of Art. 19 as signed for one declaration.

    It covers the content whose hash it stores; a change to the declaration after signing voids it
    (`voided_at`), and submission needs one that is not void and still matches the content."""

    declaration = models.ForeignKey(
        Declaration, verbose_name=_("declaration"), on_delete=models.CASCADE, related_name="commitments"
    )
    version = models.CharField(_("text version"), max_length=40)
    text = models.TextField(_("text accepted"))
    language = models.CharField(_("language"), max_length=10)
    signatory_name = models.CharField(_("signatory"), max_length=100)
    signatory_capacity = models.CharField(_("signs as"), max_length=30, choices=SignatoryCapacity.choices)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("accepted by user"), on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted at"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    content_hash = models.CharField(_("SHA-256 of the content covered"), max_length=64)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    void_reason = models.CharField(_("voided because"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("good-faith commitment")
        verbose_name_plural = _("good-faith commitments")
        ordering = ["-accepted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["declaration"],
                condition=models.Q(voided_at__isnull=True),
                name="one_standing_commitment_per_declaration",
            )
        ]

    def __str__(self):
        return f"{self.signatory_name} {self.accepted_at:%Y-%m-%d %H:%M}"


def document_path(document, filename):
    return f"declarations/{document.declaration_id}/documents/{document.content_hash}.pdf"


class DeclarationDocument(models.Model):
    """A declaration's PDF for one version of what it shows (in one language), made by a Celery task
    and kept in the attachments storage, so a download is a file, not a render in a web worker.

    `content_hash` is the SHA-256 of the document's HTML without its production time
    (documents.declaration_content_hash): a change to anything the PDF shows names another document."""

    declaration = models.ForeignKey(
        Declaration, verbose_name=_("declaration"), on_delete=models.CASCADE, related_name="documents"
    )
    content_hash = models.CharField(_("content hash"), max_length=64)
    language = models.CharField(_("language"), max_length=10)
    state = models.CharField(_("state"), max_length=10, choices=DocumentState.choices, default=DocumentState.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), storage=attachment_storage, upload_to=document_path, max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("last error"), blank=True)
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("declaration document")
        verbose_name_plural = _("declaration documents")
        constraints = [
            models.UniqueConstraint(fields=["declaration", "content_hash"], name="one_document_per_content"),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="document_progress_at_most_100"),
            models.CheckConstraint(
                condition=~models.Q(state=DocumentState.READY) | ~models.Q(file=""), name="ready_document_has_file"
            ),
        ]

    def __str__(self):
        return f"{self.declaration_id}: {self.content_hash[:12]} ({self.state})"
