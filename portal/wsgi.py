"""WSGI entry point for gunicorn: `gunicorn portal.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

from portal.settings.keys import refuse_to_serve_without_production_keys

refuse_to_serve_without_production_keys()
application = get_wsgi_application()
