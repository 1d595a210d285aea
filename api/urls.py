"""The read API for the commission's other systems."""

app_name = "api"

urlpatterns: list = []
