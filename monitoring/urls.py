"""After the money: performance (Art. 18), supervision (Art. 20), statistics and open data (Art. 3)."""

app_name = "monitoring"

urlpatterns: list = []
