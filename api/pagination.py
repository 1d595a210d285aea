from rest_framework.pagination import PageNumberPagination


class ApiPagination(PageNumberPagination):
    """Every list in pages: `?page=2`, `?page_size=` up to 200 (50 by default), with the count and
    the links to the next and previous pages."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
