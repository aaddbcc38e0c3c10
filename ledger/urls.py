"""Staff ledger pages under /work/ledger/."""

from .views import staff

app_name = "ledger"

urlpatterns = staff.urlpatterns
