"""The staff console, one module per part of the work: the queue, one declaration's page, the
expert evaluation, the registers (Art. 16 and 17) and the evaluation meetings. Each module lists
its own `urlpatterns`; review/urls.py joins them."""
