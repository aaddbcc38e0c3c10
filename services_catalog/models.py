"""The service guide (办事指南) as Wagtail pages, and delegation records (权限下放) as data.

A `ServiceItemPage` carries the facts a villager needs before walking anywhere, as structured
fields and inline rows (materials, legal bases, special procedures) rather than prose, because
later steps act on them: the application checklist is the material rows, deadlines are the
promised working days, special procedures pause the clock.

A `Delegation` says which county department hands which item to which township centres, in
which mode and under which document. Routing reads it through one selector
(`services_catalog.selectors.service_item_route`); a revoked or expired record stops routing new
work and never touches work already routed.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page

from portal.offices.models import Office, OfficeKind

from .item_codes import item_code_problem, item_code_slug
from .item_forms.blocks import CERTIFICATE_BLOCKS, FORM_BLOCKS, definition_from_stream
from .item_forms.schema import DefinitionError, FormSpec, parse_definition
from .item_types import ItemType


class DelegationMode(models.TextChoices):
    AUTHORISATION = "authorisation", _("Authorisation (授权): decided in the township's name")
    ENTRUSTMENT = "entrustment", _("Entrustment (委托): decided in the department's name")


class LifeEvent(models.Model):
    """A life event (生育, 上学, 养老 …) by which villagers browse the guide."""

    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=20, unique=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("life event")
        verbose_name_plural = _("life events")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


# Catch-all conditions are not allowed in a guide (国务院办公厅关于进一步规范政务服务事项办事指南的
# 要求): an applicant cannot prepare for "other conditions". Matched after removing punctuation.
CATCH_ALL_PATTERNS = [
    re.compile(pattern)
    for pattern in (
        r"法律法规规定的其他",
        r"法律行政法规规定的其他",
        r"规定的其他条件",
        r"其他条件",
        r"其他情形",
        r"等其他",
    )
]


def validate_no_catch_all(text: str) -> None:
    for line in (text or "").splitlines():
        squashed = re.sub(r"[\s、，,。．.；;：:（）()《》“”\"']", "", line)
        if any(pattern.search(squashed) for pattern in CATCH_ALL_PATTERNS):
            raise ValidationError(
                gettext(
                    "A condition may not be a catch-all such as “法律、法规规定的其他条件”: "
                    "write out every condition an applicant must meet (%(line)s)."
                )
                % {"line": line.strip()},
                code="catch_all",
            )


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class ServiceGuideIndexPage(Page):
    """The county's service guide: browse items by life event and by department."""

    intro = models.CharField(_("introduction"), max_length=200, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.CountyHomePage"]
    subpage_types = ["services_catalog.ServiceItemPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("service guide")

    def route(self, request, path_components):
        """Fetch the item in one query (Wagtail's default fetches the page, then its specific
        row): item pages are the most visited pages of the site."""
        if path_components:
            item = (
                ServiceItemPage.objects.child_of(self)
                .filter(slug=path_components[0])
                .select_related("department")
                .first()
            )
            if item is not None:
                return item.route(request, path_components[1:])
        return super().route(request, path_components)

    def serve(self, request, *args, **kwargs):
        # why: the page serves itself (Wagtail), and its views import this module
        from .views import guide_index

        return guide_index(request, self)


class ServiceItemPageForm(WagtailAdminPageForm):
    """The item editor checks the item code by the same rule as the catalogue import, and
    makes the page's address from the checked code, so a hand-made item cannot take the
    address of the item the code names (/guide/120115-xk-002/)."""

    def clean(self):
        data = self.cleaned_data
        code, department = data.get("item_code"), data.get("department")
        if code and department is not None:
            problem = item_code_problem(
                code, county_code=department.region.code, item_type=data.get("item_type") or None
            )
            if problem:
                self.add_error("item_code", problem)
            else:
                # The address follows the code, whatever the slug field said (or left empty).
                self.errors.pop("slug", None)
                data["slug"] = item_code_slug(code)
        return super().clean()


class ServiceItemPage(RoutablePageMixin, Page):
    """One government service item (政务服务事项) and its guide (办事指南)."""

    item_code = models.CharField(_("item code (事项编码)"), max_length=40, unique=True)
    item_type = models.CharField(_("item type (事项类型)"), max_length=20, choices=ItemType.choices)
    department = models.ForeignKey(
        Office,
        verbose_name=_("holding department (实施主体)"),
        on_delete=models.PROTECT,
        related_name="service_items",
        limit_choices_to={"kind": OfficeKind.DEPARTMENT},
    )
    summary = models.CharField(_("summary for villagers"), max_length=200, blank=True)
    life_events = ParentalManyToManyField(
        LifeEvent, verbose_name=_("life events"), blank=True, related_name="items"
    )
    for_individuals = models.BooleanField(_("individuals may apply"), default=True)
    for_organisations = models.BooleanField(_("organisations may apply"), default=False)
    conditions = models.TextField(
        _("acceptance conditions (受理条件)"),
        help_text=_("One condition per line. No catch-all such as 法律、法规规定的其他条件."),
        validators=[validate_no_catch_all],
    )
    steps = models.TextField(_("steps (办理流程)"), help_text=_("One step per line."))
    legal_limit_days = models.PositiveSmallIntegerField(_("legal time limit (working days)"))
    promised_limit_days = models.PositiveSmallIntegerField(_("promised time limit (working days)"))
    is_immediate = models.BooleanField(_("immediate item (即办件)"), default=False)
    fee = models.CharField(_("fee"), max_length=100, blank=True, help_text=_("Empty when free."))
    fee_basis = models.CharField(_("fee basis"), max_length=200, blank=True)
    visits = models.PositiveSmallIntegerField(_("visits needed (到现场次数)"), default=0)
    village_proxy = models.BooleanField(_("a village assistant may file it (村级代办)"), default=True)
    online = models.BooleanField(_("can be done online (网办)"), default=False)
    # 网上申请: the villager starts it from this page; their village station's assistant checks
    # it before the township sees it (approvals.services.draft_start_by_villager).
    online_filing = models.BooleanField(
        _("villagers may apply online (可网上申请)"),
        default=False,
        help_text=_(
            "Shows the 网上申请 button on the item page. Needs 网办 and 村级代办: the village "
            "assistant checks what the villager hands in."
        ),
    )
    offline_reason = models.CharField(
        _("why it cannot be done online"),
        max_length=100,
        blank=True,
        help_text=_("Shown when the item cannot be done online, e.g. 须本人到场核验身份并签字."),
    )
    delivery = models.CharField(_("delivery (送达方式)"), max_length=100, blank=True)
    needs_second_approval = models.BooleanField(_("needs the supervisor's approval (审批)"), default=False)
    certificate_name = models.CharField(
        _("resulting certificate"),
        max_length=100,
        blank=True,
        help_text=_("Empty when the item yields no certificate."),
    )
    certificate_valid_months = models.PositiveSmallIntegerField(
        _("certificate valid for (months)"),
        null=True,
        blank=True,
        help_text=_("Empty when the certificate does not expire."),
    )
    consult_phone = models.CharField(_("consultation phone"), max_length=32, blank=True)
    complaint_phone = models.CharField(_("complaint phone"), max_length=32, blank=True)
    procedure_basis = models.CharField(
        _("law cited on the papers (程序依据)"),
        max_length=300,
        blank=True,
        help_text=_(
            "Printed on the acceptance notice, the one-time notice and a refusal, e.g. "
            "《社会救助暂行办法》第十一条. Empty: the default for the item type (行政许可法 for licences only)."
        ),
    )

    application_form = StreamField(
        FORM_BLOCKS,
        verbose_name=_("application form (申请表)"),
        blank=True,
        help_text=_(
            "The facts this item asks of the villager, in sections. Published forms are kept: an "
            "application keeps the version it was filed under."
        ),
    )
    certificate_layout = StreamField(
        CERTIFICATE_BLOCKS,
        verbose_name=_("lines the certificate prints"),
        blank=True,
        help_text=_("e.g. 保障人数 (a group's count), 月保障金额 (a money field)."),
    )

    parent_page_types = ["services_catalog.ServiceGuideIndexPage"]
    subpage_types: list[str] = []
    base_form_class = ServiceItemPageForm

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("item_code"), FieldPanel("item_type")]),
        FieldPanel("department"),
        FieldPanel("summary"),
        FieldPanel("life_events"),
        FieldRowPanel([FieldPanel("for_individuals"), FieldPanel("for_organisations")]),
        FieldPanel("conditions"),
        InlinePanel("materials", label=_("Materials (申请材料)")),
        FieldPanel("steps"),
        InlinePanel("legal_bases", label=_("Legal basis (设定依据)"), min_num=1),
        FieldPanel("procedure_basis"),
    ]
    limits_panels = [
        FieldRowPanel([FieldPanel("legal_limit_days"), FieldPanel("promised_limit_days")]),
        FieldPanel("is_immediate"),
        InlinePanel("special_procedures", label=_("Special procedures (特别程序)")),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("fee"), FieldPanel("fee_basis")]),
                FieldRowPanel([FieldPanel("visits"), FieldPanel("delivery")]),
                FieldRowPanel(
                    [FieldPanel("village_proxy"), FieldPanel("online"), FieldPanel("needs_second_approval")]
                ),
                FieldPanel("online_filing"),
                FieldPanel("offline_reason"),
                FieldRowPanel([FieldPanel("certificate_name"), FieldPanel("certificate_valid_months")]),
                FieldRowPanel([FieldPanel("consult_phone"), FieldPanel("complaint_phone")]),
            ],
            heading=_("How it is done"),
        ),
    ]
    form_panels = [FieldPanel("application_form"), FieldPanel("certificate_layout")]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Guide")),
            ObjectList(limits_panels, heading=_("Limits and delivery")),
            ObjectList(form_panels, heading=_("Application form")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
        ]
    )

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service items")

    def clean(self) -> None:
        super().clean()
        legal, promised = self.legal_limit_days, self.promised_limit_days
        if legal is not None and promised is not None and promised > legal:
            raise ValidationError(
                {
                    "promised_limit_days": gettext(
                        "The promised time limit cannot be longer than the legal one."
                    )
                }
            )
        if (
            self.item_type
            and self.item_type != ItemType.LICENSING
            and "行政许可法" in (self.procedure_basis or "")
        ):
            raise ValidationError(
                {
                    "procedure_basis": gettext(
                        "Only a licence (行政许可) acts under the Administrative Licensing Law: cite this "
                        "item's own law."
                    )
                }
            )

        if self.online_filing and not (self.online and self.village_proxy):
            raise ValidationError(
                {
                    "online_filing": gettext(
                        "Villagers may apply online only for an item that can be done online (网办) "
                        "and that a village assistant may file (村级代办)."
                    )
                }
            )

        try:
            self.form_spec()
        except DefinitionError as error:
            raise ValidationError({"application_form": error.problems}) from None

    def form_definition(self) -> dict:
        """The application form as written on this page (revision), as a definition."""
        return definition_from_stream(self.application_form, self.certificate_layout)

    def form_spec(self) -> FormSpec:
        return parse_definition(self.form_definition())

    @property
    def condition_lines(self) -> list[str]:
        return lines(self.conditions)

    @property
    def step_lines(self) -> list[str]:
        return lines(self.steps)

    @property
    def accepts_online_filing(self) -> bool:
        """May a villager start an application from this page now (the 网上申请 button)? The
        village assistant checks what they hand in, so the item must allow 代办 as well as 网办."""
        return bool(self.live and self.village_proxy and self.online and self.online_filing)

    @property
    def is_free(self) -> bool:
        return not self.fee or self.fee.strip() in {"不收费", "免费", "0"}

    @path("")
    def guide(self, request):
        # why: the page serves itself (Wagtail), and its views import this module
        from .views import service_item

        return service_item(request, self)

    @path("checklist/")
    def checklist(self, request):
        """The materials as one printable page (打印材料清单)."""
        # why: the page serves itself (Wagtail), and its views import this module
        from .views import service_item_checklist

        return service_item_checklist(request, self)


