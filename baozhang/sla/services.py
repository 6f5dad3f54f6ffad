"""The only code that changes agreements. One function per action; each owns its
transaction and records its event, so the agreement's timeline is its event record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baozhang.accounts.models import OrganisationKind
from baozhang.accounts.permissions import Capability, can, is_operator_staff, require
from baozhang.events.announce import Announcement
from baozhang.events.models import EventKind
from baozhang.events.services import changed, record, snapshot
from baozhang.events.text import said
from baozhang.sla.models import (
    FREQUENCY_KINDS,
    IN_FORCE_STATUSES,
    Agreement,
    AgreementStatus,
    Downtime,
    Exclusion,
    ExemptionClause,
    Observation,
    PenaltyTier,
    Review,
    ReviewStatus,
    Risk,
    Target,
)

if TYPE_CHECKING:
    from baozhang.accounts.models import Organisation, User

AGREEMENT_FIELDS = (
    "reference",
    "title",
    "service",
    "status",
    "monthly_fee",
    "currency",
    "starts_on",
    "ends_on",
    "quality_needs",
)
EDITABLE_AGREEMENT_FIELDS = frozenset(AGREEMENT_FIELDS) - {"status"}

# The lifecycle of S2–S5: which action moves an agreement from where to where.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "negotiate": (frozenset({AgreementStatus.DRAFT}), AgreementStatus.NEGOTIATING),
    "back_to_draft": (frozenset({AgreementStatus.NEGOTIATING}), AgreementStatus.DRAFT),
    "activate": (frozenset({AgreementStatus.NEGOTIATING}), AgreementStatus.ACTIVE),
    "begin_review": (frozenset({AgreementStatus.ACTIVE}), AgreementStatus.UNDER_REVIEW),
    "resume": (frozenset({AgreementStatus.UNDER_REVIEW}), AgreementStatus.ACTIVE),
    "end": (frozenset({AgreementStatus.UNDER_REVIEW}), AgreementStatus.ENDED),
}

# Parts of an agreement that may change only while it is still being designed/negotiated.
_TERMS_OPEN = frozenset({AgreementStatus.DRAFT, AgreementStatus.NEGOTIATING})


def _check_terms_open(agreement: Agreement) -> None:
    if agreement.status not in _TERMS_OPEN:
        raise ValidationError(
            {
                "status": _(
                    "The terms of agreement %(ref)s are fixed once it is %(status)s; "
                    "change them in a new agreement or go back to negotiation first."
                )
                % {"ref": agreement.reference, "status": agreement.get_status_display()}
            }
        )


def _event(kind: str, obj: models.Model, actor: Any, agreement: Agreement, **kw: Any) -> None:
    """An event of a part of an agreement (target, clause, review …), in its timeline."""
    record(kind, obj, actor=actor, organisation=agreement.customer, parent=agreement, **kw)


@transaction.atomic
def create_agreement(
    actor: User,
    *,
    customer: Organisation,
    reference: str,
    title: str,
    **fields: Any,
) -> Agreement:
    require(actor, Capability.MANAGE_AGREEMENTS)
    if customer.kind != OrganisationKind.CUSTOMER:
        raise ValidationError({"customer": _("An agreement belongs to a customer.")})
    unknown = set(fields) - EDITABLE_AGREEMENT_FIELDS
    if unknown:
        raise ValueError(f"unknown agreement fields: {sorted(unknown)}")
    agreement = Agreement(customer=customer, reference=reference.strip(), title=title, **fields)
    agreement.full_clean()
    agreement.save()
    after = snapshot(agreement, AGREEMENT_FIELDS) | {"customer": customer.pk}
    record(EventKind.CREATED, agreement, actor=actor, after=after)
    return agreement


@transaction.atomic
def update_agreement(actor: User, agreement: Agreement, **fields: Any) -> Agreement:
    require(actor, Capability.MANAGE_AGREEMENTS)
    unknown = set(fields) - EDITABLE_AGREEMENT_FIELDS
    if unknown:
        raise ValueError(f"unknown agreement fields: {sorted(unknown)}")
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    terms = set(fields) - {"title", "service", "ends_on"}
    if terms:
        _check_terms_open(agreement)
    before = snapshot(agreement, AGREEMENT_FIELDS)
    for key, value in fields.items():
        setattr(agreement, key, value)
    agreement.full_clean()
    agreement.save(update_fields=[*fields, "updated_at"])
    old, new = changed(before, snapshot(agreement, AGREEMENT_FIELDS))
    if new:
        record(EventKind.UPDATED, agreement, actor=actor, before=old, after=new)
    return agreement


def _final_review_signed(agreement: Agreement) -> bool:
    """A final review of this round of review (opened after the agreement went under
    review the last time) signed by both sides; an older one does not count."""
    return (
        agreement.reviews.filter(
            is_final=True,
            status=ReviewStatus.SIGNED,
            created_at__gte=agreement.review_started_at,
        ).exists()
        if agreement.review_started_at
        else False
    )


@transaction.atomic
def transition(actor: User, agreement: Agreement, action: str, reason: str = "") -> Agreement:
    """Move the agreement along its lifecycle. Refused with a clear message when the action
    does not apply to its status, when it has no targets to negotiate or activate, or —
    the rule of S5 — when it would end before its final review is signed by both sides."""
    require(actor, Capability.MANAGE_AGREEMENTS)
    if action not in TRANSITIONS:
        raise ValidationError(
            {
                "action": _("Unknown action %(action)s; use one of %(allowed)s.")
                % {"action": action, "allowed": ", ".join(TRANSITIONS)}
            }
        )
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    sources, target_status = TRANSITIONS[action]
    if agreement.status not in sources:
        raise ValidationError(
            {
                "action": _("Agreement %(ref)s is %(status)s; %(action)s does not apply.")
                % {
                    "ref": agreement.reference,
                    "status": agreement.get_status_display(),
                    "action": action,
                }
            }
        )
    if action in {"negotiate", "activate"} and not agreement.targets.exists():
        raise ValidationError({"action": _("Add at least one target first.")})
    if action == "activate" and agreement.starts_on is None:
        raise ValidationError({"starts_on": _("Set the date the service starts first.")})
    if action == "end" and not _final_review_signed(agreement):
        raise ValidationError(
            {"action": _("The service cannot end before its final review is signed by both sides.")}
        )
    before = agreement.status
    agreement.status = target_status
    fields = ["status", "updated_at"]
    if action == "begin_review":
        agreement.review_started_at = timezone.now()
        fields.append("review_started_at")
    if action == "end" and agreement.ends_on is None:
        agreement.ends_on = timezone.localdate()
        fields.append("ends_on")
    agreement.save(update_fields=fields)
    record(
        EventKind.STATE_CHANGED,
        agreement,
        actor=actor,
        before={"status": before},
        after={"status": target_status},
        summary=reason[:500],
    )
    return agreement


def _add(actor: User, agreement: Agreement, obj: models.Model, fields: tuple[str, ...]) -> Any:
    obj.full_clean()
    obj.save()
    _event(
        EventKind.CREATED,
        obj,
        actor,
        agreement,
        after=snapshot(obj, fields),
        object_label=f"{agreement.reference}: {obj}",
    )
    return obj


@transaction.atomic
def add_target(
    actor: User,
    agreement: Agreement,
    *,
    tiers: list[Mapping[str, Any]] | None = None,
    **fields: Any,
) -> Target:
    """Add a target with its penalty tiers ({"threshold", "credit_percent"} each)."""
    from baozhang.sla.evaluation import validate_target

    require(actor, Capability.MANAGE_AGREEMENTS)
    _check_terms_open(agreement)
    candidate = Target(agreement=agreement, **fields)
    candidate.full_clean()
    validate_target(candidate, [dict(t) for t in tiers or []])
    target = _add(
        actor,
        agreement,
        candidate,
        (
            "name",
            "kind",
            "objective",
            "calendar_key",
            "period",
            "priority_limits",
            "clock",
            "aggregate",
            "missed_credit_percent",
        ),
    )
    # Our cost to meet a target is the operator's business, not the customer's: its event
    # belongs to no organisation, so only staff see it in the agreement's timeline.
    record(
        EventKind.UPDATED,
        target,
        actor=actor,
        parent=agreement,
        object_label=f"{agreement.reference}: {target}",
        after={"estimated_monthly_cost": target.estimated_monthly_cost},
        summary=said("internal cost estimate"),
    )
    for tier in tiers or []:
        _add(
            actor,
            agreement,
            PenaltyTier(target=target, **tier),
            ("target", "threshold", "credit_percent"),
        )
    return target


@transaction.atomic
def remove_target(actor: User, target: Target) -> None:
    require(actor, Capability.MANAGE_AGREEMENTS)
    agreement = target.agreement
    _check_terms_open(agreement)
    _event(
        EventKind.DELETED,
        target,
        actor,
        agreement,
        before=snapshot(target, ("name", "kind", "objective")),
        object_label=f"{agreement.reference}: {target}",
    )
    target.delete()


@transaction.atomic
def add_penalty_tier(actor: User, target: Target, **fields: Any) -> PenaltyTier:
    require(actor, Capability.MANAGE_AGREEMENTS)
    _check_terms_open(target.agreement)
    return _add(
        actor,
        target.agreement,
        PenaltyTier(target=target, **fields),
        ("target", "threshold", "credit_percent"),
    )


@transaction.atomic
def add_risk(actor: User, agreement: Agreement, **fields: Any) -> Risk:
    require(actor, Capability.MANAGE_AGREEMENTS)
    _check_terms_open(agreement)
    return _add(
        actor,
        agreement,
        Risk(agreement=agreement, **fields),
        ("description", "likelihood", "impact", "coverage"),
    )


@transaction.atomic
def add_clause(actor: User, agreement: Agreement, **fields: Any) -> ExemptionClause:
    require(actor, Capability.MANAGE_AGREEMENTS)
    _check_terms_open(agreement)
    return _add(actor, agreement, ExemptionClause(agreement=agreement, **fields), ("kind", "text"))


def _check_span(start: Any, end: Any) -> None:
    if start is not None and end is not None and end <= start:
        raise ValidationError({"end": _("The end must be after the start.")})


@transaction.atomic
def add_exclusion(
    actor: User, agreement: Agreement, *, clause: ExemptionClause, **fields: Any
) -> Exclusion:
    """Exclude a span under one of the agreement's clauses (it stays visible in figures)."""
    require(actor, Capability.MANAGE_AGREEMENTS)
    if clause.agreement_id != agreement.pk:
        raise ValidationError({"clause": _("The clause belongs to another agreement.")})
    _check_span(fields.get("start"), fields.get("end"))
    return _add(
        actor,
        agreement,
        Exclusion(agreement=agreement, clause=clause, **fields),
        ("clause", "start", "end", "reason"),
    )


