from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = _("Review")

    def ready(self):
        from declarations.models import Declaration, DeclarationEvent  # noqa: PLC0415 -- models are loaded now
        from review.evaluation import rubric_changed  # noqa: PLC0415 -- it imports the models
        from review.models import Criterion, ReviewAssignment, Rubric  # noqa: PLC0415 -- models are loaded now
        from review.selectors import (  # noqa: PLC0415 -- it imports the models
            console_queue_count_changed,
            console_queue_count_moved,
            reviewer_tab_counts_changed,
        )

        post_save.connect(reviewer_tab_counts_changed, sender=ReviewAssignment, dispatch_uid="tab_counts_saved")
        post_delete.connect(reviewer_tab_counts_changed, sender=ReviewAssignment, dispatch_uid="tab_counts_deleted")
        post_save.connect(console_queue_count_changed, sender=Declaration, dispatch_uid="queue_count_saved")
        post_delete.connect(console_queue_count_changed, sender=Declaration, dispatch_uid="queue_count_deleted")
        post_save.connect(console_queue_count_moved, sender=DeclarationEvent, dispatch_uid="queue_count_moved")
        for model in (Rubric, Criterion):
            post_save.connect(rubric_changed, sender=model, dispatch_uid=f"rubric_saved_{model.__name__}")
            post_delete.connect(rubric_changed, sender=model, dispatch_uid=f"rubric_deleted_{model.__name__}")
