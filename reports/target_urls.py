"""Targets, resolutions and the reporting schedule (committee staff). Included in reports/urls.py."""

from django.urls import path

from . import target_views

target_patterns = [
    path("targets/", target_views.target_list, name="target_list"),
]
