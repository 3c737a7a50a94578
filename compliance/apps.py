from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _chain_heads_install(sender, using="default", **kwargs):
    # The chains' head rows exist before any writer needs one: a writer creating
    # them inside its transaction would make a concurrent first writer wait on its
    # uncommitted rows. Each deploy's migrate adds heads for a raised
    # LEDGER_CHAIN_SHARDS (compliance.chain).
    from .chain import chain_heads_ensure

    chain_heads_ensure(using=using)


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = _("Compliance")

    def ready(self):
        post_migrate.connect(_chain_heads_install, sender=self)
