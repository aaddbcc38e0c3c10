"""The county's part of the page tree: its home, policy pages (政策文件) and news.

county home (CountyHomePage, one per county; editors' permissions and the workflow hang here)
├── service guide (services_catalog.ServiceGuideIndexPage)
├── policies (PolicyIndexPage) ── PolicyPage …
└── news (NewsIndexPage) ── NewsPage …

Every change below a county home goes through `TwoPersonApprovalTask`: the editor who wrote a
change cannot publish it (see `cms.workflows` for the rule, `cms.permissions` for the set-up).
"""

from functools import partial

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.documents import get_document_model_string
from wagtail.fields import RichTextField
from wagtail.models import GroupApprovalTask, Orderable, Page
from wagtail.search import index

from portal.places.models import Region, RegionLevel
from services_catalog.models import ServiceGuideIndexPage

from . import workflows

# Enough for a policy's structure and its links; no images, tables or embeds, which read badly
# on a phone and in the large-text view (长辈版).
BODY_FEATURES = ["h2", "h3", "bold", "ol", "ul", "link", "document-link"]


class CountyHomePage(Page):
    """The root of one county's pages: its service guide, policies and news.

    Editors' page permissions are granted on this page, so each county's editors work in their
    own subtree. Villagers never see it: the portal's home page is a plain Django view, and
    this page sends its visitors there.
    """

    region = models.OneToOneField(
        Region,
        verbose_name=_("county"),
        on_delete=models.PROTECT,
        related_name="home_page",
        limit_choices_to={"level": RegionLevel.COUNTY},
    )

    content_panels = Page.content_panels + [FieldPanel("region")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.PolicyIndexPage", "cms.NewsIndexPage", "services_catalog.ServiceGuideIndexPage"]

    class Meta:
        verbose_name = _("county home")

    def serve(self, request, *args, **kwargs):
        return HttpResponseRedirect("/")

    def route(self, request, path_components):
        """The service guide is found in one query instead of two (see ServiceGuideIndexPage)."""
        if path_components:
            guide = ServiceGuideIndexPage.objects.child_of(self).filter(slug=path_components[0]).first()
            if guide is not None:
                return guide.route(request, path_components[1:])
        return super().route(request, path_components)


class PolicyIndexPage(Page):
    """The county's policy documents (政策文件), newest in force first, twenty to a page."""

    intro = models.CharField(_("introduction"), max_length=200, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.CountyHomePage"]
    subpage_types = ["cms.PolicyPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("policy list")

    def get_context(self, request, *args, **kwargs):
        # why: the page serves itself (Wagtail), and its selectors import this module
        from .selectors import policy_list_page

        context = super().get_context(request, *args, **kwargs)
        context["policies"] = policy_list_page(index=self, number=request.GET.get("page"))
        return context


class PolicyPageForm(WagtailAdminPageForm):
    """Offers only the service items of the policy's own county, so that an editor can neither
    see nor link another county's items."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "related_items" in self.fields:
            # why: the page serves itself (Wagtail), and its selectors import this module
            from .selectors import service_items_in_county_of

            self.fields["related_items"].queryset = service_items_in_county_of(
                self.parent_page or self.instance
            )


class PolicyPage(Page):
    """One policy document as villagers read it: what it says, who issued it, from when.

    `related_items` links the policy to the service items it governs; an item page shows the
    live policies that point at it (`item.related_policies`, rendered by
    `cms/includes/related_policies.html`), so the link is kept in one place, here.
    """

    summary = models.CharField(
        _("summary"),
        max_length=300,
        help_text=_("Two or three plain sentences: whom it concerns and what changes for them."),
    )
    body = RichTextField(
        _("full text"),
        features=BODY_FEATURES,
        blank=True,
        help_text=_("May stay empty when the full text is an attachment."),
    )
    effective_date = models.DateField(_("effective date (施行日期)"))
    issuing_body = models.CharField(
        _("issuing body (发文机关)"), max_length=100, help_text=_("For example 天津市宝坻区人民政府办公室.")
    )
    document_number = models.CharField(
        _("document number (文号)"),
        max_length=60,
        blank=True,
        help_text=_("For example 宝坻政办发〔2024〕3号."),
    )
    related_items = ParentalManyToManyField(
        "services_catalog.ServiceItemPage",
        verbose_name=_("related service items"),
        related_name="related_policies",
        blank=True,
    )

    base_form_class = PolicyPageForm
    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("document_number"), FieldPanel("effective_date")]),
        FieldPanel("issuing_body"),
        FieldPanel("summary"),
        FieldPanel("body"),
        InlinePanel("attachments", label=_("Attachments")),
        FieldPanel("related_items", widget=forms.CheckboxSelectMultiple),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["cms.PolicyIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")

    def get_context(self, request, *args, **kwargs):
        # why: the page serves itself (Wagtail), and its selectors import this module
        from .selectors import policy_attachments, policy_service_items

        context = super().get_context(request, *args, **kwargs)
        context["attachments"] = policy_attachments(self)
        context["service_items"] = policy_service_items(self)
        return context


class PolicyAttachment(Orderable):
    """A file published with a policy (the signed original, an explanation 政策解读, a form)."""

    page = ParentalKey(PolicyPage, on_delete=models.CASCADE, related_name="attachments")
    label = models.CharField(
        _("label"), max_length=100, help_text=_("What the file is, e.g. 政策解读 or 申请表.")
    )
    # PROTECT: a document a live policy publishes cannot be deleted from under it; Wagtail's
    # delete view shows where it is used instead.
    document = models.ForeignKey(
        get_document_model_string(), verbose_name=_("document"), on_delete=models.PROTECT, related_name="+"
    )

    panels = [FieldRowPanel([FieldPanel("label"), FieldPanel("document")])]

    class Meta(Orderable.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.label


class NewsIndexPage(Page):
    """The county's news, newest first, twenty to a page."""

    intro = models.CharField(_("introduction"), max_length=200, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.CountyHomePage"]
    subpage_types = ["cms.NewsPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("news list")

    def get_context(self, request, *args, **kwargs):
        # why: the page serves itself (Wagtail), and its selectors import this module
        from .selectors import news_list_page

        context = super().get_context(request, *args, **kwargs)
        context["news"] = news_list_page(index=self, number=request.GET.get("page"))
        return context


class NewsPage(Page):
    """A short news item: what happened or what is coming, in plain words."""

    date = models.DateField(_("date"), default=timezone.localdate)
    summary = models.CharField(_("summary"), max_length=300)
    body = RichTextField(_("text"), features=BODY_FEATURES)

    content_panels = Page.content_panels + [FieldPanel("date"), FieldPanel("summary"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news items")


class TwoPersonApprovalTask(GroupApprovalTask):
    """Group approval in which nobody approves a change they wrote (两人审核发布).

    The two people are editors of the county whose roles a county administrator granted
    (`workflows.user_is_county_granted_editor`): the approver, and whoever asked for approval.

    Members of the task's groups (a county's editors) review each other's changes. An author of
    the change waiting (see `cms.workflows.user_wrote_change`) gets no workflow buttons, finds
    the page locked with a message saying why (they may still cancel their request), does not
    see it among the changes awaiting their review, and is refused if they approve anyway.
    """

    lock_class = workflows.TwoPersonWorkflowLock

    class Meta:
        verbose_name = _("two-person approval task")
        verbose_name_plural = _("two-person approval tasks")

    def get_actions(self, obj, user):
        if workflows.user_wrote_change(obj, user):
            return []
        if not workflows.user_is_county_granted_editor(user, obj):
            return []
        return super().get_actions(obj, user)

    def locked_for_user(self, obj, user):
        # Locking authors out while the change waits keeps the reviewed text and the published
        # text the same: an author's later edit would otherwise go live with the approval.
        return super().locked_for_user(obj, user) or workflows.user_wrote_change(obj, user)

    def user_can_lock(self, obj, user):
        return super().user_can_lock(obj, user) and not workflows.user_wrote_change(obj, user)

    def on_action(self, task_state, user, action_name, **kwargs):
        """Approve or request changes, after checking the user may: views check `get_actions`
        before calling, but this method is also the last line for any other caller."""
        workflow_state = task_state.workflow_state
        obj = workflow_state.content_object
        if action_name == "approve":
            workflows.refuse_self_approval(obj, user)
            workflows.refuse_ungranted_editors(workflow_state, user)
        if action_name not in {name for name, _label, _modal in self.get_actions(obj, user)}:
            raise PermissionDenied
        # Publishing when the workflow finishes must not ask for the approver's publish
        # permission, which editors do not hold (see `publish_approved_change`). Set on this
        # workflow state only: `approve()` finishes the workflow through this same instance.
        workflow_state.on_finish = partial(workflows.publish_approved_change, workflow_state)
        return super().on_action(task_state, user, action_name, **kwargs)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        """The dashboard's "awaiting your review": without what the user asked for or saved last.

        A list-sized approximation of `user_wrote_change`; the buttons on each row come from
        `get_actions`, which applies the whole rule."""
        return (
            super()
            .get_task_states_user_can_moderate(user, **kwargs)
            .exclude(workflow_state__requested_by=user)
            .exclude(revision__user=user)
        )

    @classmethod
    def get_description(cls):
        return _("Members of the chosen groups approve each other's changes; nobody approves their own.")