@transaction.atomic
def record_downtime(actor: User, agreement: Agreement, **fields: Any) -> Downtime:
    require(actor, Capability.MANAGE_AGREEMENTS)
    _check_span(fields.get("start"), fields.get("end"))
    return _add(
        actor,
        agreement,
        Downtime(agreement=agreement, **fields),
        ("start", "end", "description", "source"),
    )


def record_heartbeats(
    monitor_id: int, monitor_name: str, ats: Sequence[dt.datetime]
) -> list[Observation]:
    """Each of ``ats`` (successful pings of push monitor ``monitor_id``) becomes a
    heartbeat observation of every frequency target (S3: "a backup at least every 2
    days") the monitor feeds. The system's own writing: no actor, no event (the pings
    are monitoring's record)."""
    targets = list(Target.objects.filter(monitors=monitor_id, kind__in=FREQUENCY_KINDS))
    if not targets or not ats:
        return []
    note = f"heartbeat / 心跳 · {monitor_name}"[:300]
    return Observation.objects.bulk_create(
        Observation(target=t, at=at, note=note) for t in targets for at in ats
    )


def on_heartbeats(announcement: Announcement) -> None:
    """Subscriber of monitoring's HEARTBEATS (registered in SlaConfig.ready)."""
    facts = announcement.payload
    record_heartbeats(facts["monitor_id"], facts["monitor_name"], facts["at"])


