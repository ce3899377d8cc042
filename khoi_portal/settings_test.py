"""Test settings: the real settings in debug mode (set before they load), with a fast password hasher, in-memory
email, an in-process cache and quieter logs."""

import os

os.environ.setdefault("DJANGO_DEBUG", "True")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
AXES_ENABLED = True
LOGGING["loggers"]["django"]["level"] = "ERROR"  # noqa: F405
LOGGING["loggers"]["khoi"]["level"] = "WARNING"  # noqa: F405
