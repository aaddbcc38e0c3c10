"""Where 网办 joins the assistant's draft page (approvals.extensions.filing_panels_asked): the panel
"ask the villager to do it on their phone", without approvals importing this app."""

from django.dispatch import receiver

from approvals.extensions import Panel, filing_panels_asked

from .panels import panel_context
from .policies import may_manage_links


@receiver(filing_panels_asked, dispatch_uid="online.filing_panel")
def filing_panel(sender, application, user, **kwargs):
    if application is None or not may_manage_links(user, application):
        return None
    return Panel(template="online/_panel.html", context=panel_context(application))
