"""Template access to the permission predicates, so templates never re-implement a rule."""

from django import template

from cooperatives import permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def may_edit(context, cooperative) -> bool:
    return permissions.can_edit_cooperative(context["request"].user, cooperative)
