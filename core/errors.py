"""Error pages in Vietnamese, rendered with the base layout."""

from urllib.parse import urlencode, urlsplit

from django.shortcuts import render
from django.template.loader import get_template
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def _page(request, status, title, message):
    return render(
        request, "error.html", {"title": title, "message": message, "status": status}, status=status
    )


def bad_request(request, exception=None):
    return _page(request, 400, "Yêu cầu không hợp lệ", "Địa chỉ hoặc dữ liệu gửi lên không hợp lệ.")


def permission_denied(request, exception=None):
    return _page(request, 403, "Không có quyền truy cập", "Vai trò của bạn không được dùng trang này.")


def page_not_found(request, exception=None):
    return _page(
        request, 404, "Không tìm thấy trang", "Trang bạn tìm không tồn tại hoặc bạn không có quyền xem."
    )


def server_error(request):
    # No context processors here: the error may have come from them.
    from django.http import HttpResponseServerError

    return HttpResponseServerError(get_template("500.html").render())


def _form_path(request) -> str:
    """The page the refused form was on (the Referer, same site only), else the home page."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        split = urlsplit(referer)
        return split.path + (f"?{split.query}" if split.query else "")
    return reverse("home")


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the form was sent with a missing or stale token — most often the session ended
    (logged out in another tab, or the page stayed open past the idle timeout). Says so in Vietnamese and
    links back to the form, through the login page when the user is no longer logged in. What was typed in
    the report form is kept by the browser (static/js/report_form.js) and offered again on the form."""
    back = _form_path(request)
    logged_in = getattr(request, "user", None) is not None and request.user.is_authenticated
    link = back if logged_in else f"{reverse('login')}?{urlencode({'next': back})}"
    return render(
        request,
        "csrf_failure.html",
        {"back_url": link, "logged_in": logged_in, "status": 403},
        status=403,
    )
