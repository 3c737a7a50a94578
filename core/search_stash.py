"""Search terms kept in the session, so they never travel in a URL.

A phone number or national id in a query string is written to the access log of
every server and proxy on its way, and to the browser's history (issue 15, item 8).
A search form posts its term instead; the view stashes it here under an opaque
random key and redirects to `?q=<key>`, so paging, back and reload keep working
without the term ever appearing in a URL. The key is random, not a hash of the
term: the space of phone numbers is small enough to reverse any unkeyed hash.

Sessions are rows of the database (django_session): the term is kept encrypted
(core.crypto, like the PII it names), so a dump of that table shows no number either.
"""

from __future__ import annotations

import secrets

from .crypto import PIIKeyError, decrypt, encrypt

# Enough for the searches one works through in a session; the oldest goes first.
STASH_SIZE = 20


def _term(kept: str) -> str | None:
    # A term kept under a key since removed from the keyring is a stale search.
    try:
        return decrypt(kept)
    except PIIKeyError:
        return None


def search_stash(request, *, name: str, term: str) -> str:
    """The opaque key under which `term` is kept in the session's `name` stash
    (the same key again for a term already kept)."""
    stash: dict[str, str] = dict(request.session.get(name) or {})
    for key, kept in stash.items():
        if _term(kept) == term:
            return key
    key = secrets.token_urlsafe(9)
    stash[key] = encrypt(term)
    # dicts keep insertion order, and the session serialiser (JSON) keeps it too.
    while len(stash) > STASH_SIZE:
        stash.pop(next(iter(stash)))
    request.session[name] = stash
    return key


def search_unstash(request, *, name: str, key: str) -> str | None:
    """The term kept under `key`, or None when this session holds no such key (an
    old bookmark, another person's link, or a term typed into the URL)."""
    kept = (request.session.get(name) or {}).get(key)
    return None if kept is None else _term(kept)
