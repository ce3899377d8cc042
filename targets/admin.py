from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Target

admin.site.register(Target, SimpleHistoryAdmin)
