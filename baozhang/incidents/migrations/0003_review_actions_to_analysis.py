"""The incident reviews' actions move to cause analysis (Q2: one tracker of corrective and
preventive actions). Each review becomes its incident's analysis — root cause = the
review's cause, the cause category guessed from the incident's class where one fits
(software, hardware, link, human; otherwise left unclassified for the operator to set) —
and each of its actions an analysis action (preventive, created at the review). Then the
incidents' own action table goes."""

from django.db import migrations

# Incident class -> cause category key (analysis 0002); other classes stay unclassified.
CATEGORY_OF_CLASS = {
    "software": "software",
    "equipment_fault": "hardware",
    "egress_link": "link",
    "human_caused": "human",
}


def to_analysis(apps, schema_editor):
    IncidentReview = apps.get_model("incidents", "IncidentReview")
    ReviewAction = apps.get_model("incidents", "ReviewAction")
    CauseCategory = apps.get_model("analysis", "CauseCategory")
    Analysis = apps.get_model("analysis", "Analysis")
    Action = apps.get_model("analysis", "Action")
    categories = {c.key: c for c in CauseCategory.objects.all()}
    for review in IncidentReview.objects.select_related("incident").order_by("pk"):
        incident = review.incident
        analysis, _created = Analysis.objects.get_or_create(
            subject_kind="incident",
            subject_id=incident.pk,
            defaults={
                "subject_label": f"{incident.reference} {incident.title}"[:200],
                "occurred_at": incident.detected_at,
                "service_id": incident.service_id,
                "category": categories.get(CATEGORY_OF_CLASS.get(incident.classification, "")),
                "root_cause": review.cause,
                "analysed_by_id": review.reviewed_by_id,
                "analysed_at": review.reviewed_at,
            },
        )
        for action in ReviewAction.objects.filter(review=review).order_by("pk"):
            Action.objects.create(
                analysis=analysis,
                kind="preventive",
                description=action.description,
                owner_id=action.owner_id,
                due_on=action.due_on,
                created_at=review.reviewed_at,
                done_at=action.done_at,
            )


def back(apps, schema_editor):
    IncidentReview = apps.get_model("incidents", "IncidentReview")
    ReviewAction = apps.get_model("incidents", "ReviewAction")
    Action = apps.get_model("analysis", "Action")
    reviews = {r.incident_id: r for r in IncidentReview.objects.all()}
    for action in Action.objects.filter(analysis__subject_kind="incident").select_related(
        "analysis"
    ):
        review = reviews.get(action.analysis.subject_id)
        if review is not None:
            ReviewAction.objects.create(
                review=review,
                description=action.description,
                owner_id=action.owner_id,
                due_on=action.due_on,
                done_at=action.done_at,
            )
    Action.objects.filter(analysis__subject_kind="incident").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0002_service_in_catalog"),
        ("analysis", "0002_built_in_categories"),
    ]

    operations = [
        migrations.RunPython(to_analysis, back),
        migrations.DeleteModel(name="ReviewAction"),
    ]
