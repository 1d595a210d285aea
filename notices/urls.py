from django.urls import path

from notices import views

app_name = "notices"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read/", views.mark_all_read, name="mark_all_read"),
]
