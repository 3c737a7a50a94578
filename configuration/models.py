"""Drafts of configuration that has no draft state of its own.

Rule packs (compliance.RulePack) are one row per pack whose every save is a new
version; a `RulePackDraft` holds proposed parameters until an admin has simulated
them and activates them through `compliance.services.rule_pack_update`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from compliance.floors import FloorBreach


class RulePackDraft(models.Model):
    """Proposed parameters for a rule pack, made against the pack's `base_version`.

    `parameters` are complete (the change merged over the base version's parameters
    and validated), so the draft can be compiled and simulated as it stands.
    Activation is refused once the pack has moved past `base_version`.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVATED = "activated", _("Activated")
        DISCARDED = "discarded", _("Discarded")

    code = models.SlugField(_("rule pack"), max_length=20)
    # Numbered per pack: the reference in URLs (/rule-packs/cn/drafts/3/).
    number = models.PositiveIntegerField(_("number"))
    base_version = models.PositiveIntegerField(_("base version"))
    parameters = models.JSONField(_("parameters"))
    reason = models.CharField(_("why this change"), max_length=100)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # The pack version activation created.
    activated_version = models.PositiveIntegerField(
        _("activated as version"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Where the parameters go beyond the law (compliance.floors), as found when the
    # draft was saved; such a draft needs a legal-review override, asked for by its
    # author with a reason and approved by a second admin, before it can go live.
    floor_breaches = models.JSONField(_("beyond the legal floors"), default=list)
    override_reason = models.TextField(_("legal-review override"), blank=True)
    override_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("override approved by"),
    )
    override_approved_at = models.DateTimeField(
        _("override approved at"), null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["code", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "number"], name="rule_pack_draft_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} draft {self.number} (on v{self.base_version})"

    @property
    def breaches(self) -> list[FloorBreach]:
        return [FloorBreach.from_dict(b) for b in self.floor_breaches]

    @property
    def needs_override_approval(self) -> bool:
        return bool(self.floor_breaches) and self.override_approved_by_id is None
