"""A page with one photo input made by files/_phone_photo_input.html, for the browser tests: it
checks the photo as a villager's (`phone=True`) and notes what arrived and what was kept. Its
form has upload-size.js's limits, or with ?plain none (phone-photo.js shows the sizes itself)."""

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.template import RequestContext, Template
from django.urls import include, path

from portal.files.uploads import check_upload

received: list[dict[str, object]] = []

PAGE = Template(
    """{% extends "base.html" %}{% load static upload_limits %}
{% block head %}<script src="{% static 'js/upload-size.js' %}" defer></script>{% endblock %}
{% block content %}
{% if kept %}<p id="kept">{{ kept }}</p>{% endif %}
{% if error %}<p id="error" class="msg error">{{ error }}</p>{% endif %}
<form method="post" enctype="multipart/form-data" {% if not plain %}{% upload_limit_attrs %}{% endif %}>{% csrf_token %}
  <label for="{{ form.photo.id_for_label }}">ID card</label>
  {% include "files/_phone_photo_input.html" with field=form.photo %}
  <div class="actions"><button type="submit" name="send" value="1" class="primary">Send</button></div>
</form>
{% endblock %}"""
)


class PhotoForm(forms.Form):
    photo = forms.FileField()


def photo_page(request: HttpRequest) -> HttpResponse:
    form = PhotoForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"form": form, "plain": "plain" in request.GET}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["photo"]
        entry: dict[str, object] = {
            "name": upload.name,
            "bytes": upload.size,
            "send": request.POST.get("send"),
        }
        try:
            checked = check_upload(upload, phone=True)
        except ValidationError as error:
            entry["error"] = error.code
            context["error"] = entry["error"]
        else:
            entry["kept"] = checked.size
            context["kept"] = f"{upload.size} → {checked.size}"
        received.append(entry)
    return HttpResponse(PAGE.render(RequestContext(request, context)))


urlpatterns = [path("photo/", photo_page, name="photo_page"), path("", include("portal.urls"))]
