"""Accounts: every login, logout, failed login and lockout is logged; staff can lift a lockout.

Lockouts themselves are django-axes' (settings: AXES_FAILURE_LIMIT, AXES_COOLOFF_HOURS): an account and an
address are locked after repeated failures and unlocked after the cool-off time, or by staff here.
"""

import logging

from axes.models import AccessAttempt
from axes.signals import user_locked_out
from axes.utils import reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from organizations.access import staff_required

logger = logging.getLogger("khoi.security")


def _ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "?") if request is not None else "?"


@receiver(user_logged_in)
def log_login(sender, request, user, **kwargs):
    logger.info("login user=%s ip=%s", user.get_username(), _ip(request))


@receiver(user_logged_out)
def log_logout(sender, request, user, **kwargs):
    logger.info("logout user=%s ip=%s", user.get_username() if user else "-", _ip(request))


@receiver(user_login_failed)
def log_login_failed(sender, credentials, request=None, **kwargs):
    logger.warning("login failed user=%s ip=%s", credentials.get("username", "?"), _ip(request))


@receiver(user_locked_out)
def log_lockout(sender, request, username, ip_address, **kwargs):
    logger.warning("locked out user=%s ip=%s", username, ip_address)


@require_GET
@staff_required
def lockout_list(request):
    """Accounts and addresses locked out now (failures at or above the limit)."""
    attempts = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT).order_by(
        "-attempt_time"
    )
    return render(request, "registration/lockout_list.html", {"attempts": attempts})


@require_POST
@staff_required
def lockout_reset(request):
    username = request.POST.get("username", "")[:150]
    ip = request.POST.get("ip", "")[:45]
    count = 0
    if username:
        count += reset(username=username)
    if ip:
        count += reset(ip=ip)
    logger.warning(
        "lockout lifted by=%s user=%s ip=%s", request.user.get_username(), username or "-", ip or "-"
    )
    messages.success(request, f"Đã mở khóa ({count} bản ghi).")
    return redirect("lockout_list")
