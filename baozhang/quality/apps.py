from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    """Figures and reports that read across the areas (docs/architecture.md): one home for
    each statistic, computed with core's formulas from the areas' selectors."""

    name = "baozhang.quality"
    label = "quality"
    verbose_name = _("Quality")

    def ready(self) -> None:
        from baozhang.quality.equipment import register_report_providers

        # Statistics (3) and (4) of the report from the asset register, monitoring and
        # incidents (quality/equipment.py).
        register_report_providers()
        # Draft the report of each month, quarter and year once it closes (Q3).
        from baozhang.jobs.registry import register_periodic
        from baozhang.quality.submissions import draft_closed_periods

        register_periodic("quality.draft_closed_periods", draft_closed_periods, 3600)
