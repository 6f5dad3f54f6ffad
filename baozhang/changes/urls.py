from __future__ import annotations

app_name = "changes"

urlpatterns: list = []
