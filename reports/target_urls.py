"""Yearly targets (committee staff). Included in reports/urls.py under the ``reports`` namespace."""

from django.urls import path

from . import target_views

target_patterns = [
    path("targets/", target_views.target_list, name="target_list"),
    path("targets/new/", target_views.target_create, name="target_create"),
    path("targets/<int:pk>/edit/", target_views.target_update, name="target_update"),
    path("targets/copy/", target_views.target_copy, name="target_copy"),
]
