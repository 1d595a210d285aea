from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts.views import admin_login, language_set
from config import views
from declarations.views import estimate

urlpatterns = [
    path("", views.home, name="home"),
    path("i18n/setlang/", language_set, name="set_language"),
    path("estimate/", estimate, name="estimate"),
    # Before the administration's own: its login is allauth's (the lockout and the second factor).
    path("admin/login/", admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("applicant/", include("declarations.urls")),
    path("console/", include("review.urls")),
    path("publicity/", include("publicity.urls")),
    path("disbursement/", include("disbursement.urls")),
    path("notices/", include("notices.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.STATIC_URL, document_root=settings.STATIC_ROOT)
