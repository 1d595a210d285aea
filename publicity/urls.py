from publicity.views import board, console, objections

app_name = "publicity"
urlpatterns = [
    *board.urlpatterns,
    *objections.urlpatterns,
    *console.urlpatterns,
]
