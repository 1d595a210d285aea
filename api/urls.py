"""The read API for the commission's other systems (docs/api.md), and its holders' token page."""

from django.urls import include, path
from django.views.decorators.cache import never_cache
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
    # REST framework answers these as anonymous (they need no token), so the site's NoStoreMiddleware
    # would not see a signed-in reader: they say no-store themselves.
    path("schema/", never_cache(views.SchemaView.as_view()), name="schema"),
    path("docs/", never_cache(views.SchemaDocsView.as_view(url_name="api:schema")), name="docs"),
    path("", include(router.urls)),
]
