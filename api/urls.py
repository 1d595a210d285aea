"""The read API for the commission's other systems (docs/api.md), and its holders' token page."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from api import token_views, views

app_name = "api"

router = SimpleRouter()
router.register("declarations", views.DeclarationViewSet, basename="declaration")
router.register("payments", views.PaymentViewSet, basename="payment")
router.register("recovery-cases", views.RecoveryCaseViewSet, basename="recovery-case")

urlpatterns = [
    path("tokens/", token_views.tokens, name="tokens"),
    path("tokens/<str:key>/revoke/", token_views.token_revoke_view, name="token_revoke"),
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.SchemaDocsView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]
