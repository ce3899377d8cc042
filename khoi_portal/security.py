"""Accounts: every login, logout, failed login and lockout is logged; staff can lift a lockout. And the
request-level guards every page shares (query-string garbage, no caching of authenticated pages, OPTIONS).

Lockouts themselves are django-axes' (settings: AXES_FAILURE_LIMIT, AXES_COOLOFF_HOURS): a user name is locked
*from one address* after repeated failures (``AXES_LOCKOUT_PARAMETERS``), until the cool-off time has passed
since the last counted failure (a refused attempt during the lockout does not count), or until staff lift it
here. The address is the client's, read by django-ipware through django-axes' ``AXES_IPWARE_*`` settings
(X-Forwarded-For only through the trusted proxies: ``client_ip``).
"""

import logging
import re
from datetime import timedelta
from types import SimpleNamespace

from axes.models import AccessAttempt
from axes.signals import user_locked_out
from axes.utils import reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.checks import Error, Tags, register
from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.db.models import Max, Sum
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST, require_safe

from organizations.access import staff_required

logger = logging.getLogger("khoi.security")


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _clean(value) -> str:
    """A name typed on the login page, safe to log: control characters (new lines: forged log lines) escaped,
    at most 150 characters."""
    text = str(value)[:150]
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}", text) or "-"


def client_ip(request) -> str | None:
    """The client's address (``AXES_CLIENT_IP_CALLABLE``, and the security log's ``ip=``): django-ipware, with
    django-axes' ``AXES_IPWARE_*`` settings, on the request's ``X-Forwarded-For`` completed with the connecting
    address (``REMOTE_ADDR``), as the next proxy would append it.

    django-ipware checks the trusted proxies (``AXES_IPWARE_PROXY_TRUSTED_IPS``) against the end of the header
    only, and the last proxy's own address is not in the header but in ``REMOTE_ADDR``: completed, the chain ends
    in the one address no client can forge, so the header counts only when the request really comes through the
    trusted proxies (a client talking to the portal directly cannot write its way in). When the chain is not
    through them, django-ipware finds no address at all (it applies the same check to ``REMOTE_ADDR``); the
    connecting address is then the client's. With no trusted proxy, the header is not read."""
    meta = request.META
    remote = meta.get("REMOTE_ADDR") or None
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "").strip()
    if not settings.AXES_IPWARE_PROXY_TRUSTED_IPS or not forwarded or remote is None:
        return remote
    from ipware.ip import get_client_ip  # installed with PORTAL_TRUSTED_PROXIES: check_trusted_proxies

    completed = SimpleNamespace(META={**meta, "HTTP_X_FORWARDED_FOR": f"{forwarded}, {remote}"})
    address, _routable = get_client_ip(
        completed,
        proxy_order=settings.AXES_IPWARE_PROXY_ORDER,
        proxy_count=settings.AXES_IPWARE_PROXY_COUNT,
        proxy_trusted_ips=settings.AXES_IPWARE_PROXY_TRUSTED_IPS,
        request_header_order=settings.AXES_IPWARE_META_PRECEDENCE_ORDER,
    )
    return address or remote


@register(Tags.security, deploy=False)
def check_trusted_proxies(app_configs=None, **kwargs):
    """With trusted proxies configured, django-ipware must be installed (django-axes would silently fall back to
    the proxy's address: everyone behind it would share one address) and every entry must be one it reads."""
    if not settings.AXES_IPWARE_PROXY_TRUSTED_IPS:
        return []
    try:
        import ipware.ip  # noqa: F401  (what client_ip asks)
        from python_ipware import IpWare
    except ImportError:
        return [Error("PORTAL_TRUSTED_PROXIES is set but django-ipware is not installed.", id="khoi.E001")]
    try:
        IpWare(proxy_list=list(settings.AXES_IPWARE_PROXY_TRUSTED_IPS))
    except ValueError as error:
        return [Error(f"PORTAL_TRUSTED_PROXIES: {error}", id="khoi.E002")]
    return []


def _ip(request) -> str:
    return _clean(client_ip(request) or "?") if request is not None else "?"


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


class NoStoreMiddleware:
    """Every page answered to a logged-in user carries ``Cache-Control: no-store`` (and ``private``,
    ``no-cache``): after a logout, the browser's back button or back/forward cache must not show the member list
    again. Static files (whitenoise, answered before this runs) keep their far-future caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


class OptionsMiddleware:
    """OPTIONS on a page answers 200 with the page's ``Allow`` header (what Django's method decorators put on
    their 405 answer), plus OPTIONS itself; HEAD is allowed wherever GET is (``require_safe``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "OPTIONS" and response.status_code == 405 and response.has_header("Allow"):
            methods = [m.strip() for m in response["Allow"].split(",") if m.strip()]
            answer = HttpResponse(status=200)
            answer["Allow"] = ", ".join([*methods, "OPTIONS"] if "OPTIONS" not in methods else methods)
            return answer
        return response


def current_lockouts() -> list[dict]:
    """(user name, address) pairs locked out now, with the failures counted, the last one's time and when the
    lockout ends. Failures of one pair are summed over its records (django-axes keeps one per browser)."""
    cool_off = timedelta(hours=settings.AXES_COOLOFF_TIME)
    since = timezone.now() - cool_off
    rows = (
        AccessAttempt.objects.values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT, last__gte=since)
        .order_by("-last")
    )
    return [{**row, "until": row["last"] + cool_off} for row in rows]


def locked_until(username: str | None, ip: str | None):
    """When the lockout of `username` from `ip` ends (the cool-off counted from the last counted failure)."""
    last = AccessAttempt.objects.filter(username=username, ip_address=ip).aggregate(last=Max("attempt_time"))
    if last["last"] is None:
        return None
    return last["last"] + timedelta(hours=settings.AXES_COOLOFF_TIME)


def lockout_response(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: the lockout page (429), saying until when the lockout lasts."""
    username = (credentials or {}).get("username") or request.POST.get("username")
    until = locked_until(username, getattr(request, "axes_ip_address", None) or client_ip(request))
    return render(
        request,
        settings.AXES_LOCKOUT_TEMPLATE,
        {"until": timezone.localtime(until) if until else None},
        status=429,
    )


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


@require_safe
@staff_required
def lockout_list(request):
    """User names locked out from an address now, each with its own "Mở khóa" button."""
    return render(request, "registration/lockout_list.html", {"lockouts": current_lockouts()})


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
    if not username and not ip:
        messages.error(request, "Hãy chọn tài khoản cần mở khóa.")
        return redirect("lockout_list")
    # Both given (a row's button): that user name from that address only, not everyone behind the address.
    count = reset(username=username or None, ip=ip or None)
    logger.warning(
        "lockout lifted by=%s user=%s ip=%s", request.user.get_username(), _clean(username), _clean(ip)
    )
    messages.success(request, f"Đã mở khóa ({count} bản ghi).")
    return redirect("lockout_list")
