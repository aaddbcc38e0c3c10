"""The assistant's 网办 actions, under /work/ beside the draft they belong to."""

from django.urls import path

from .views_work import revoke, send

app_name = "online_work"
urlpatterns = [
    path("<int:pk>/remote/send/", send, name="send"),
    path("<int:pk>/remote/<int:link_pk>/revoke/", revoke, name="revoke"),
]
