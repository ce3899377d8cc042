"""Accounts: every login, logout, failed login and lockout is logged; staff can lift a lockout.

Lockouts themselves are django-axes' (settings: AXES_FAILURE_LIMIT, AXES_COOLOFF_HOURS): an account and an
address are locked after repeated failures and unlocked after the cool-off time, or by staff here.
"""

import logging
import re
from datetime import timedelta

from axes.models import AccessAttempt
from axes.signals import user_locked_out
from axes.utils import reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.dispatch import receiver
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from organizations.access import staff_required

logger = logging.getLogger("khoi.security")


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _clean(value) -> str:
    """A name typed on the login page, safe to log: control characters (new lines: forged log lines) escaped,
    at most 150 characters."""
    text = str(value)[:150]
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}", text) or "-"


def _ip(request) -> str:
    return _clean(request.META.get("REMOTE_ADDR", "?")) if request is not None else "?"


class QueryStringGuardMiddleware:
    """Two kinds of query-string garbage no view should have to think about, removed before any view runs:

    - ``per_page``: lists have a fixed page size, but django-tables2 would take any ``per_page`` from the query
      string: a negative one is a server error, a huge one renders the whole registry in one page;
    - NUL characters: PostgreSQL cannot even compare a text column with a string that holds one (a server error
      for ``?q=%00`` wherever a view searches with the raw parameter).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raw = request.META.get("QUERY_STRING", "")
        if "per_page" in raw or "%00" in raw or "\x00" in raw:
            query = request.GET.copy()
            for key in list(query):
                values = [v.replace("\x00", "") for v in query.getlist(key)]
                del query[key]
                if not key.endswith("per_page") and "\x00" not in key:
                    query.setlist(key, values)
            query._mutable = False
            request.GET = query
        return self.get_response(request)


@receiver(user_logged_in)
def log_login(sender, request, user, **kwargs):
    logger.info("login user=%s ip=%s", _clean(user.get_username()), _ip(request))


@receiver(user_logged_out)
def log_logout(sender, request, user, **kwargs):
    logger.info("logout user=%s ip=%s", _clean(user.get_username()) if user else "-", _ip(request))


@receiver(user_login_failed)
def log_login_failed(sender, credentials, request=None, **kwargs):
    logger.warning("login failed user=%s ip=%s", _clean(credentials.get("username", "?")), _ip(request))


@receiver(user_locked_out)
def log_lockout(sender, request, username, ip_address, **kwargs):
    logger.warning("locked out user=%s ip=%s", _clean(username), _clean(ip_address))


def current_lockouts():
    """Accounts and addresses locked out now: failures at or above the limit, the last within the cool-off."""
    since = timezone.now() - timedelta(hours=settings.AXES_COOLOFF_TIME)
    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    ).order_by("-attempt_time")


@require_GET
@staff_required
def lockout_list(request):
    """Accounts and addresses locked out now (``current_lockouts``), each with "Mở khóa"."""
    return render(request, "registration/lockout_list.html", {"attempts": current_lockouts()})


@require_POST
@staff_required
def lockout_reset(request):
    username = request.POST.get("username", "").strip()[:150]
    ip = request.POST.get("ip", "").strip()
    try:
        validate_ipv46_address(ip) if ip else None
    except ValidationError:
        messages.error(request, "Địa chỉ IP không hợp lệ.")
        return redirect("lockout_list")
    if "\x00" in username:  # PostgreSQL cannot even look for it
        messages.error(request, "Tên đăng nhập không hợp lệ.")
        return redirect("lockout_list")
    count = 0
    if username:
        count += reset(username=username)
    if ip:
        count += reset(ip=ip)
    logger.warning(
        "lockout lifted by=%s user=%s ip=%s", request.user.get_username(), _clean(username), _clean(ip)
    )
    messages.success(request, f"Đã mở khóa ({count} bản ghi).")
    return redirect("lockout_list")
