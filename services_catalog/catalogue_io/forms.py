"""The upload form of catalogue import: one workbook, checked by its content, not its name."""

import zipfile

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cms.models import CountyHomePage

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# A 5 MB workbook of text unpacks to a few tens of MB; more than this is a zip bomb, not a catalogue.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
WORKBOOK_PART = "xl/workbook.xml"


def is_xlsx(upload) -> bool:
    """True when the file is a zip holding an Excel workbook part, whatever it is called.

    Leaves the file at its start for whoever reads it next."""
    try:
        upload.seek(0)
        if not zipfile.is_zipfile(upload):
            return False
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
            return WORKBOOK_PART in {info.filename for info in infos} and (
                sum(info.file_size for info in infos) <= MAX_UNPACKED_BYTES
            )
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)


class CatalogueUploadForm(forms.Form):
    county = forms.ModelChoiceField(
        queryset=CountyHomePage.objects.none(), label=_("County"), empty_label=None
    )
    file = forms.FileField(
        label=_("Catalogue workbook (.xlsx)"),
        help_text=_("An Excel workbook in the catalogue format, at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    dry_run = forms.BooleanField(
        label=_("Check only (dry run)"),
        required=False,
        help_text=_("Check every row and show what would change, without writing anything."),
    )

    def __init__(self, *args, county_homes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = county_homes

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                gettext("The file is %(size).1f MB; a catalogue workbook may be at most 5 MB.")
                % {"size": upload.size / 1024 / 1024},
                code="too_large",
            )
        if not is_xlsx(upload):
            raise forms.ValidationError(
                gettext(
                    "“%(name)s” is not an XLSX workbook. Save the spreadsheet as an Excel workbook (.xlsx) "
                    "and upload it again."
                )
                % {"name": upload.name},
                code="not_xlsx",
            )
        return upload
