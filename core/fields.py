"""Model fields for PII at rest (core.crypto): an encrypted text column, and the
plain columns derived from it on every write (a keyed hash for exact look-ups, a
masked form for lists), so `save()`, `bulk_create` and django-simple-history's
copies all keep them in step without any caller remembering to.

Derived columns are computed in `pre_save`, which Django calls for `save()` and for
every object of `bulk_create`; `QuerySet.update()` and `bulk_update()` do not call
it, so code that changes an encrypted value that way must set the derived columns
itself (the rotation command and migrations do).
"""

from __future__ import annotations

import json

from django.core.exceptions import EmptyResultSet
from django.db import models
from django.utils.module_loading import import_string

from . import crypto

# Look-ups that compare the stored column itself, not the clear value: `isnull`, and
# django-pgtrigger's IS [NOT] DISTINCT FROM between OLD and NEW rows (the ledger's
# read-only triggers): a re-encrypted value is a changed value to them.
COLUMN_LOOKUPS = frozenset({"isnull", "df", "ndf"})


class EncryptedTextField(models.TextField):
    """Text stored as AES-GCM ciphertext ("v1:<key id>:..."), plain in Python.

    Only `isnull` look-ups make sense on ciphertext with random nonces: any other
    raises at query-building time, so a missed exact match on PII fails loudly
    instead of silently finding nothing. Look up through the hash column instead."""

    def from_db_value(self, value, expression, connection):
        return crypto.decrypt(value)

    def to_python(self, value):
        value = super().to_python(value)
        return crypto.decrypt(value) if crypto.is_encrypted(value) else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return crypto.encrypt(value)

    def hash_field(self):
        for f in self.model._meta.concrete_fields:
            if isinstance(f, LookupHashField) and f.source == self.name:
                return f
        return None

    def get_lookup(self, lookup_name):
        if lookup_name in COLUMN_LOOKUPS:
            return super().get_lookup(lookup_name)
        if lookup_name in ("exact", "in") and self.hash_field() is not None:
            return HashedExact if lookup_name == "exact" else HashedIn
        raise TypeError(
            f"{self.model.__name__}.{self.name} is encrypted: only exact and in "
            f"look-ups (through its hash column) work, not __{lookup_name}."
        )


class EncryptedJSONField(models.JSONField):
    """A JSON document stored as one encrypted JSON string (webhook payloads: the
    sender's number and the text of a reply). No look-ups into it."""

    def from_db_value(self, value, expression, connection):
        value = super().from_db_value(value, expression, connection)
        if isinstance(value, str) and crypto.is_encrypted(value):
            return json.loads(crypto.decrypt(value))
        return value

    def get_prep_value(self, value):
        if value is None:
            return value
        sealed = crypto.encrypt(json.dumps(value, cls=self.encoder))
        return super().get_prep_value(sealed)

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise TypeError(f"{self.model.__name__}.{self.name} is encrypted.")

    def get_transform(self, name):
        raise TypeError(f"{self.model.__name__}.{self.name} is encrypted.")


class HashedExact(models.Lookup):
    """`value=x` on an encrypted field, answered by its hash column (`value_hash =
    hmac(x)`), so the index on the hash serves it and no key reaches SQL."""

    lookup_name = "exact"
    prepare_rhs = False

    def _hash_col(self, compiler):
        field = self.lhs.output_field.hash_field()
        return field, compiler.compile(field.get_col(self.lhs.alias))

    def as_sql(self, compiler, connection):
        field, (sql, params) = self._hash_col(compiler)
        return f"{sql} = %s", [*params, crypto.pii_hash(field.purpose, self.rhs)]


class HashedIn(HashedExact):
    lookup_name = "in"

    def as_sql(self, compiler, connection):
        field, (sql, params) = self._hash_col(compiler)
        values = [crypto.pii_hash(field.purpose, v) for v in self.rhs]
        if not values:
            raise EmptyResultSet
        marks = ", ".join(["%s"] * len(values))
        return f"{sql} IN ({marks})", [*params, *values]


class _DerivedField(models.CharField):
    def __init__(self, *args, source: str = "", **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, value in (("max_length", 64), ("blank", True), ("default", "")):
            if kwargs.get(key) == value:
                del kwargs[key]
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def derive(self, instance) -> str:
        raise NotImplementedError

    def pre_save(self, model_instance, add):
        value = self.derive(model_instance)
        setattr(model_instance, self.attname, value)
        return value


class LookupHashField(_DerivedField):
    """HMAC-SHA256 (hex) of the `source` field, under PII_HMAC_KEY and a purpose
    (equal values of one purpose hash equal across tables: a contact point's
    `value_hash` and an attempt's `contact_value_hash`); "" for a blank value."""

    def __init__(self, *args, purpose: str = "", **kwargs):
        self.purpose = purpose
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["purpose"] = self.purpose
        return name, path, args, kwargs

    def derive(self, instance) -> str:
        return crypto.pii_hash(self.purpose, getattr(instance, self.source) or "")


class MaskedField(_DerivedField):
    """The masked form of `source` as lists show it, by `masker` (dotted path of a
    function of the instance), kept plain so lists and searches need no key."""

    def __init__(self, *args, masker: str = "", **kwargs):
        self.masker = masker
        kwargs.setdefault("max_length", 64)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["masker"] = self.masker
        return name, path, args, kwargs

    def derive(self, instance) -> str:
        if not getattr(instance, self.source):
            return ""
        return import_string(self.masker)(instance)[: self.max_length]


def derived_refresh(instance) -> list[str]:
    """Recompute `instance`'s hash and masked fields (for `bulk_update`, which does
    not call `pre_save`); returns their names, to add to its field list."""
    names = []
    for f in instance._meta.concrete_fields:
        if isinstance(f, _DerivedField):
            f.pre_save(instance, add=False)
            names.append(f.name)
    return names
