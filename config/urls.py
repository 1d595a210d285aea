from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts.views import PasswordResetView, SignupView, language_set, security_events, security_events_export
from config import views
from declarations.views import estimate

# The administration's login is allauth's, so that its lockout and second factor apply there too: an
# anonymous visitor is sent to it with the page asked for, a signed-in user without the right gets 403.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.home, name="home"),
    path("i18n/setlang/", language_set, name="set_language"),
    path("estimate/", estimate, name="estimate"),
    path("admin/", admin.site.urls),
    path("security/events/", security_events, name="security_events"),
    path("security/events.csv", security_events_export, name="security_events_export"),
    # allauth's sign-up and password reset, on the limiter of anonymous writes (common.limits).
    path("accounts/signup/", SignupView.as_view(), name="account_signup"),
    path("accounts/password/reset/", PasswordResetView.as_view(), name="account_reset_password"),
    path("accounts/", include("allauth.urls")),
    path("applicant/", include("declarations.urls")),
    path("console/home/", views.console_home, name="console_home"),
    path("console/", include("review.urls")),
    path("publicity/", include("publicity.urls")),
    path("disbursement/", include("disbursement.urls")),
    path("notices/", include("notices.urls")),
    path("monitoring/", include("monitoring.urls")),
    path("api/", include("api.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.STATIC_URL, document_root=settings.STATIC_ROOT)
