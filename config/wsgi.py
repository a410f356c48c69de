"""The web application, as gunicorn loads it (the Procfile's web)."""

import os

from django.core.wsgi import get_wsgi_application

# A web request's query may run for 30 seconds; then PostgreSQL cancels it and
# the person is told the service is busy (core.views.error_500), where a runaway
# query would hold a gunicorn worker and a database backend for ever (an
# on-call concern). Set here, before the settings load, so that web alone has
# it: Celery, migrate and the other commands never import this module, and
# their long jobs run unbounded. A DATABASE_STATEMENT_TIMEOUT given to web
# wins (0: none). gunicorn kills a worker silent for its --timeout (30 by
# default) and the query runs on without it, so the Procfile gives 40: the
# query is cancelled, and the page drawn, first. (With the Procfile's threads
# a worker stays heard while one request runs long: the statement timeout is
# then the only thing that ends a runaway query.) runserver imports this module
# after the settings, so Procfile.dev gives `make run` the same 30 itself.
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT", "30")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
