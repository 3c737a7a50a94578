from .roles import Role, primary_role, user_roles


def roles(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": frozenset(), "primary_role": None, "Role": Role}
    return {"user_roles": user_roles(user), "primary_role": primary_role(user), "Role": Role}
