"""The project's own words for Django's bare form errors (issue 18, gap 12b): each names the
field and says what to do, Chinese first; a form's own message is kept."""

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from approvals.forms import RejectForm
from approvals.forms_filing import FilingForm
from portal.people.forms import StaffLoginForm
from portal.web.forms import Form
from ratings.forms import RatingForm


class Sample(Form):
    name = forms.CharField(label="村民姓名")
    kind = forms.ChoiceField(label="办理方式", choices=[("a", "A")])
    agree = forms.BooleanField(label="已告知村民")
    scan = forms.FileField(label="户口簿", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)
    own = forms.CharField(label="x", error_messages={"required": "自己的话"})


def errors(form) -> dict[str, list[str]]:
    form.is_valid()
    return {name: [str(e) for e in errs] for name, errs in form.errors.items()}


def test_each_bare_error_names_its_field_in_chinese():
    with translation.override("zh-hans"):
        found = errors(Sample(data={}, files={"scan": SimpleUploadedFile("户口簿.pdf", b"")}))
    assert found["name"] == ["请填写“村民姓名”。"]
    assert found["kind"] == ["请选择“办理方式”。"]
    assert found["agree"] == ["请勾选“已告知村民”后再继续。"]
    assert found["scan"] == ["为“户口簿”选择的文件是空的（0字节），请重新选择文件，或重新拍照。"]
    assert found["version"] == ["页面内容不完整，请刷新后再试；您填写的内容保留在下面。"]
    assert found["own"] == ["自己的话"]  # a form's own message stays
    every = [message for messages in found.values() for message in messages]
    assert not any(m in ("这个字段是必填项。", "必需字段", "所提交的是空文件。") for m in every)


def test_english_second():
    with translation.override("en"):
        found = errors(Sample(data={}))
    assert found["name"] == ["Fill in “村民姓名”."]
    assert not any("This field is required." in m for m in sum(found.values(), []))


def test_the_step_forms_and_the_filing_form_use_them(db):
    with translation.override("zh-hans"):
        reject = errors(RejectForm(data={"version": "1"}))
        assert reject["reason"] == ["请填写“不予批准的理由”。"]
        assert reject["basis"] == ["请填写“法律依据”。"]
        rating = errors(RatingForm(data={}))
        assert rating["level"] != ["请选择“How was the service? (服务评价)”。"]  # its own message is kept
        login = errors(StaffLoginForm(data={}))
        assert all("“" in m for m in sum(login.values(), []))


def test_fields_a_form_adds_itself_get_them_too(db):
    class Material:
        pk, name = 7, "居民身份证"

    form = FilingForm(
        data={},
        files={"material_7": SimpleUploadedFile("身份证.png", b"")},
        materials=[Material()],
        villages=[],
        editable_villager=False,
    )
    with translation.override("zh-hans"):
        found = errors(form)
    assert found["material_7"] == ["为“居民身份证”选择的文件是空的（0字节），请重新选择文件，或重新拍照。"]
