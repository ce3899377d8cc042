"""The report form as a browser would send it (shared by the locust scenario and the throughput script)."""

import re

FIELD = re.compile(r"<(input|textarea)\b([^>]*)>(?:([^<]*)</textarea>)?", re.S)
ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')


def form_data(html: str) -> dict:
    """The report form as the page prefills it, with every empty figure set to 0 and narratives filled."""
    data = {}
    for tag, attrs, body in FIELD.findall(html):
        a = dict(ATTR.findall(attrs))
        name = a.get("name")
        if not name or a.get("type") in ("submit", "button", "file", "checkbox"):
            continue
        value = a.get("value", body or "")
        if (
            not value.strip()
        ):  # an empty text area still holds the new line the renderer writes after <textarea>
            value = "Đã thực hiện theo kế hoạch." if tag == "textarea" else "0"
        data[name] = value
    return data


def start_if_needed(get, post, url: str, response):
    """A period's page whose report is not started shows "Bắt đầu nhập báo cáo" (a POST): press it, as a
    person does, and return the report form; otherwise `response` is the form already."""
    if "Bắt đầu nhập báo cáo" not in response.text:
        return response
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text).group(1)
    return post(url, {"csrfmiddlewaretoken": token})
