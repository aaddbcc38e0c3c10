"""Back-office pages of catalogue import: upload, follow a run, download the export.

County administrators only: everyone else gets 404, so the pages do not even admit to
existing; a visitor who is not logged in is sent to the login page. Views stay thin: they
fetch through the selectors, call one service and shape the answer.
"""

from functools import wraps

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail.admin.auth import reject_request, require_admin_access
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from portal.errors import DomainError

from . import format as fmt
from .export import catalogue_export
from .forms import CatalogueUploadForm
from .permissions import user_may_import_catalogues
from .queue import catalogue_import_run_create
from .selectors import county_homes_administered_by, import_runs_visible_to

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECENT_RUNS = 10


def county_administrators_only(view_func):
    """Log in first; then 404 for anyone who is not a county administrator."""
    admin_view = require_admin_access(view_func)

    @wraps(view_func)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return reject_request(request)
        if not user_may_import_catalogues(request.user):
            raise Http404
        return admin_view(request, *args, **kwargs)

    return wrapped


class CatalogueImportView(WagtailAdminTemplateMixin, FormView):
    """Upload a workbook: the import runs in the background and the run page follows it."""

    template_name = "catalogue_io/import.html"
    form_class = CatalogueUploadForm
    page_title = _("Import catalogue")
    header_icon = "upload"

    def get_breadcrumbs_items(self):
        return [*super().get_breadcrumbs_items(), {"url": "", "label": self.page_title}]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "county_homes": county_homes_administered_by(self.request.user)}

    def form_valid(self, form):
        try:
            run = catalogue_import_run_create(
                actor=self.request.user,
                county_home=form.cleaned_data["county"],
                file=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except DomainError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        return redirect("catalogue_io:run", pk=run.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            county_homes=list(county_homes_administered_by(self.request.user)),
            runs=list(import_runs_visible_to(self.request.user)[:RECENT_RUNS]),
            format_sheets=[(sheet, fmt.SHEET_HEADINGS[sheet]) for sheet in fmt.SHEETS],
        )
        return context


class ImportRunView(WagtailAdminTemplateMixin, TemplateView):
    """One run: a progress bar while it works (the page reloads itself every two seconds,
    so it needs no JavaScript and survives a reload), then the report and every problem."""

    template_name = "catalogue_io/run.html"
    header_icon = "upload"
    page_title = _("Catalogue import")

    def get(self, request, *args, **kwargs):
        self.run = get_object_or_404(import_runs_visible_to(request.user), pk=kwargs["pk"])
        return super().get(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.run.original_name

    def get_breadcrumbs_items(self):
        return [
            *super().get_breadcrumbs_items(),
            {"url": reverse("catalogue_io:import"), "label": gettext("Import catalogue")},
            {"url": "", "label": self.run.original_name},
        ]

    def get_context_data(self, **kwargs):
        run = self.run
        counts = (run.report or {}).get("counts", {})
        context = super().get_context_data(**kwargs)
        context.update(
            run=run,
            refresh=not run.is_finished,
            progress_max=max(run.progress_total, 1),
            count_rows=[
                {"sheet": sheet, "heading": fmt.SHEET_HEADINGS[sheet], **counts[sheet]}
                for sheet in fmt.SHEETS
                if sheet in counts
            ],
            county_home=county_homes_administered_by(self.request.user).filter(region=run.county).first(),
        )
        return context


def catalogue_download(request, page_id: int):
    """The county's catalogue as a workbook in the import format."""
    county_home = get_object_or_404(county_homes_administered_by(request.user), pk=page_id)
    data = catalogue_export(county_home=county_home)
    filename = f"catalogue-{county_home.region.code[:6]}-{timezone.localdate():%Y%m%d}.xlsx"
    return HttpResponse(
        data,
        content_type=XLSX_CONTENT_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


catalogue_import = county_administrators_only(CatalogueImportView.as_view())
import_run = county_administrators_only(ImportRunView.as_view())
catalogue_export_download = county_administrators_only(catalogue_download)
