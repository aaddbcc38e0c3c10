"""Running one step from a form: the pattern every action page shares.

A valid POST runs the step (a service call); a refusal (`DomainError`) or a validation error
becomes the form's message, and the page is shown again with everything typed still in it;
success is a message on the next page and a redirect there (so a reload repeats nothing)."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect

from portal.errors import DomainError


def perform_step(request, form, perform: Callable[[], str], done_url: str) -> HttpResponse | None:
    """The redirect after a successful step, or None to show the form again (GET, an invalid
    form, or a refusal now on the form). `perform` returns the success message."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        message = perform()
    except ValidationError as error:
        form.add_error(None, error)
        return None
    except DomainError as error:
        form.add_error(None, str(error))
        return None
    messages.success(request, message)
    return redirect(done_url)
