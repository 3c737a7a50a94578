"""The shared kernel: what every app needs and no app owns.

Roles, the domain error and its one API shape, input parsing, API permissions, money,
the history helper, the read-only admin mixin, form errors and the set-based write
helpers. It imports no other app of the project (the import contract in
.importlinter).
"""
