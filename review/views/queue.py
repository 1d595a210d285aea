"""The evaluation queue: the declarations a console user works through."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.urls import path

from declarations.models import Programme
from review import selectors
from review.forms import QueueFilterForm
from review.views.base import console_user


@login_required
def queue(request):
    user = console_user(request)
    form = QueueFilterForm(request.GET or None)
    declarations = selectors.declaration_list_for_console(user).order_by("-submitted_at", "-pk")
    if form.is_valid():
        if form.cleaned_data["state"]:
            declarations = declarations.filter(state=form.cleaned_data["state"])
        if form.cleaned_data["programme"]:
            declarations = declarations.filter(programme__code=form.cleaned_data["programme"])
        if form.cleaned_data["q"]:
            q = form.cleaned_data["q"]
            declarations = declarations.filter(
                Q(number__icontains=q) | Q(title__icontains=q) | Q(organisation__name__icontains=q)
            )
    page = Paginator(declarations, 25).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "review/queue.html",
        {
            "page": page,
            "filter_form": form,
            "programmes": Programme.objects.all(),
            "console_section": "queue",
            "query_string": params.urlencode(),
        },
    )


urlpatterns = [path("", queue, name="queue")]
