from django.db import migrations, models


def working_days_from_events(apps, schema_editor):
    """Rectifications opened before the field existed: their period is in the opening event."""
    Rectification = apps.get_model("ratings", "Rectification")
    RatingEvent = apps.get_model("ratings", "RatingEvent")
    opened = RatingEvent.objects.filter(act="open_rectification", rectification__isnull=False)
    for rectification_id, data in opened.values_list("rectification_id", "data").iterator():
        days = (data or {}).get("working_days")
        if isinstance(days, int) and days >= 0:
            Rectification.objects.filter(pk=rectification_id, working_days__isnull=True).update(
                working_days=days
            )


class Migration(migrations.Migration):
    dependencies = [
        ("ratings", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="rectification",
            name="working_days",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="working days to answer"
            ),
        ),
        migrations.RunPython(working_days_from_events, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='ratingevent',
            name='act',
            field=models.CharField(choices=[('rate', 'Rated (评价)'), ('change', 'Rating changed (修改评价)'), ('open_rectification', 'Rectification opened (差评整改)'), ('answer', 'Rectification answered (整改反馈)'), ('revisit', 'Revisited (回访)'), ('cancel_rectification', 'Rectification cancelled (整改撤销)'), ('remind_overdue', 'Overdue reminder sent (逾期提醒)'), ('deadline_moved', 'Date moved by the work calendar (期限随日历调整)'), ('appeal', 'Appeal filed (申诉)'), ('uphold', 'Appeal refused, rating upheld (维持差评)'), ('set_aside', 'Appeal granted, rating set aside (撤销差评)')], max_length=24, verbose_name='what happened'),
        ),
    ]
