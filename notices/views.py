from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notices.services import notices_mark_read


@login_required
def inbox(request):
    page = Paginator(request.user.notices.select_related("declaration"), 20).get_page(request.GET.get("page"))
    return render(request, "notices/inbox.html", {"page": page})


@login_required
@require_POST
def mark_all_read(request):
    count = notices_mark_read(recipient=request.user)
    messages.success(request, _("%(count)d notices marked as read.") % {"count": count})
    return redirect("notices:inbox")
