"""The weekly joint meeting sheet (联席会议): one page to print, one workbook to download."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from portal.audit.services import audit_record

from .. import meeting

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RegionForm(forms.Form):
    region = forms.ChoiceField(label=gettext_lazy("Township or village"))

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [
            (region.code, region.name if region.level == "township" else f"— {region.name}")
            for region in regions
        ]


def _sheet(request):
    regions = list(meeting.meeting_regions(request.user))
    if not regions:
        raise Http404
    form = RegionForm(request.GET or None, regions=regions)
    code = form.cleaned_data["region"] if form.is_bound and form.is_valid() else regions[0].code
    region = next(region for region in regions if region.code == code)
    return form, meeting.meeting_sheet(request.user, region)


@login_required
@require_safe
def meeting_page(request):
    form, sheet = _sheet(request)
    return render(request, "approvals/meeting.html", {"form": form, "sheet": sheet})


@login_required
@require_safe
def meeting_export(request):
    _form, sheet = _sheet(request)
    audit_record(event="export_download", detail={"export": "meeting.xlsx"})
    response = HttpResponse(meeting.meeting_xlsx(sheet), content_type=XLSX)
    name = f"meeting-{sheet.region.code}-{sheet.today:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("meeting/", meeting_page, name="meeting"),
    path("meeting.xlsx", meeting_export, name="meeting_xlsx"),
]
