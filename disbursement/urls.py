from django.urls import path

from disbursement import recovery_views, views

app_name = "disbursement"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/", views.declaration_detail, name="declaration"),
    path("<int:pk>/payments/", views.payment_create, name="payment_create"),
    path("<int:pk>/stop/", views.support_stop, name="stop"),
    *recovery_views.urlpatterns,
]
