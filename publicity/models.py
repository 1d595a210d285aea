import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.masking import mask_identifiers
from common.messages import MessageField, bilingual
from common.money import MONEY
from declarations.models import attachment_storage


class CalendarDay(models.Model):
    """An exception to Monday-to-Friday: a public holiday on a weekday, or a make-up working day
    on a weekend. Seeded for the years the chinesecalendar package knows; the administrator adds
    the next year when the State Council publishes it."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self):
        return f"{date_format(self.date)} {self.name}"


class CalendarYear(models.Model):
    """A year whose working-day schedule has been recorded. Only a *covered* (complete) year is
    counted in; a window that reaches any other year is refused, never guessed."""

    class Source(models.TextChoices):
        PACKAGE = "package", _("chinesecalendar package")
        ADMINISTRATOR = "administrator", _("entered by the administrator")

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    complete = models.BooleanField(_("schedule complete"), default=False)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]

    def __str__(self):
        return str(self.year)


class PublicityBatch(models.Model):
    """One publication of the list of projects to be supported, for 5 working days.

    What the public reads is its versions (BatchVersion) and their published rows (PublishedEntry);
    a correction during the period publishes the next version."""

    call = models.ForeignKey(
        "declarations.Call", verbose_name=_("call"), on_delete=models.PROTECT, related_name="publicity_batches"
    )
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    starts_on = models.DateField(_("publicity starts on"))
    ends_on = models.DateField(_("publicity ends on"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    # settings.PUBLICITY_COUNTS_OPENING_DAY when the batch was opened; the board says which.
    counts_opening_day = models.BooleanField(_("the opening day counts"), default=False)
    version = models.PositiveIntegerField(_("current version"), default=1)
    # The public rows of the current version, stored with `version` when a version is published (a
    # published version never changes), so the board reads its counts instead of counting rows.
    row_count = models.PositiveIntegerField(_("projects listed"), default=0, editable=False)
    # The working days from starts_on to ends_on (ISO dates) as the calendar had them when the last
    # version was published, which fixed the periods: a summary finds the end of the first period
    # and the days left from them, reading no calendar.
    working_days = models.JSONField(_("working days"), default=list, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("publicity batch")
        verbose_name_plural = _("publicity batches")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="batch_ends_after_start"
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
        # One title for both languages, or one masked for the page being shown (selectors).
        self.title_zh = self.title_en = value

    @property
    def is_closed(self):
        return self.closed_at is not None


class BatchVersion(models.Model):
    """One published version of a batch: version 1 when it opens, the next one for each correction,
    with the changelog the public reads. Never edited; every version keeps its own address."""

    batch = models.ForeignKey(
        PublicityBatch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), on_delete=models.PROTECT, related_name="+"
    )
    changelog = MessageField(_("changes"), blank=True)
    # Its public rows (classified projects have none), stored when it is published.
    row_count = models.PositiveIntegerField(_("projects listed"), default=0, editable=False)

    class Meta:
        verbose_name = _("publicity version")
        verbose_name_plural = _("publicity versions")
        ordering = ["batch", "number"]
        constraints = [models.UniqueConstraint(fields=["batch", "number"], name="batch_version_unique")]

    def __str__(self):
        return f"{self.batch} v{self.number}"


class PublicityEntry(models.Model):
    """A declaration in a batch, classified ones included, with its own period: the batch's, or a
    full one of its own when it was added or its amount raised by a later version. It leaves the
    public list (`withdrawn_at`) when an objection is upheld or the commission withdraws it."""

    batch = models.ForeignKey(PublicityBatch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="entries")
    declaration = models.ForeignKey(
        "declarations.Declaration",
        verbose_name=_("declaration"),
        on_delete=models.PROTECT,
        related_name="publicity_entries",
    )
    starts_on = models.DateField(_("publicity starts on"))
    ends_on = models.DateField(_("publicity ends on"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("publicity entry")
        verbose_name_plural = _("publicity entries")
        ordering = ["pk"]
        constraints = [
            # A declaration sent back to review after an objection may be publicised again, once.
            models.UniqueConstraint(
                fields=["declaration"], condition=models.Q(withdrawn_at__isnull=True), name="entry_one_current"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="entry_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["batch", "ends_on"], name="entry_batch_ends")]

    def __str__(self):
        return str(self.declaration)


def published_texts(unit_name, title):
    """A unit's name and a project's title as the public read them: every person's identifier in
    them masked (common.masking)."""
    return mask_identifiers(unit_name), mask_identifiers(title)


def published_search_text(unit_name, title, number):
    """What the board's search finds a published row by: its masked unit and title, and its number."""
    return " ".join([unit_name, title, number or ""]).lower()


