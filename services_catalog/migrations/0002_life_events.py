"""The life events villagers browse by (按主题办事). Names are what the guides print."""

from django.db import migrations

EVENTS = [
    ("birth", "生育"),
    ("school", "上学"),
    ("employment", "就业"),
    ("social-security", "社会保障"),
    ("assistance", "社会救助"),
    ("medical", "医疗"),
    ("elderly", "养老"),
    ("disability", "残疾人"),
    ("housing", "住房建房"),
    ("agriculture", "农业"),
    ("marriage-household", "婚姻户籍"),
    ("other", "其他"),
]


def add_events(apps, schema_editor):
    LifeEvent = apps.get_model("services_catalog", "LifeEvent")
    for order, (slug, name) in enumerate(EVENTS):
        LifeEvent.objects.update_or_create(slug=slug, defaults={"name": name, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("services_catalog", "0001_initial")]

    operations = [migrations.RunPython(add_events, migrations.RunPython.noop)]
