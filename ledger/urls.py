"""Staff ledger pages under /work/ledger/."""

app_name = "ledger"

urlpatterns: list = []
