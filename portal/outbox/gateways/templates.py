"""Which approved provider template carries a message, and with which values.

`CUNBAN_SMS_TEMPLATES` lists one entry per template key, separated by commas or new lines:

    one-time-code=SMS_465000001:code|minutes, accepted=SMS_465000002:ref|due, staff-overdue=SMS_465000003

An entry is `key=TEMPLATE_ID`, optionally followed by `:` and the template's variables in
order, separated by `|`. The key is the message's `template_key` (the topic, "staff-" and the
topic for a staff account, or a kind the caller named); the variables are names from the
message's `template_params`, fixed when it was queued. Aliyun's named variables take them by
name (without a list: every parameter the message has); Tencent's numbered variables `{1}`,
`{2}` take them in the listed order, so Tencent needs the list (`TEMPLATE_ID:` for none).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings

from ..senders import SendError

if TYPE_CHECKING:
    from ..models import OutboxMessage

# The code kept on a message given up because no template is configured for it.
NO_TEMPLATE = "cunban.NO_TEMPLATE"
MISSING_PARAMETER = "cunban.MISSING_TEMPLATE_PARAMETER"


@dataclass(frozen=True)
class Template:
    """One approved template: its provider id and, if listed, its variables in order."""

    template_id: str
    variables: tuple[str, ...] | None = None


def templates_parse(spec: str) -> dict[str, Template]:
    """The entries of a CUNBAN_SMS_TEMPLATES value; ValueError naming the first bad entry."""
    templates: dict[str, Template] = {}
    for entry in spec.replace("\n", ",").split(","):
        entry = entry.strip()
        if not entry:
            continue
        key, sep, rest = entry.partition("=")
        key, rest = key.strip(), rest.strip()
        template_id, colon, variables = rest.partition(":")
        template_id = template_id.strip()
        if not sep or not key or not template_id:
            raise ValueError(f"{entry!r} is not key=TEMPLATE_ID[:variable|variable]")
        if key in templates:
            raise ValueError(f"{key!r} is listed twice")
        names: tuple[str, ...] | None = None
        if colon:
            names = tuple(name.strip() for name in variables.split("|") if name.strip())
            bad = [name for name in names if not name.isidentifier()]
            if bad:
                raise ValueError(f"{entry!r}: {bad[0]!r} is not a variable name")
        templates[key] = Template(template_id=template_id, variables=names)
    return templates


def configured_templates() -> dict[str, Template]:
    return templates_parse(getattr(settings, "CUNBAN_SMS_TEMPLATES", "") or "")


def template_for(message: "OutboxMessage", templates: Mapping[str, Template]) -> Template:
    """The message's template; a permanent SendError when none is configured for it."""
    key = message.template_key or message.topic
    template = templates.get(key)
    if template is None:
        raise SendError(
            f"No SMS template is configured for {key!r} (CUNBAN_SMS_TEMPLATES): the provider "
            "sends approved templates only, so this message cannot be sent.",
            permanent=True,
            code=NO_TEMPLATE,
        )
    return template


def template_values(message: "OutboxMessage", template: Template) -> dict[str, str]:
    """The values for the template's variables, by name, in the template's order.

    A variable the message has no value for gives the message up: the provider would refuse
    the template, or send it with a hole in it."""
    params = {str(name): str(value) for name, value in (message.template_params or {}).items()}
    if not params and message.reference:
        params = {"ref": message.reference}  # a message queued before parameters were stored
    if template.variables is None:
        return params
    missing = [name for name in template.variables if name not in params]
    if missing:
        raise SendError(
            f"The message has no value for the template's variable {missing[0]!r}; "
            f"it has {', '.join(sorted(params)) or 'none'}.",
            permanent=True,
            code=MISSING_PARAMETER,
        )
    return {name: params[name] for name in template.variables}
