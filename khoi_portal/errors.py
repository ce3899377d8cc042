"""Error pages in Vietnamese, rendered with the base layout."""

from django.shortcuts import render
from django.template.loader import get_template


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
