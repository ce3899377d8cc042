"""Login throttling that no one can turn against everyone.

Behind the README's proxy every request reaches the portal from the proxy's address. A lockout is for a user name
from the client's address together, the client's address is read from ``X-Forwarded-For`` (by django-ipware,
through django-axes' ``AXES_IPWARE_*`` settings) only when the request comes through the trusted proxies
(``PORTAL_TRUSTED_PROXIES``), a refused attempt during a lockout does not
restart the cool-off, the lockout page says until when, and staff lift one lockout from its own row.
"""

import datetime as dt
import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.checks import run_checks
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from khoi_portal.security import client_ip

pytestmark = pytest.mark.django_db
PASSWORD = "mat-khau-thu-nghiem"
PROXY = "127.0.0.1"
ATTACKER = "203.0.113.5"


def _trust(settings, proxies):
    """PORTAL_TRUSTED_PROXIES=<proxies>, as settings.py turns it into django-axes' ipware settings."""
    settings.PORTAL_TRUSTED_PROXIES = proxies
    settings.AXES_IPWARE_PROXY_TRUSTED_IPS = proxies or None
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = (
        ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if proxies else ("REMOTE_ADDR",)
    )


@pytest.fixture(autouse=True)
def _behind_the_proxy(settings):
    _trust(settings, [PROXY])


def _login(username, password, *, client_address, via=PROXY, client=None):
    """A login POST as the proxy forwards it: from the proxy's address, the client's in X-Forwarded-For."""
    return (client or Client()).post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=via,
        HTTP_X_FORWARDED_FOR=client_address,
    )


def _fail_limit(username, client_address, **kwargs):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(username, "sai-mat-khau", client_address=client_address, **kwargs)


def test_made_up_names_from_one_address_lock_out_no_one_else(staff, secretary_a):
    """The issue's attack: five made-up names through the proxy used to lock every account for 30 minutes."""
    for n in range(settings.AXES_FAILURE_LIMIT + 2):
        _login(f"khong-co-{n}", "doan-bua", client_address=ATTACKER)
    assert _login(secretary_a.username, PASSWORD, client_address="198.51.100.7").status_code == 302
    assert _login(staff.username, PASSWORD, client_address="198.51.100.8").status_code == 302
    # Even a real account typed correctly from the attacker's own address is not locked: no failure of its own.
    assert _login(secretary_a.username, PASSWORD, client_address=ATTACKER).status_code == 302


def test_an_account_is_locked_only_from_the_address_that_failed(secretary_a):
    _fail_limit(secretary_a.username, ATTACKER)
    locked = _login(secretary_a.username, PASSWORD, client_address=ATTACKER)
    assert locked.status_code == 429
    assert _login(secretary_a.username, PASSWORD, client_address="198.51.100.7").status_code == 302


