from django.urls import path

from declarations import views

app_name = "declarations"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("organisation/", views.organisation, name="organisation"),
    path("declarations/new/", views.declaration_new, name="new"),
    path("declarations/<int:pk>/", views.declaration_detail, name="detail"),
    path("declarations/<int:pk>/edit/", views.declaration_edit, name="edit"),
    path("declarations/<int:pk>/steps/<slug:step>/", views.declaration_step, name="step"),
    path("declarations/<int:pk>/precheck/", views.precheck, name="precheck"),
    path("declarations/<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment"),
    path(
        "declarations/<int:pk>/attachments/<int:attachment_pk>/remove/",
        views.attachment_remove,
        name="attachment_remove",
    ),
    path("declarations/<int:pk>/pdf/", views.declaration_pdf, name="pdf"),
    path("declarations/<int:pk>/pdf/<int:document_pk>/status/", views.declaration_pdf_status, name="pdf_status"),
    path("declarations/<int:pk>/pdf/retry/", views.declaration_pdf_retry, name="pdf_retry"),
    path("declarations/<int:pk>/submit/", views.declaration_submit, name="submit"),
    path("declarations/<int:pk>/submitted/", views.declaration_submitted, name="submitted"),
    path("declarations/<int:pk>/withdraw/", views.declaration_withdraw, name="withdraw"),
]
