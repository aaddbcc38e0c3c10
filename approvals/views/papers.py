"""The receipt (回执) and one-time notices (一次性告知书) as printable PDFs, for anyone who may see
the application: the assistant prints them for a villager without a smartphone."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.urls import path
from django.views.decorators.http import require_safe

from portal.printing import layout
from portal.printing.responses import pdf_response

from .. import papers
from ..models import Application
from ..selectors import application_detail_for, notices_of


def _application(request, pk: int) -> Application:
    try:
        application = application_detail_for(request.user, pk)
    except Application.DoesNotExist as error:
        raise Http404 from error
    if not application.number:
        raise Http404  # a draft has no receipt and no notices yet
    return application


@login_required
@require_safe
def receipt_pdf(request, pk: int):
    application = _application(request, pk)
    data = layout.render([papers.receipt_paper(application)], title=application.number)
    return pdf_response(data, f"回执-{application.number}.pdf")


@login_required
@require_safe
def notice_pdf(request, pk: int, notice_pk: int):
    application = _application(request, pk)
    notice = next((n for n in notices_of(application) if n.pk == notice_pk), None)
    if notice is None:
        raise Http404
    notice.application = application
    data = layout.render([papers.notice_paper(notice)], title=application.number)
    return pdf_response(data, f"告知书-{application.number}-{notice.pk}.pdf")


urlpatterns = [
    path("<int:pk>/receipt.pdf", receipt_pdf, name="receipt_pdf"),
    path("<int:pk>/notices/<int:notice_pk>.pdf", notice_pdf, name="notice_pdf"),
]