@transaction.atomic
def record_observation(actor: User, target: Target, **fields: Any) -> Observation:
    require(actor, Capability.MANAGE_AGREEMENTS)
    return _add(
        actor,
        target.agreement,
        Observation(target=target, **fields),
        ("target", "at", "value", "note"),
    )


@transaction.atomic
def open_review(
    actor: User,
    agreement: Agreement,
    *,
    period_start: Any,
    period_end: Any,
    is_final: bool = False,
    now: Any = None,
) -> Review:
    """Open a review of one period and evaluate every target over it (S5). A final review
    needs the agreement under review; a periodic one, an active agreement."""
    from baozhang.sla.evaluation import evaluate_review

    require(actor, Capability.MANAGE_AGREEMENTS)
    _check_span(period_start, period_end)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    allowed = {AgreementStatus.UNDER_REVIEW} if is_final else IN_FORCE_STATUSES
    if agreement.status not in allowed:
        raise ValidationError(
            {
                "status": _(
                    "A final review needs the agreement under review; a periodic review needs it "
                    "active or under review."
                )
            }
        )
    review = Review(
        agreement=agreement, period_start=period_start, period_end=period_end, is_final=is_final
    )
    evaluate_review(review, now=now or timezone.now())
    review.full_clean()
    review.save()
    _event(
        EventKind.CREATED,
        review,
        actor,
        agreement,
        after=snapshot(
            review,
            (
                "period_start",
                "period_end",
                "is_final",
                "all_met",
                "credit_percent",
                "credit_amount",
            ),
        ),
    )
    return review


