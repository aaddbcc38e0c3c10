"""Certificate pages: staff downloads, revocation and batch printing under /work/, and the public
check under /verify/.

Staff views fetch through `certificates.selectors` (404 outside the jurisdiction) and
change state only through `certificates.services`.
"""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from portal.audit.services import audit_record
from portal.errors import DomainError
from portal.files.uploads import EXTENSIONS
from portal.people.identity import mask_name
from portal.printing.responses import pdf_response
from portal.throttle.client_address import client_address
from portal.web.forms import Form

from . import policies, selectors, services
from .models import Certificate, CertificateCheck, PrintBatch
from .policies import certificate_policy
from .printing import certificate_pdf
from .tokens import normalise_code

PAGE_SIZE = 50


# -- staff ---------------------------------------------------------------------------------------


def _certificate(request, pk: int, certificate_pk: int) -> Certificate:
    try:
        return selectors.certificate_for_download(request.user, pk, certificate_pk)
    except Certificate.DoesNotExist as error:
        raise Http404 from error


@login_required
@require_safe
def download(request, pk: int, certificate_pk: int):
    certificate = _certificate(request, pk, certificate_pk)
    audit_record(event="certificate_download", obj=certificate)
    return pdf_response(certificate_pdf(certificate), f"{certificate.licence_number}.pdf")


