from review.views import budgets, declaration, evaluation, meetings, organisations, queue, registers

app_name = "review"
urlpatterns = [
    *queue.urlpatterns,
    *declaration.urlpatterns,
    *evaluation.urlpatterns,
    *registers.urlpatterns,
    *meetings.urlpatterns,
    *organisations.urlpatterns,
    *budgets.urlpatterns,
]
