from django.urls import path

from declarations import views

app_name = "declarations"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("organisation/", views.organisation, name="organisation"),
    path("declarations/new/", views.declaration_new, name="new"),
    path("declarations/<int:pk>/", views.declaration_detail, name="detail"),
    path("declarations/<int:pk>/edit/", views.declaration_edit, name="edit"),
    path("declarations/<int:pk>/submit/", views.declaration_submit, name="submit"),
    path("declarations/<int:pk>/withdraw/", views.declaration_withdraw, name="withdraw"),
]
