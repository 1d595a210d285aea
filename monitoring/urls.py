"""After the money: performance (Art. 18), supervision (Art. 20), statistics and open data (Art. 3)."""

from monitoring.opendata_views import opendata_urlpatterns
from monitoring.views_statistics import statistics_urlpatterns

app_name = "monitoring"

urlpatterns: list = []
urlpatterns += statistics_urlpatterns
urlpatterns += opendata_urlpatterns
