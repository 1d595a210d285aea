"""How the OpenAPI schema describes the API's token (drf-spectacular reads this extension once the
app is ready)."""

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme


class ApiTokenScheme(KnoxTokenScheme):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "apiToken"
