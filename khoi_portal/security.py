"""Accounts: every login, logout, failed login and lockout is logged; staff can lift a lockout. And the
request-level guards every page shares (query-string garbage, no caching of authenticated pages, OPTIONS).

Lockouts themselves are django-axes' (settings: AXES_FAILURE_LIMIT, AXES_COOLOFF_HOURS): a user name is locked
*from one address* after repeated failures (``AXES_LOCKOUT_PARAMETERS``), until the cool-off time has passed
since the last counted failure (a refused attempt during the lockout does not count), or until staff lift it
here. The address is the client's, read by ``client_ip`` (X-Forwarded-For only from a trusted proxy).
"""

import ipaddress
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


def _networks(entries) -> list:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            continue  # a typo in the setting trusts nothing rather than everything
    return networks


def _parse_ip(value: str):
    value = value.strip().strip('"')
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address (``AXES_CLIENT_IP_CALLABLE``, and the security log's ``ip=``).

    ``REMOTE_ADDR`` — unless the connection comes from a proxy in ``PORTAL_TRUSTED_PROXIES``: then the
    ``X-Forwarded-For`` chain is read from the right (each proxy appends the address it received the request
    from), skipping the trusted proxies; the first other address is the client. Whatever a client writes into
    the header itself stays to the left of that and is never believed, and a request that does not come from a
    trusted proxy is judged by its own address whatever header it carries."""
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = _networks(settings.PORTAL_TRUSTED_PROXIES)
    remote_ip = _parse_ip(remote)
    if remote_ip is None or not any(remote_ip in net for net in trusted):
        return remote or None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed(forwarded.split(",")):
        address = _parse_ip(hop)
        if address is None:
            break  # a garbled chain: stop at the last hop we could read
        if not any(address in net for net in trusted):
            return str(address)
    return remote


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
