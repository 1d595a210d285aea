from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    STAFF = "staff", _("Commission staff")
    REVIEWER = "reviewer", _("Expert reviewer")
    FINANCE = "finance", _("Finance officer")
    ADMIN = "admin", _("Administrator")
