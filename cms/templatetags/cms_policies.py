"""Template helpers for showing policies on pages that other apps own (the service item page)."""

from django import template

from cms import selectors

register = template.Library()


@register.filter
def live_policies(policies):
    """`{% with shown=page.related_policies|live_policies %}`: live ones, newest in force first.
    One query, none when the caller prefetched `related_policies`."""
    if policies is None or policies == "":  # an unknown variable in the template
        return []
    return selectors.live_policies(policies)
