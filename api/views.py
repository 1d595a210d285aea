"""The read API (docs/api.md): declarations, payments and recovery cases, each a list in pages and
one row by id, as the token's holder may see them; the OpenAPI schema and its UI."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import viewsets
from rest_framework.exceptions import NotFound

from accounts.security import visible_or_404
from api.filters import DeclarationFilter, PaymentFilter, RecoveryCaseFilter
from api.permissions import HasRulesPermission, ReadOnlyForSignedIn
from api.selectors import api_declarations, api_payments, api_recovery_cases
from api.serializers import DeclarationSerializer, PaymentSerializer, RecoveryCaseSerializer


class _ReadViewSet(viewsets.ReadOnlyModelViewSet):
    # Rows by their numeric id: anything else in the address is a 404 before a query.
    lookup_value_regex = "[0-9]{1,19}"

    def get_object(self):
        # A row the holder may not see is a 404, recorded as a denial when it exists (as on the pages).
        try:
            return visible_or_404(self.request._request, self.get_queryset(), pk=self.kwargs["pk"])
        except Http404:
            raise NotFound from None


class DeclarationViewSet(_ReadViewSet):
    """Declarations with their state and amounts: an applicant's organisation's, a reviewer's assigned
    ones, every one past its draft for commission staff, finance officers and administrators."""

    serializer_class = DeclarationSerializer
    filterset_class = DeclarationFilter

    def get_queryset(self):
        return api_declarations(self.request.user)


class PaymentViewSet(_ReadViewSet):
    """Payments of support funds: for those who see the money on the finance pages (finance officers,
    commission staff)."""

    serializer_class = PaymentSerializer
    filterset_class = PaymentFilter
    permission_classes = [ReadOnlyForSignedIn, HasRulesPermission]
    rules_permission = "disbursement.view_money"

    def get_queryset(self):
        return api_payments(self.request.user)


class RecoveryCaseViewSet(_ReadViewSet):
    """Recovery cases (Art. 21) with their repayments: for those who follow them on the recovery pages
    (finance officers, commission staff)."""

    serializer_class = RecoveryCaseSerializer
    filterset_class = RecoveryCaseFilter
    permission_classes = [ReadOnlyForSignedIn, HasRulesPermission]
    rules_permission = "disbursement.view_recovery_cases"

    def get_queryset(self):
        return api_recovery_cases(self.request.user)


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema, for anyone: it describes the API, not its data."""


class SchemaDocsView(SpectacularSwaggerSplitView):
    """Swagger UI from our static files (drf-spectacular-sidecar), its script at the same address
    (?script), so that the site's Content-Security-Policy holds."""

    template_name = "api/swagger_ui.html"
    # The page's title is in the reader's language; the schema it shows (SPECTACULAR_SETTINGS's title
    # and description, the operations and fields) is the API's contract for developers, in English.
    title = _("Read API of the support funds: documentation")
