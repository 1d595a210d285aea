import os

from django.core.wsgi import get_wsgi_application
from django.template import engines
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
# Every view the URLconf names and every template context processor imported now, as a web worker
# starts, not by the first request it serves: that request took 0.8 to 2.2 s more (the views' modules
# import WeasyPrint and openpyxl), once in each worker after every start and every recycling
# (gunicorn's max_requests). Under gunicorn this runs before post_worker_init, which builds the
# prepared reads these modules define, and whose gc.freeze then sets them all apart.
get_resolver().url_patterns  # noqa: B018 -- loaded for its imports
engines["django"].engine.template_context_processors  # noqa: B018 -- loaded for its imports
