"""Form helpers shared by every app."""

from django import forms


class DateInput(forms.DateInput):
    """A text date field typed as dd/mm/yyyy (the project's format module parses it day-first)."""

    def __init__(self, attrs=None):
        defaults = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
        super().__init__(attrs={**defaults, **(attrs or {})}, format="%d/%m/%Y")
