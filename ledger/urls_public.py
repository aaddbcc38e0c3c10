"""Public ledger pages: the wish form, the villager's confirmation, the promise lists."""

app_name = "promises"

urlpatterns: list = []
