from django.urls import path

from publicity import views

app_name = "publicity"
urlpatterns = [
    path("", views.board, name="board"),
    path("<int:pk>/", views.batch, name="batch"),
    path("entries/<int:pk>/objection/", views.objection, name="objection"),
    path("console/", views.console_batches, name="console_batches"),
    path("console/open/", views.console_batch_open, name="console_batch_open"),
    path("console/<int:pk>/", views.console_batch, name="console_batch"),
    path("console/<int:pk>/close/", views.console_batch_close, name="console_batch_close"),
    path("console/objections/<int:pk>/handle/", views.objection_handle_view, name="objection_handle"),
]
