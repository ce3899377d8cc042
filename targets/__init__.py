"""Targets of the Bloc's congress and the leadership dashboard: ``Target`` and its comparators, the one
registry of indicators (``indicators.py``), the dashboard built from them (``dashboard.py``), its pages."""