@login_required
@require_safe
def hand_over_proof(request, pk: int, certificate_pk: int):
    """送达回证: the villager's signature or the photo of the signed receipt, only for those who
    may see the application (the same selector as the certificate's download; 404 otherwise).
    Pictures open in the page (the clerk's thumbnail); a scanned PDF downloads."""
    certificate = _certificate(request, pk, certificate_pk)
    if not certificate.handed_over_proof:
        raise Http404
    audit_record(event="material_download", obj=certificate, detail={"file": "hand_over_proof"})
    content_type = certificate.handed_over_proof_type or "application/octet-stream"
    response = FileResponse(
        certificate.handed_over_proof.open("rb"),
        content_type=content_type,
        as_attachment=not content_type.startswith("image/"),
        filename=f"{certificate.licence_number}-送达回证{EXTENSIONS.get(content_type, '')}",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class RevokeForm(Form):
    reason = forms.CharField(
        label=gettext_lazy("Why it is revoked"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4})
    )
    reissue = forms.BooleanField(
        label=gettext_lazy("Issue a corrected certificate at once (from the villager's record as it is now)"),
        required=False,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def revoke(request, pk: int, certificate_pk: int):
    certificate = _certificate(request, pk, certificate_pk)
    detail = reverse("approvals:detail", args=[pk])
    if certificate.is_revoked or not certificate_policy.user_has_permission_for_instance(
        request.user, policies.REVOKE, certificate
    ):
        messages.error(
            request,
            _("Certificate %(serial)s cannot be revoked by you now.")
            % {"serial": certificate.licence_number},
        )
        return redirect(detail)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.certificate_revoke(
                actor=request.user,
                certificate=certificate,
                reason=form.cleaned_data["reason"],
                reissue=form.cleaned_data["reissue"],
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            if result.pk != certificate.pk:
                messages.success(
                    request,
                    _("Certificate %(old)s is revoked; %(new)s is issued in its place.")
                    % {"old": certificate.licence_number, "new": result.licence_number},
                )
            else:
                messages.success(
                    request, _("Certificate %(serial)s is revoked.") % {"serial": result.licence_number}
                )
            return redirect(detail)
    return render(
        request,
        "certificates/revoke.html",
        {"certificate": certificate, "form": form, "back": detail},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


class PrintForm(Form):
    q = forms.CharField(
        label=gettext_lazy("Serial, name or application number"), required=False, max_length=60
    )
    days = forms.TypedChoiceField(
        label=gettext_lazy("Issued"),
        coerce=int,
        required=False,
        choices=[
            (0, gettext_lazy("at any time")),
            (1, gettext_lazy("today")),
            (7, gettext_lazy("in the last 7 days")),
            (30, gettext_lazy("in the last 30 days")),
        ],
    )


def _may_print(user) -> bool:
    return certificate_policy.user_has_permission(user, policies.PRINT)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def print_list(request):
    """The office's certificates in force: tick some and print them, or print all issued today."""
    if not _may_print(request.user):
        raise Http404
    if request.method == "POST":
        return _print_start(request)
    form = PrintForm(request.GET or None)
    days, query = 0, ""  # newest first, every certificate in force: the list is paged
    if form.is_bound and form.is_valid():
        days, query = form.cleaned_data["days"] or 0, form.cleaned_data["q"]
    since = timezone.localdate() - datetime.timedelta(days=days - 1) if days else None
    certificates = selectors.certificate_list_for(
        request.user, selectors.CertificateFilter(query=query, issued_since=since)
    )
    page = Paginator(certificates, PAGE_SIZE).get_page(request.GET.get("page"))
    batches = selectors.print_batches_of(request.user)[:5]
    return render(
        request,
        "certificates/print_list.html",
        {
            "form": form,
            "page": page,
            "batches": batches,
            "today_count": selectors.certificates_issued_today_by(request.user).count(),
        },
    )


def _print_start(request):
    if request.POST.get("which") == "today":
        chosen = list(selectors.certificates_issued_today_by(request.user))
        title = _("Issued on %(day)s") % {"day": timezone.localdate()}
    else:
        ids = [int(value) for value in request.POST.getlist("certificate") if value.isdigit()]
        by_pk = selectors.certificates_printable_by(request.user).in_bulk(ids)
        chosen = [by_pk[pk] for pk in ids if pk in by_pk]
        title = _("%(count)s chosen certificates") % {"count": len(chosen)}
    try:
        batch = services.print_batch_create(actor=request.user, certificates=chosen, title=title)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("certificates:print")
    return redirect("certificates:batch", batch.pk)


def _batch(request, batch_pk: int) -> PrintBatch:
    batch = selectors.print_batches_of(request.user).filter(pk=batch_pk).first()
    if batch is None:
        raise Http404
    return batch


@login_required
@require_safe
@never_cache
def batch(request, batch_pk: int):
    """The batch's progress; the page refreshes itself until the PDF is ready (no script needed),
    and a reload simply shows where it has got to."""
    batch = _batch(request, batch_pk)
    return render(request, "certificates/batch.html", {"batch": batch, "refresh": not batch.is_finished})


@login_required
@require_safe
def batch_file(request, batch_pk: int):
    batch = _batch(request, batch_pk)
    if batch.status != PrintBatch.Status.DONE or not batch.file:
        raise Http404
    response = FileResponse(batch.file.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificates-{batch.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# -- the public check ----------------------------------------------------------------------------


class VerifyForm(Form):
    serial = forms.CharField(label=gettext_lazy("Serial number (证号)"), max_length=60)
    code = forms.CharField(
        label=gettext_lazy("Check code (核验码), 8 digits under the QR code"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if not (len(code) == 8 and code.isdigit()):
            raise forms.ValidationError(_("Enter the 8 digits printed under the QR code."))
        return code


def _result(request, verification: services.Verification | None, *, refused: str = "", status: int = 200):
    certificate = verification.certificate if verification else None
    context = {
        "verification": verification,
        "refused": refused,
        "certificate": certificate,
        "holder": mask_name(certificate.holder_name) if certificate else "",
        "outcomes": CertificateCheck.Outcome,
    }
    return render(request, "certificates/verify_result.html", context, status=status)


@never_cache
@require_safe
def verify_token(request, token: str):
    """What the QR code opens: genuine or not, and whether still valid."""
    try:
        verification = services.certificate_verify(address=client_address(request), token=token)
    except services.VerificationRefused as refusal:
        return _result(request, None, refused=str(refusal), status=429)
    return _result(request, verification)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def verify_form(request):
    """Type the serial and check code printed on the paper (for those who cannot scan)."""
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            verification = services.certificate_verify(
                address=client_address(request),
                serial=form.cleaned_data["serial"],
                code=form.cleaned_data["code"],
            )
        except services.VerificationRefused as refusal:
            return _result(request, None, refused=str(refusal), status=429)
        return _result(request, verification)
    return render(
        request, "certificates/verify_form.html", {"form": form}, status=400 if form.is_bound else 200
    )


work_urlpatterns = [
    path("certificates/", print_list, name="print"),
    path("certificates/print/<int:batch_pk>/", batch, name="batch"),
    path("certificates/print/<int:batch_pk>/certificates.pdf", batch_file, name="batch_file"),
    path("<int:pk>/certificates/<int:certificate_pk>.pdf", download, name="download"),
    path("<int:pk>/certificates/<int:certificate_pk>/revoke/", revoke, name="revoke"),
    path(
        "<int:pk>/certificates/<int:certificate_pk>/hand-over-proof/", hand_over_proof, name="hand_over_proof"
    ),
]


@never_cache
@require_safe
def link_pdf(request, token: str):
    """The PDF the villager's texted link downloads (`certificates.links`): the staff download's
    paper, or a plain page saying why not."""
    try:
        certificate = services.certificate_by_link(token=token, address=client_address(request))
    except services.LinkRefused as refusal:
        return render(
            request, "certificates/link_refused.html", {"refused": str(refusal)}, status=refusal.status
        )
    audit_record(event="certificate_download", obj=certificate, detail={"via": "texted link"})
    response = pdf_response(certificate_pdf(certificate), f"{certificate.licence_number}.pdf")
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


verify_urlpatterns = [
    path("", verify_form, name="form"),
    path("pdf/<str:token>/", link_pdf, name="pdf"),
    path("<str:token>/", verify_token, name="token"),
]
