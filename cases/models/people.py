"""Teams and their work queues, customers and their contact points."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.fields import EncryptedTextField, LookupHashField, MaskedField

from ..masking import mask_contact


class Team(models.Model):
    """A group of collectors and the supervisors who oversee them."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    supervisors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="supervised_teams",
        blank=True,
        verbose_name=_("supervisors"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="teams",
        blank=True,
        verbose_name=_("members"),
    )
    history = HistoricalRecords(m2m_fields=[supervisors, members])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        # The demo's names are in the catalogue and read in the reader's language in
        # choice lists, as `{{ name|seeded }}` does on pages (core_tags).
        return gettext(self.name) if self.name else self.name


class WorkQueue(models.Model):
    """A named queue of work with membership criteria, worked by one team.

    `criteria` is a small JSON document: {"buckets": ["31-60"], "min_overdue": "1000",
    "products": [...], "regions": [...]}; empty means "everything".
    """

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        related_name="queues",
        null=True,
        blank=True,
        verbose_name=_("team"),
    )
    criteria = models.JSONField(_("membership criteria"), default=dict, blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["priority", "code"]

    def __str__(self) -> str:
        # The demo's names are in the catalogue and read in the reader's language in
        # choice lists, as `{{ name|seeded }}` does on pages (core_tags).
        return gettext(self.name) if self.name else self.name


class Customer(models.Model):
    """A borrower, as known to core banking."""

    class Language(models.TextChoices):
        EN = "en", _("English")
        ZH_HANS = "zh-hans", _("Simplified Chinese")

    reference = models.CharField(_("reference"), max_length=64, unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    # Encrypted at rest (core.crypto), shown masked (see cases.masking); reveal is
    # audited. Exact search goes by national_id_hash.
    national_id = EncryptedTextField(_("national id"), max_length=64, blank=True)
    national_id_hash = LookupHashField(source="national_id", purpose="national_id")
    language = models.CharField(
        _("language"), max_length=10, choices=Language.choices, default=Language.ZH_HANS
    )
    country = models.CharField(_("country"), max_length=2, default="CN")
    region = models.CharField(_("region"), max_length=32, blank=True)
    address = EncryptedTextField(_("address"), blank=True)
    # Not for search: lets the import tell a changed address without decrypting.
    address_hash = LookupHashField(source="address", purpose="address")
    # The zone the bank's records carry (imported or entered): one location signal
    # among the address and the phone numbers (compliance.rules.zones).
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    # A zone the customer stated ("I live in Los Angeles now"): overrides every
    # other signal, as the customer's own word on when a call is convenient.
    # db_default: the set-based writers (imports, benchmarks) leave it to the
    # database.
    stated_time_zone = models.CharField(
        _("time zone stated by the customer"),
        max_length=64,
        blank=True,
        db_default="",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["reference"]
        indexes = [
            # Collector search by name.
            models.Index(fields=["full_name"], name="customer_name_idx"),
            # Search by national id (cases.selectors.customer_ids_by_national_id).
            models.Index(
                fields=["national_id_hash"],
                condition=~models.Q(national_id_hash=""),
                name="customer_national_id_hash_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.full_name}"


def contact_point_public_id() -> str:
    """A contact point's stable public id: what API clients see beside the masked
    value and send back to name it (they never see the full value)."""
    return "cp_" + secrets.token_hex(8)


class RandomPublicId(models.Func):
    """The same shape of id made by the database, for rows inserted by raw SQL
    (the benchmarks' portfolio builders) rather than through the ORM."""

    output_field = models.CharField()

    def as_sql(self, compiler, connection, **extra):
        return (
            "('cp_' || substr(md5(random()::text || clock_timestamp()::text), 1, 16))",
            [],
        )

    def as_sqlite(self, compiler, connection, **extra):
        return "('cp_' || lower(hex(randomblob(8))))", []


class ContactPoint(models.Model):
    """A phone number, email or postal address of a customer or of a third party."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("Email")
        ADDRESS = "address", _("Postal address")

    class Usage(models.TextChoices):
        UNKNOWN = "", _("Not known")
        MOBILE = "mobile", _("Mobile")
        HOME = "home", _("Home")
        WORK = "work", _("Work")

    class Relationship(models.TextChoices):
        SELF = "self", _("Customer")
        SPOUSE = "spouse", _("Spouse")
        RELATIVE = "relative", _("Relative")
        EMPLOYER = "employer", _("Employer")
        EMERGENCY_CONTACT = "emergency_contact", _("Emergency contact")
        OTHER = "other", _("Other")

    # Not indexed on its own: contact_point_unique leads with it.
    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="contact_points",
        db_index=False,
    )
    # Unique, and indexed by that: inputs name a contact point by it.
    public_id = models.CharField(
        _("public id"),
        max_length=24,
        unique=True,
        default=contact_point_public_id,
        db_default=RandomPublicId(),
        editable=False,
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # Phones are E.164 (+8613800138000), emails lower-cased; encrypted at rest
    # (core.crypto). Exact look-ups go by value_hash, lists show value_masked.
    value = EncryptedTextField(_("value"), max_length=320)
    value_hash = LookupHashField(source="value", purpose="contact")
    value_masked = MaskedField(source="value", masker="cases.masking.point_masked")
    relationship = models.CharField(
        _("relationship"),
        max_length=20,
        choices=Relationship.choices,
        default=Relationship.SELF,
    )
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    # Where the customer is reached through it: "not at work" / "not at home"
    # statements block the work and home ones (compliance.rules.preferences).
    usage = models.CharField(
        _("usage"),
        max_length=10,
        choices=Usage.choices,
        blank=True,
        default="",
        # Raw inserts (bench, imports) that name no usage get "" too.
        db_default="",
    )
    is_primary = models.BooleanField(_("primary"), default=False)
    consent = models.BooleanField(_("consent to contact"), default=True)
    consent_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    opted_out_at = models.DateTimeField(_("opted out at"), null=True, blank=True)
    invalid_at = models.DateTimeField(_("marked invalid at"), null=True, blank=True)
    invalid_reason = models.CharField(_("invalid reason"), max_length=100, blank=True)
    # A third party who asked never to be contacted again (CN.3P-CONTACT).
    refused_at = models.DateTimeField(_("refused contact at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["customer_id", "-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "channel", "value_hash"],
                name="contact_point_unique",
            ),
        ]
        indexes = [
            # Inbound SMS replies and webhook look-ups by number.
            models.Index(
                fields=["channel", "value_hash"], name="contact_point_value_idx"
            ),
        ]

    def __str__(self) -> str:
        # Masked: str() of a row shows in the admin's relations, history and logs.
        return f"{self.get_channel_display()} {mask_contact(self.channel, self.value)}"

    @property
    def is_third_party(self) -> bool:
        return self.relationship != self.Relationship.SELF