def test_the_forwarded_header_is_believed_only_from_a_trusted_proxy(secretary_a):
    """A client that talks to the portal directly cannot escape its lockout by writing X-Forwarded-For."""
    for n in range(settings.AXES_FAILURE_LIMIT):
        _login(secretary_a.username, "sai", client_address=f"192.0.2.{n}", via="10.0.0.7")
    assert AccessAttempt.objects.get().ip_address == "10.0.0.7"
    faked = _login(secretary_a.username, PASSWORD, client_address="192.0.2.99", via="10.0.0.7")
    assert faked.status_code == 429


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "client"),
    [
        ("127.0.0.1", "203.0.113.5", ["127.0.0.1"], "203.0.113.5"),
        # the client wrote a header of its own; the proxy appended the real address: the right-most counts
        ("127.0.0.1", "1.1.1.1, 203.0.113.5", ["127.0.0.1"], "203.0.113.5"),
        ("127.0.0.1", "garbage, 203.0.113.5", ["127.0.0.1"], "203.0.113.5"),
        # two proxies of ours, listed from the outermost: a load balancer in 10.1.0.0/16, then nginx on the host
        ("127.0.0.1", "203.0.113.5, 10.1.2.3", ["10.1.0.0/16", "127.0.0.1"], "203.0.113.5"),
        # ... a request that reached nginx without the load balancer: its chain is not the configured one, so
        # nothing in it is believed, not even what the client wrote to look like the balancer
        ("127.0.0.1", "10.1.2.3, 198.51.100.7", ["10.1.0.0/16", "127.0.0.1"], "127.0.0.1"),
        ("10.0.0.7", "203.0.113.5", ["127.0.0.1"], "10.0.0.7"),  # not a trusted proxy: the header is ignored
        # a client talking to the portal directly, writing a chain that ends in the proxy's address
        ("10.0.0.7", "203.0.113.5, 127.0.0.1", ["127.0.0.1"], "10.0.0.7"),
        ("127.0.0.1", "203.0.113.5", [], "127.0.0.1"),  # no trusted proxy configured (the default)
        ("203.0.113.9", "198.51.100.7", [], "203.0.113.9"),
        ("127.0.0.1", "", ["127.0.0.1"], "127.0.0.1"),
        ("127.0.0.1", "nonsense", ["127.0.0.1"], "127.0.0.1"),
        ("::1", "2001:db8::5", ["::1"], "2001:db8::5"),
        ("127.0.0.1", "203.0.113.5:51000", ["127.0.0.1"], "203.0.113.5"),
        ("127.0.0.1", "10.20.30.40", ["127.0.0.1"], "10.20.30.40"),  # a client on the agencies' own network
    ],
)
def test_client_address(settings, remote, forwarded, trusted, client):
    """The address django-axes locks (and the security log names): django-ipware's reading with our settings."""
    _trust(settings, trusted)
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == client


def test_trusted_proxies_need_django_ipware_and_valid_entries(settings):
    """Without django-ipware, django-axes would quietly take the proxy's address for everyone; a typo in the
    list would fail every login. Both stop the start (``manage.py check``) instead."""
    assert [e.id for e in run_checks() if e.id.startswith("khoi.")] == []
    _trust(settings, ["127.0.0.1", "10.0.0.0/33"])
    assert [e.id for e in run_checks() if e.id.startswith("khoi.")] == ["khoi.E002"]


def test_a_refused_attempt_does_not_extend_the_lockout_and_the_page_says_until_when(secretary_a):
    _fail_limit(secretary_a.username, ATTACKER)
    twenty_minutes_ago = timezone.now() - dt.timedelta(minutes=20)
    AccessAttempt.objects.update(attempt_time=twenty_minutes_ago)
    refused = _login(secretary_a.username, "lai-sai", client_address=ATTACKER)
    assert refused.status_code == 429
    assert AccessAttempt.objects.get().attempt_time == twenty_minutes_ago  # the cool-off was not restarted
    until = timezone.localtime(twenty_minutes_ago + dt.timedelta(hours=settings.AXES_COOLOFF_TIME))
    page = refused.content.decode()
    assert f"đến {until:%H:%M} ngày {until:%d/%m/%Y}" in page, re.sub(r"\s+", " ", page)[-900:]
    # Once the cool-off has passed since the last counted failure, the account works again from there too.
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - dt.timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1)
    )
    assert _login(secretary_a.username, PASSWORD, client_address=ATTACKER).status_code == 302


def test_staff_lift_one_lockout_from_its_row(client_for, staff, secretary_a, secretary_b):
    _fail_limit(secretary_a.username, ATTACKER)
    _fail_limit(secretary_b.username, ATTACKER)
    page = client_for(staff).get(reverse("lockout_list")).content.decode()
    rows = re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td>.*?Mở khóa</button>", page, re.S)
    assert sorted(rows) == [(secretary_a.username, ATTACKER), (secretary_b.username, ATTACKER)]
    assert page.count("Khóa đến") == 1 and page.count("Mở khóa</button>") == 2
    client_for(staff).post(reverse("lockout_reset"), {"username": secretary_a.username, "ip": ATTACKER})
    assert _login(secretary_a.username, PASSWORD, client_address=ATTACKER).status_code == 302
    # The other account locked from the same address stays locked.
    assert _login(secretary_b.username, PASSWORD, client_address=ATTACKER).status_code == 429
    page = client_for(staff).get(reverse("lockout_list")).content.decode()
    assert secretary_b.username in page and secretary_a.username not in page