class Material(Orderable):
    """A row of the materials checklist (申请材料)."""

    class Form(models.TextChoices):
        ORIGINAL = "original", _("original (原件)")
        COPY = "copy", _("copy (复印件)")
        BOTH = "both", _("original and copy (原件和复印件)")

    page = ParentalKey(ServiceItemPage, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField(_("material"), max_length=200)
    form = models.CharField(_("form"), max_length=10, choices=Form.choices, default=Form.ORIGINAL)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    required = models.BooleanField(_("required"), default=True)
    may_be_missing = models.BooleanField(
        _("may be missing at acceptance (容缺)"),
        default=False,
        help_text=_("The applicant may hand it in later on a signed promise (容缺受理)."),
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    blank_form = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("blank form"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sample = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("filled sample"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("form"), FieldPanel("copies")]),
        FieldRowPanel([FieldPanel("required"), FieldPanel("may_be_missing")]),
        FieldPanel("notes"),
        FieldRowPanel([FieldPanel("blank_form"), FieldPanel("sample")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self) -> str:
        return self.name


class LegalBasis(Orderable):
    page = ParentalKey(ServiceItemPage, on_delete=models.CASCADE, related_name="legal_bases")
    text = models.CharField(_("law and article"), max_length=300)

    class Meta(Orderable.Meta):
        verbose_name = _("legal basis")
        verbose_name_plural = _("legal bases")

    def __str__(self) -> str:
        return self.text


class SpecialProcedure(Orderable):
    """A step outside the time limit (公示, 现场勘查, 听证, 专家评审): the clock pauses for it."""

    page = ParentalKey(ServiceItemPage, on_delete=models.CASCADE, related_name="special_procedures")
    name = models.CharField(_("procedure"), max_length=50)
    working_days = models.PositiveSmallIntegerField(_("working days"))
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("special procedure")
        verbose_name_plural = _("special procedures")

    def __str__(self) -> str:
        return f"{self.name}（{self.working_days}）"


class DelegationQuerySet(models.QuerySet):
    def in_force_on(self, day) -> "DelegationQuerySet":
        """Records that route new work on `day`: started, not expired, not revoked by then."""
        return self.filter(valid_from__lte=day).filter(
            models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=day),
            models.Q(revoked_on__isnull=True) | models.Q(revoked_on__gt=day),
        )


class Delegation(models.Model):
    """A delegation record (权限下放): department → township centres, mode, document, dates."""

    item = models.ForeignKey(
        ServiceItemPage, verbose_name=_("service item"), on_delete=models.PROTECT, related_name="delegations"
    )
    department = models.ForeignKey(
        Office,
        verbose_name=_("delegating department"),
        on_delete=models.PROTECT,
        related_name="delegations_given",
        limit_choices_to={"kind": OfficeKind.DEPARTMENT},
    )
    centres = models.ManyToManyField(
        Office,
        verbose_name=_("township centres"),
        related_name="delegations_received",
        limit_choices_to={"kind": OfficeKind.CENTRE},
    )
    mode = models.CharField(_("mode"), max_length=16, choices=DelegationMode.choices)
    document_number = models.CharField(_("document number (文号)"), max_length=60)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_reason = models.CharField(_("reason for revocation"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        verbose_name = _("delegation record")
        verbose_name_plural = _("delegation records")
        ordering = ["-valid_from", "pk"]

    def __str__(self) -> str:
        return f"{self.item.title} · {self.document_number}"

    def clean(self) -> None:
        super().clean()
        if self.valid_until and self.valid_from and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": gettext("The end date is before the start date.")})
        if self.item_id and self.department_id and self.item.department_id != self.department_id:
            raise ValidationError(
                {
                    "department": gettext(
                        "Only the item's holding department (%(department)s) can delegate it."
                    )
                    % {"department": self.item.department}
                }
            )


class Synonym(models.Model):
    """What villagers type (低保, 盖房子) and the official words it stands for. Edited by
    administrators; the search index expands queries with it."""

    phrase = models.CharField(_("what people type"), max_length=40, unique=True)
    means = models.CharField(_("official words"), max_length=100)

    class Meta:
        verbose_name = _("search synonym")
        verbose_name_plural = _("search synonyms")
        ordering = ["phrase"]

    def __str__(self) -> str:
        return f"{self.phrase} → {self.means}"


class ItemFormVersion(models.Model):
    """A published version of an item's application form. Made when the page is published with a
    form that differs from the last version (`services.item_form_publish`), never changed after:
    an application points at the version it was filed under, so its data is always read with
    the labels and rules it was typed against."""

    item = models.ForeignKey(
        ServiceItemPage,
        verbose_name=_("service item"),
        on_delete=models.PROTECT,
        related_name="form_versions",
    )
    number = models.PositiveIntegerField(_("version"))
    definition = models.JSONField(_("definition"))
    digest = models.CharField(max_length=64)
    published_at = models.DateTimeField(_("published"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("application form version")
        verbose_name_plural = _("application form versions")
        ordering = ["item", "-number"]
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="item_form_version_number")]

    def __str__(self) -> str:
        return f"{self.item_id} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError("Application form versions are never changed.")
        super().save(*args, **kwargs)

    @property
    def spec(self) -> FormSpec:
        return spec_of(self.definition, self.digest)


_SPECS: dict[str, FormSpec] = {}


def spec_of(definition: dict, digest: str) -> FormSpec:
    """The parsed form of a stored definition, parsed once per process (versions never change)."""
    spec = _SPECS.get(digest)
    if spec is None:
        spec = parse_definition(definition)
        if len(_SPECS) > 2000:
            _SPECS.clear()
        _SPECS[digest] = spec
    return spec