class PublishedEntry(models.Model):
    """What the public read of one entry in the versions `since_version` to `until_version` (open
    ended while current): a copy taken when the version was published, so an earlier version reads
    as it was, its free text masked then (published_texts). Classified projects have none, so no
    public query can reach them."""

    entry = models.ForeignKey(
        PublicityEntry, verbose_name=_("entry"), on_delete=models.PROTECT, related_name="published"
    )
    batch = models.ForeignKey(
        PublicityBatch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="published_entries"
    )
    since_version = models.PositiveIntegerField(_("since version"))
    until_version = models.PositiveIntegerField(_("until version"), null=True, blank=True)
    number = models.CharField(_("declaration number"), max_length=40)
    programme = models.ForeignKey(
        "declarations.Programme", verbose_name=_("programme"), on_delete=models.PROTECT, related_name="+"
    )
    unit_name = models.CharField(_("unit"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18)
    title = models.CharField(_("project title"), max_length=200)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    starts_on = models.DateField(_("publicity starts on"))
    ends_on = models.DateField(_("publicity ends on"))
    # Lower-cased unit, title and number, for the board's search.
    search_text = models.TextField(editable=False, blank=True)

    class Meta:
        verbose_name = _("published entry")
        verbose_name_plural = _("published entries")
        ordering = ["batch", "number", "pk"]
        indexes = [
            # Every row of a batch in a list's order, with the versions it is in: a page of an earlier
            # version reads its ids from an offset in them, not sorting the batch's rows.
            models.Index(fields=["batch", "number", "id", "since_version", "until_version"], name="published_in_order"),
            # The current rows of a batch in a list's order, and those of one programme: a page reads
            # its ids from an offset in them, not sorting the batch, and a programme's count reads only
            # its rows. Partial, so that PostgreSQL reads them in order; until_version (always null
            # here) is in them so that they cover the query on SQLite. The search's trigram index on
            # PostgreSQL is made by migration 0009.
            models.Index(
                fields=["batch", "number", "id", "until_version"],
                condition=models.Q(until_version__isnull=True),
                name="published_current",
            ),
            models.Index(
                fields=["batch", "programme", "number", "id", "until_version"],
                condition=models.Q(until_version__isnull=True),
                name="published_current_programme",
            ),
        ]

    def __str__(self):
        return f"{self.number} v{self.since_version}"


class ObjectionState(models.TextChoices):
    OPEN = "open", _("Open")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class ObjectionOutcome(models.TextChoices):
    """What upholding an objection does to the declaration."""

    REVIEW = "review", _("Sent back to review")
    NOT_SUPPORTED = "not_supported", _("Not supported")


def objection_evidence_path(objection, filename):
    return f"objections/{uuid.uuid4().hex}.{objection.evidence_extension}"


class Objection(models.Model):
    """An objection raised by anyone during an entry's publicity period. The objector looks it up
    with its receipt number and the contact they gave; the applicant never learns who objected."""

    entry = models.ForeignKey(
        PublicityEntry, verbose_name=_("project"), on_delete=models.PROTECT, related_name="objections"
    )
    receipt_number = models.CharField(_("receipt number"), max_length=20, unique=True)
    name = models.CharField(_("your name"), max_length=100)
    contact = models.CharField(_("telephone or e-mail"), max_length=100)
    text = models.TextField(_("objection"), max_length=5000)
    evidence = models.FileField(
        _("evidence"), storage=attachment_storage, upload_to=objection_evidence_path, max_length=200, blank=True
    )
    evidence_name = models.CharField(_("evidence file name"), max_length=200, blank=True)
    evidence_extension = models.CharField(_("evidence file extension"), max_length=10, blank=True, editable=False)
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    state = models.CharField(_("state"), max_length=20, choices=ObjectionState.choices, default=ObjectionState.OPEN)
    outcome = models.CharField(_("outcome"), max_length=20, choices=ObjectionOutcome.choices, blank=True)
    response = models.TextField(_("reply"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    # The objector's language when they objected: the e-mails to them are written in it.
    language = models.CharField(_("language"), max_length=10, blank=True, editable=False)
    # Set when the e-mail went out, so a retried or duplicated task never sends it twice.
    receipt_emailed_at = models.DateTimeField(_("receipt e-mailed at"), null=True, blank=True, editable=False)
    reply_emailed_at = models.DateTimeField(_("reply e-mailed at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["entry", "state"], name="objection_entry_state")]

    def __str__(self):
        return self.receipt_number
