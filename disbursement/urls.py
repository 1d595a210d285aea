from django.urls import path

from disbursement import console, recovery_views, views

app_name = "disbursement"
urlpatterns = [
    path("", console.to_prepare, name="queue"),
    path("home/", console.home, name="home"),
    path("orders/", console.orders, name="orders"),
    path("orders/export.<str:fmt>", console.orders_export, name="orders_export"),
    path("payments/", console.payments, name="payments"),
    path("payments/export.<str:fmt>", console.payments_export, name="payments_export"),
    path("orders/<int:pk>/approve/", views.order_approve_view, name="order_approve"),
    path("orders/<int:pk>/reject/", views.order_reject_view, name="order_reject"),
    path("orders/<int:pk>/cancel/", views.order_cancel_view, name="order_cancel"),
    path("orders/<int:pk>/paid/", views.order_paid_view, name="order_paid"),
    path("orders/<int:pk>/pdf/", views.order_pdf, name="order_pdf"),
    path("organisations/<int:organisation_id>/bank-account/", views.bank_account, name="bank_account"),
    path("<int:pk>/", views.declaration_detail, name="declaration"),
    path("<int:pk>/plan/", views.plan_set, name="plan"),
    path("<int:pk>/orders/", views.order_create, name="order_create"),
    path("<int:pk>/stop/", views.support_stop, name="stop"),
    *recovery_views.urlpatterns,
]
