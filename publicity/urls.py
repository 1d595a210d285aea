from publicity.views import board, calendar, console, objections

app_name = "publicity"
urlpatterns = [
    *board.urlpatterns,
    *objections.urlpatterns,
    *console.urlpatterns,
    *calendar.urlpatterns,
]
