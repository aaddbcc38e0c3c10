"""The villager's pages on their phone, under /m/ (no login; see `views_phone`)."""

from django.urls import path

from .views_phone import answers, code_enter, code_send, done, open_link, sign, sign_code, upload

app_name = "online"
urlpatterns = [
    path("<str:token>/", open_link, name="open"),
    path("<str:token>/code/send/", code_send, name="code_send"),
    path("<str:token>/code/", code_enter, name="code"),
    path("<str:token>/files/<int:material_id>/", upload, name="upload"),
    path("<str:token>/answers/", answers, name="answers"),
    path("<str:token>/sign/code/", sign_code, name="sign_code"),
    path("<str:token>/sign/", sign, name="sign"),
    path("<str:token>/done/", done, name="done"),
]
