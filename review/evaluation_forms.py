"""Forms of the expert evaluation: input validation only; review.evaluation judges and stores."""

from django import forms
from django.utils.translation import gettext_lazy as _

from common import forms as fields
from common.forms import BootstrapForm
from declarations.models import Call, Programme
from review.evaluation import OPINION_MISSING, SCORE_MISSING, plain, score_range_message


class EvaluationForm(BootstrapForm):
    """One number per criterion of the programme's rubric, then the opinion. `prefix` "evaluation".

    With `final` (the reviewer pressed "Submit"), an empty score or opinion is flagged too, so every
    problem shows at once; review.evaluation.assignment_score checks the same again."""

    opinion = forms.CharField(
        label=_("Evaluation opinion"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        required=False,
        help_text=_("Required to submit. Other reviewers read it only after submitting their own evaluation."),
    )

    def __init__(self, *args, criteria, final=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        self.final = final
        opinion = self.fields.pop("opinion")
        for criterion in self.criteria:
            message = score_range_message(criterion)
            self.fields[self.field_name(criterion)] = forms.DecimalField(
                label=_("%(name)s (%(lowest)s-%(highest)s, weight %(weight)s)")
                % {
                    "name": criterion.name,
                    "lowest": plain(criterion.min_score),
                    "highest": plain(criterion.max_score),
                    "weight": plain(criterion.weight),
                },
                help_text=_("%(guidance)s Pass mark: %(pass_mark)s.")
                % {"guidance": criterion.guidance, "pass_mark": plain(criterion.pass_mark)},
                min_value=criterion.min_score,
                max_value=criterion.max_score,
                # The range and the two decimals keep a score within the column's 5 digits.
                decimal_places=2,
                required=False,
                error_messages={"min_value": message, "max_value": message},
                widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
            )
        self.fields["opinion"] = opinion
        self.style_fields()

    def clean(self):
        cleaned = super().clean()
        if self.final:
            for criterion in self.criteria:
                name = self.field_name(criterion)
                if name not in self.errors and cleaned.get(name) is None:
                    self.add_error(name, SCORE_MISSING)
            if "opinion" not in self.errors and not cleaned.get("opinion", "").strip():
                self.add_error("opinion", OPINION_MISSING)
        return cleaned

    @staticmethod
    def field_name(criterion):
        return f"criterion_{criterion.pk}"

    @classmethod
    def for_assignment(cls, assignment, criteria):
        """An unbound form showing what the reviewer saved last: `assignment` as review.evaluation
        reads it, with its `saved_scores`."""
        saved = assignment.saved_scores
        initial = {cls.field_name(c): saved[c.pk] for c in criteria if c.pk in saved}
        initial["opinion"] = assignment.opinion
        return cls(prefix="evaluation", criteria=criteria, initial=initial)

    def scores(self):
        """{criterion pk: Decimal or None} for review.evaluation.assignment_score."""
        return {c.pk: self.cleaned_data[self.field_name(c)] for c in self.criteria}

    def add_refusal(self, errors):
        """Show review.evaluation.EvaluationRefused's messages at their fields."""
        by_pk = {c.pk: c for c in self.criteria}
        for key, message in errors.items():
            self.add_error(self.field_name(by_pk[key]) if key in by_pk else "opinion", message)


class ConflictForm(BootstrapForm):
    reason = forms.CharField(
        label=_("Reason for the conflict of interest"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_(
            "For example a family tie, an employment or an investment in the organisation in the last three years."
        ),
    )


class RankingFilterForm(forms.Form):
    call = fields.ModelChoiceField(
        label=_("Call"),
        queryset=Call.objects.all(),
        required=False,
        empty_label=_("All calls"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    programme = fields.ModelChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.all(),
        required=False,
        empty_label=_("All programmes"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
