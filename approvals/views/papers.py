"""The receipt (回执), one-time notices (一次性告知书), the acceptance notice (受理通知书) and the
refusal (不予受理/不予许可/不予给付… 决定书) as printable PDFs: for anyone who may see the application
(the assistant prints them for a villager without a smartphone), and the written papers for the
villager from the tracking page, after the same proof as that page."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from portal.printing import layout
from portal.printing.responses import pdf_response

from .. import decision_papers, papers
from ..models import Application
from ..selectors import application_detail_for, notices_of
from ..tracking import normalise_number
from ..tracking_session import to_tracking_form, tracked_application


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


def _decision_paper_response(application: Application, kind: str):
    """The written paper `kind` when the application's state has produced it; 404 otherwise."""
    if kind not in decision_papers.papers_available(application):
        raise Http404
    paper = decision_papers.paper_for(application, kind)  # type: ignore[arg-type]
    data = layout.render([paper], title=application.number or "")
    # Named by the paper's (Chinese) title: "受理通知书-…", "不予给付决定书-…".
    title = decision_papers.paper_title(application, kind)  # type: ignore[arg-type]
    return pdf_response(data, f"{title}-{application.number}.pdf")


@login_required
@require_safe
def decision_paper_pdf(request, pk: int, kind: str):
    """受理通知书 (`acceptance`) or the refusal (`refusal`), through the application's visibility."""
    return _decision_paper_response(_application(request, pk), kind)


@never_cache
@require_safe
def tracking_paper_pdf(request, number: str, kind: str):
    """The villager's own written paper, after the same proof as the tracking page."""
    number = normalise_number(number)
    application = tracked_application(request.session, number)
    if application is None:
        return to_tracking_form(number)
    return _decision_paper_response(application, kind)


urlpatterns = [
    path("<int:pk>/receipt.pdf", receipt_pdf, name="receipt_pdf"),
    path("<int:pk>/notices/<int:notice_pk>.pdf", notice_pdf, name="notice_pdf"),
    path("<int:pk>/papers/<slug:kind>.pdf", decision_paper_pdf, name="decision_paper_pdf"),
]

tracking_urlpatterns = [
    path("<str:number>/papers/<slug:kind>.pdf", tracking_paper_pdf, name="paper"),
]
