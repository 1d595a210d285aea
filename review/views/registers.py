"""Placeholder: filled in by the part of issue 5 that owns it."""

urlpatterns = []


def declaration_section(request, declaration):
    """Context for this part's section of the declaration page."""
    return {}
