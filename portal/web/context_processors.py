"""What every page template needs to know about the visitor's display choices."""

ELDERLY_COOKIE = "cunban_elderly"


def display_preferences(request):
    """Whether 长辈版 (elderly mode) is on: a cookie, so it works without JavaScript or login."""
    return {"elderly_mode": request.COOKIES.get(ELDERLY_COOKIE) == "1"}