@transaction.atomic
def reevaluate_review(actor: User, review: Review, now: Any = None) -> Review:
    from baozhang.sla.evaluation import evaluate_review

    require(actor, Capability.MANAGE_AGREEMENTS)
    review = Review.objects.select_for_update().get(pk=review.pk)
    _check_review_open(review)
    _check_unsigned(review)
    fields = ("all_met", "credit_percent", "credit_amount")
    before = snapshot(review, fields)
    evaluate_review(review, now=now or timezone.now())
    review.save(
        update_fields=["verdicts", "all_met", "credit_percent", "credit_amount", "evaluated_at"]
    )
    old, new = changed(before, snapshot(review, fields))
    _event(
        EventKind.UPDATED,
        review,
        actor,
        review.agreement,
        before=old,
        after=new,
        summary=said("review evaluated again"),
    )
    return review


def _check_review_open(review: Review) -> None:
    if review.status == ReviewStatus.SIGNED:
        raise ValidationError({"status": _("A signed review cannot be changed.")})


def _check_unsigned(review: Review) -> None:
    """Figures and the operator's words are fixed once either side has signed them: a
    signature is given to what was on the page."""
    if review.operator_signed_by_id or review.customer_signed_by_id:
        raise ValidationError(
            {"status": _("A side has already signed this review; open a new review instead.")}
        )


@transaction.atomic
def update_review(actor: User, review: Review, **fields: Any) -> Review:
    """Satisfaction may be given by the customer's people or staff; the process audit and
    notes by staff who manage agreements."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    _check_review_open(review)
    allowed = (
        {"satisfaction"}
        if not can(actor, Capability.MANAGE_AGREEMENTS)
        else {"satisfaction", "process_audit", "notes"}
    )
    if not can(actor, Capability.SIGN_REVIEWS) and not can(actor, Capability.MANAGE_AGREEMENTS):
        raise PermissionDenied(_("You are not allowed to change this review."))
    refused = set(fields) - allowed
    if not is_operator_staff(actor) and actor.organisation_id != review.agreement.customer_id:
        raise PermissionDenied(_("You are not allowed to change this review."))
    if {"process_audit", "notes"} & set(fields):
        _check_unsigned(review)
    if "satisfaction" in fields and review.customer_signed_by_id:
        raise ValidationError({"satisfaction": _("The customer has already signed.")})
    if refused:
        raise PermissionDenied(
            _("You are not allowed to change %(fields)s.") % {"fields": ", ".join(sorted(refused))}
        )
    names = tuple(fields)
    before = snapshot(review, names)
    for key, value in fields.items():
        setattr(review, key, value)
    review.full_clean()
    review.save(update_fields=list(fields))
    old, new = changed(before, snapshot(review, names))
    if new:
        _event(EventKind.UPDATED, review, actor, review.agreement, before=old, after=new)
    return review


def signing_side(actor: User, review: Review) -> str:
    """The side ("operator" or "customer") `actor` may sign `review` for now, or the
    refusal (PermissionDenied, ValidationError) saying why not. The pages ask it to show
    the button; sign_review asks it before signing."""
    require(actor, Capability.SIGN_REVIEWS)
    _check_review_open(review)
    if is_operator_staff(actor):
        require(actor, Capability.MANAGE_AGREEMENTS)
        if review.operator_signed_by_id:
            raise ValidationError({"status": _("The operator has already signed.")})
        return "operator"
    if actor.organisation_id != review.agreement.customer_id:
        raise PermissionDenied(_("Only the customer's own people sign for the customer."))
    if review.satisfaction is None:
        raise ValidationError({"satisfaction": _("Give your satisfaction (1–5) first.")})
    if review.customer_signed_by_id:
        raise ValidationError({"status": _("The customer has already signed.")})
    return "customer"


@transaction.atomic
def sign_review(actor: User, review: Review) -> Review:
    """Sign for the side the actor belongs to: the operator's staff who manage agreements,
    or the customer's own people. When both sides have signed, the review is signed."""
    review = (
        Review.objects.select_for_update().select_related("agreement__customer").get(pk=review.pk)
    )
    side = signing_side(actor, review)
    now = timezone.now()
    if side == "operator":
        review.operator_signed_by, review.operator_signed_at = actor, now
    else:
        review.customer_signed_by, review.customer_signed_at = actor, now
    before_status = review.status
    if review.operator_signed_by_id and review.customer_signed_by_id:
        review.status = ReviewStatus.SIGNED
    review.save()
    _event(
        EventKind.STATE_CHANGED,
        review,
        actor,
        review.agreement,
        before={"status": before_status},
        after={"status": review.status, "signed": side},
        summary=said("signed for the operator")
        if side == "operator"
        else said("signed for the customer"),
    )
    return review
