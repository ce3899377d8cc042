"""Settings of the gunicorn servers the fault suite starts: the production settings, read from the environment
the suite gives them (debug off, the suite's database, persistent connections), except the static files, served
unhashed so that no collectstatic is needed (the faults are about the database and the cache, not static
files)."""

from khoi_portal.settings import *  # noqa: F403

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
