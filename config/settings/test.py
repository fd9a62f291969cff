"""Settings for the test suite: the same as base, with fast password hashing."""

from config.settings.base import *  # noqa: F403
from config.settings.base import TASKS

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS["default"] = {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"token": "100000/min", "ip": "100000/min"}  # noqa: F405
# Tests need no static-file serving (and no collected static directory).
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]  # noqa: F405
# Django's test client signs in without a request (``client.login``), which django-axes refuses;
# the sign-in and two-factor tests switch it on (``settings.AXES_ENABLED = True``).
AXES_ENABLED = False
