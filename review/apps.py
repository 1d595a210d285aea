from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = _("Review")

    def ready(self):
        from review.models import ReviewAssignment  # noqa: PLC0415 -- models are loaded now
        from review.selectors import reviewer_tab_counts_changed  # noqa: PLC0415 -- it imports the models

        post_save.connect(reviewer_tab_counts_changed, sender=ReviewAssignment, dispatch_uid="tab_counts_saved")
        post_delete.connect(reviewer_tab_counts_changed, sender=ReviewAssignment, dispatch_uid="tab_counts_deleted")
