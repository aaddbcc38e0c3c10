"""Public ledger pages: the wish form, the villager's confirmation, the promise lists."""

from .views import public

app_name = "promises"

urlpatterns = public.urlpatterns
