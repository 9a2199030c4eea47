"""The M4 plan made into campaigns in one action: the classes the plan funds get the « Socle
classe » kit, and, when the plan funds them, the schools' shared packs the « Socle école » kit
and the heads the « Socle direction » kit. A campaign holds one kit, so the action creates one
M4 campaign per kit the plan funds (at most three), on the envelope's node, and allocates it
through the deployments service (:func:`.deployments.allocate`: the actor's grants of
``equipment.allocate`` on the node and on each school, the classes that already have the kit
skipped and listed).

**Idempotent.** The envelope's row is locked (``select_for_update``) while the plan is computed
again and allocated: of two submits of one confirmation, the second waits, then finds every
class (and school) of the plan already holding its kit, and creates no campaign. A plan that
changed since the person read it (an audit, an order, a price) is refused with the reason,
through the fingerprint of what they confirmed (:func:`fingerprint`)."""

import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone

from tne.core.formats import euros
from tne.core.models import AuditSource
from tne.programme.models import Envelope, Measure

from ..models import Campaign, KitTemplate
from ..perms import can_allocate_at
from ..plan import M4, Plan, plan_for
from . import deployments
from .deployments import AllocationPlan, Selection

CLASS_KIT, SCHOOL_KIT, HEAD_KIT = "socle-classe", "socle-ecole", "socle-direction"
# The parts of a plan, in the order they are created: (kit, what its campaign equips).
PARTS = (
    (CLASS_KIT, "classes"),
    (SCHOOL_KIT, "lots mutualisés des écoles"),
    (HEAD_KIT, "équipement des directions"),
)
KIT_OF_KIND = {"SCHOOL": SCHOOL_KIT, "HEAD": HEAD_KIT}
CHANGED = (
    "Le plan a changé depuis que vous l'avez lu (un audit, une commande ou un prix)\u00a0: "
    "relisez-le avant de créer la campagne."
)


@dataclass
class Part:
    """One kit of the plan: its campaign (unsaved in a preview) and what its allocation does."""

    kit: KitTemplate
    what: str
    allocation: AllocationPlan
    campaign: Campaign | None = None

    @property
    def created(self) -> bool:
        return self.campaign is not None and self.campaign.pk is not None


@dataclass
class PlanCampaigns:
    plan: Plan
    fingerprint: str
    parts: list[Part] = field(default_factory=list)

    @property
    def campaigns(self) -> list[Campaign]:
        return [p.campaign for p in self.parts if p.created]

    @property
    def to_create(self) -> int:
        return sum(len(p.allocation.to_create) for p in self.parts)

    @property
    def skipped(self) -> int:
        return sum(len(p.allocation.skipped) for p in self.parts)

    @property
    def created(self) -> int:
        return sum(p.allocation.created for p in self.parts)


def fingerprint(plan: Plan) -> str:
    """What a person confirms: the envelope, its budget, the classes and the kits funded."""
    parts = [
        f"envelope={plan.envelope.pk}",
        f"budget={plan.budget}",
        "classes=" + ",".join(str(c.gap.class_id) for c in plan.classes),
        "kits=" + ",".join(f"{k.kind}:{k.school.pk}" for k in plan.kits),
    ]
    return hashlib.sha256(";".join(parts).encode()).hexdigest()


def campaign_name(node, what: str, day) -> str:
    return f"Socle numérique — {node} — {what} (plan du {formats.date_format(day, 'j F Y')})"


def _selections(plan: Plan) -> dict[str, Selection]:
    """The selection of each kit the plan funds."""
    selections = {}
    if plan.classes:
        selections[CLASS_KIT] = Selection(class_ids=tuple(c.gap.class_id for c in plan.classes))
    for kind, code in KIT_OF_KIND.items():
        schools = tuple(k.school.pk for k in plan.kits if k.kind == kind)
        if schools:
            selections[code] = Selection(school_ids=schools)
    return selections


def _parts(plan: Plan, actor) -> list[tuple[Part, Selection]]:
    """Each kit of the plan with its campaign (unsaved) and its allocation's preview."""
    if actor is not None and not can_allocate_at(actor, plan.envelope.node):
        raise PermissionDenied(
            f"Vous n'affectez pas d'équipement sur le territoire {plan.envelope.node}."
        )
    selections = _selections(plan)
    if not selections:
        return []
    kits = {k.code: k for k in KitTemplate.objects.filter(code__in=selections)}
    measure = Measure.objects.get(code=M4)
    today = timezone.localdate()
    parts = []
    for code, what in PARTS:
        if code not in selections:
            continue
        if code not in kits:
            raise ValidationError(f"Le kit «\u00a0{code}\u00a0» manque au catalogue.")
        campaign = Campaign(
            name=campaign_name(plan.node, what, today),
            measure=measure,
            kit=kits[code],
            node=plan.envelope.node,
        )
        preview = deployments.plan_allocations(
            campaign=campaign, selection=selections[code], actor=actor
        )
        parts.append((Part(kit=kits[code], what=what, allocation=preview), selections[code]))
    return parts


def preview(plan: Plan, *, actor) -> PlanCampaigns:
    """What creating the campaigns of ``plan`` would do (nothing written)."""
    result = PlanCampaigns(plan=plan, fingerprint=fingerprint(plan))
    result.parts = [part for part, _ in _parts(plan, actor)]
    return result


@transaction.atomic
def create_campaigns_from_plan(
    *,
    envelope: Envelope,
    actor,
    include_school_packs: bool = False,
    include_head_kits: bool = False,
    expected: str | None = None,
    source: str = AuditSource.UI,
) -> PlanCampaigns:
    """Creates the M4 campaigns of the plan of ``envelope`` and allocates them (see the
    module's docstring). ``expected``: the fingerprint of the plan the person confirmed; a
    different plan now is refused. A part whose classes (or schools) all have their kit
    already creates no campaign."""
    envelope = (
        Envelope.objects.select_for_update().select_related("node", "measure").get(pk=envelope.pk)
    )
    if envelope.measure.code != M4:
        raise ValidationError("Seule une enveloppe de la mesure M4 finance le socle numérique.")
    plan = plan_for(
        envelope.node,
        envelope,
        include_school_packs=include_school_packs,
        include_head_kits=include_head_kits,
    )
    result = PlanCampaigns(plan=plan, fingerprint=fingerprint(plan))
    if expected is not None and expected != result.fingerprint:
        raise ValidationError(CHANGED)
    note = (
        f"Créée depuis le plan de financement de l'enveloppe M4 de {envelope.node} "
        f"(budget disponible {euros(plan.budget)})."
    )
    for part, selection in _parts(plan, actor):
        result.parts.append(part)
        if not part.allocation.to_create:
            continue  # Everything already has this kit: nothing to create (a double submit).
        part.campaign = deployments.create_campaign(
            name=part.allocation.campaign.name,
            measure=part.allocation.campaign.measure,
            kit=part.kit,
            node=envelope.node,
            note=note,
            actor=actor,
            source=source,
        )
        part.allocation = deployments.allocate(
            campaign=part.campaign, selection=selection, actor=actor, source=source
        )
    return result


__all__ = [
    "CHANGED",
    "PlanCampaigns",
    "campaign_name",
    "create_campaigns_from_plan",
    "fingerprint",
    "preview",
]
