"""The Content-Security-Policy middleware: django-csp's, with the policy in portal/settings/headers.py.

Every page gets the strict policy: no inline script, no inline style. Wagtail's admin (/admin/)
gets the same script policy, `script-src 'self'`, after two changes of ours:

* five Wagtail templates whose widgets start themselves with an inline `<script>` (the date,
  date-time and time pickers; InlinePanel and MultipleChooserPanel) are overridden in
  portal/web/templates/wagtailadmin/ (an app directory before wagtail.admin, where the form
  renderer looks for widget templates too) to leave the call as data;
* Wagtail's chooser widgets (documents, images, pages, snippets) get the same treatment from
  `patch_wagtail_choosers` below;

and portal/static/js/admin-csp-init.js makes those calls. Wagtail's editor scripts (Draftail, the
date picker) also insert `<style>` elements of their own at run time, whose content varies, so
no hash or nonce can allow them: for /admin/ paths only, `style-src` adds 'unsafe-inline'
(`ADMIN_RELAXATION`). Inline style cannot run code; the admin is behind the staff login.
A headless Chromium test (tests/security/test_findings_headers.py) opens the admin, an item's
editor (adds a material row) and a policy's date picker and finds no violation.
"""

from __future__ import annotations

import inspect
import json

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest, HttpResponseBase
from django.utils.html import format_html
from django.utils.safestring import mark_safe

ADMIN_PREFIX = "/admin/"
ADMIN_RELAXATION: dict[str, list[str]] = {"style-src": [UNSAFE_INLINE]}


class CunbanCSPMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if ADMIN_RELAXATION and request.path_info.startswith(ADMIN_PREFIX) and parts.update is None:
            parts.update = dict(ADMIN_RELAXATION)
        return parts


# Wagtail's chooser widgets (documents, images, pages, snippets) end their markup with
# `<script>new DocumentChooser("id", {...});</script>`. The same call as data instead:
CHOOSER_CONSTRUCTORS = {"Chooser", "DocumentChooser", "ImageChooser", "PageChooser", "SnippetChooser"}


def _chooser_render_without_inline_script(self, name, value, attrs=None, renderer=None):
    """BaseChooser.render, leaving the initialiser's call for admin-csp-init.js (see above)."""
    try:
        id_ = attrs["id"]
    except (KeyError, TypeError) as error:
        raise TypeError("BaseChooser cannot be rendered without an 'id' attribute") from error
    value_data = self.get_value_data(value)
    widget_html = self.render_html(name, value_data, attrs)
    options = json.dumps(self.get_js_init_options(id_, name, value_data))
    call = format_html(
        '<span hidden data-cunban-new="{}" data-cunban-target="{}" data-cunban-options="{}"></span>',
        self.js_constructor,
        id_,
        options,
    )
    return mark_safe(widget_html + call)  # noqa: S308 - widget_html is Wagtail's, the rest escaped


def patch_wagtail_choosers() -> None:
    """Install the render above on Wagtail's BaseChooser, once, at start-up (WebConfig.ready).

    Only if BaseChooser still builds its script the way Wagtail 8.0 does (`render_js_init` as
    written there): a Wagtail upgrade that changes it keeps Wagtail's own render, and the
    browser test in tests/security/test_findings_headers.py shows the violation.
    """
    # why: Wagtail's admin needs the apps loaded; called from WebConfig.ready
    from wagtail.admin.widgets.chooser import BaseChooser

    if getattr(BaseChooser, "_cunban_csp", False):
        return
    original_js_init = BaseChooser.render_js_init
    if "new {self.js_constructor}(" not in inspect.getsource(original_js_init):
        return
    BaseChooser.render = _chooser_render_without_inline_script
    BaseChooser._cunban_csp = True
