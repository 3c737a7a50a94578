"""System checks for the PII keyring: without keys production refuses to start
(every manage.py command, gunicorn's first request through the check framework,
and `check --deploy` report it), and a deployment on the public development keys is
an error."""

from django.core.checks import Error, Tags, register

from . import crypto


@register(Tags.security)
def pii_keys_check(app_configs=None, **kwargs):
    try:
        crypto.keyring()
    except crypto.PIIKeyError as exc:
        return [
            Error(
                str(exc),
                hint="Set PII_KEYS (or PII_KEY_FILE) and PII_HMAC_KEY; see "
                "docs/security.md, 'PII at rest'.",
                id="core.E010",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def pii_development_keys_check(app_configs=None, **kwargs):
    try:
        ring = crypto.keyring()
    except crypto.PIIKeyError:
        return []  # reported by pii_keys_check
    if ring.development:
        return [
            Error(
                "PII is encrypted under the public development keys.",
                hint="Set PII_KEYS and PII_HMAC_KEY from a secret store.",
                id="core.E011",
            )
        ]
    return []
