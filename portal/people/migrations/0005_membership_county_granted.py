"""Record whether a role was granted by a county administrator (or an operator's command).

Existing memberships are marked from their "started" event: granted by no one (a command), by
a superuser, or by someone who is a county administrator now."""

from django.db import migrations, models


def mark_existing(apps, schema_editor):
    Membership = apps.get_model("people", "Membership")
    MembershipEvent = apps.get_model("people", "MembershipEvent")
    county_admin_ids = set(
        Membership.objects.filter(
            ended_at__isnull=True,
            role="administrator",
            office__kind="department",
            office__region__level="county",
            office__region__parent__isnull=True,
            office__region__code__endswith="000000",
        ).values_list("user_id", flat=True)
    )
    trusted = []
    for membership_id, actor_id, actor_is_superuser in MembershipEvent.objects.filter(
        kind="started"
    ).values_list("membership_id", "actor_id", "actor__is_superuser"):
        if actor_id is None or actor_is_superuser or actor_id in county_admin_ids:
            trusted.append(membership_id)
    Membership.objects.filter(pk__in=trusted).update(county_granted=True)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0004_contactchange"),
    ]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="county_granted",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="Granted by a county administrator or by an operator's command.",
                verbose_name="granted by a county administrator",
            ),
        ),
        migrations.RunPython(mark_existing, migrations.RunPython.noop),
    ]
