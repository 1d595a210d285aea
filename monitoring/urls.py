"""After the money: performance (Art. 18), supervision (Art. 20), statistics and open data (Art. 3)."""

from monitoring.opendata_views import opendata_urlpatterns
from monitoring.performance_views import performance_urlpatterns
from monitoring.supervision_views import supervision_urlpatterns
from monitoring.views_statistics import statistics_urlpatterns

app_name = "monitoring"

urlpatterns: list = []
urlpatterns += performance_urlpatterns
urlpatterns += supervision_urlpatterns
urlpatterns += statistics_urlpatterns
urlpatterns += opendata_urlpatterns
