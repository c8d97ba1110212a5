"""Template access to the permission predicates, so templates never re-implement a rule."""

from django import template

from cooperatives import permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def may_edit(context, cooperative) -> bool:
    request = context.get("request")
    user = request.user if request is not None else context.get("user")
    return user is not None and permissions.can_edit_cooperative(user, cooperative)
