from core.roles import Role, primary_role, user_roles

# A mapping, not the enum: templates call callables, and calling the Role class with
# no argument fails, so `Role.COLLECTOR` in a template would silently be empty.
ROLE_NAMES = {role.name: role.value for role in Role}


def roles(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": frozenset(), "primary_role": None, "Role": ROLE_NAMES}
    return {
        "user_roles": user_roles(user),
        "primary_role": primary_role(user),
        "Role": ROLE_NAMES,
    }
