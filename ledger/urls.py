"""Staff ledger pages under /work/ledger/."""

from .views import hotline, staff

app_name = "ledger"

urlpatterns = staff.urlpatterns + hotline.urlpatterns
