"""Store the read-only link's token as a digest: every sandbox gets the link derived from its access
token, and the link it had keeps working (by its digest) until its tokens are rotated."""

from django.db import migrations, models

from cluster.watch_tokens import token_digest, watch_token_for


def hash_watch_tokens(apps, schema_editor):
    Cluster = apps.get_model("cluster", "Cluster")
    for cluster in Cluster.objects.only("pk", "access_token", "watch_token").iterator():
        Cluster.objects.filter(pk=cluster.pk).update(
            watch_token_hash=token_digest(watch_token_for(cluster.access_token)),
            legacy_watch_token_hash=token_digest(cluster.watch_token) if cluster.watch_token else None,
        )


def restore_watch_tokens(apps, schema_editor):
    """Back to a stored token: the derived one (a link from before the digests cannot be recovered)."""
    Cluster = apps.get_model("cluster", "Cluster")
    for cluster in Cluster.objects.only("pk", "access_token").iterator():
        Cluster.objects.filter(pk=cluster.pk).update(watch_token=watch_token_for(cluster.access_token))


class Migration(migrations.Migration):

    dependencies = [
        ("cluster", "0006_classstudent_presence"),
    ]

    operations = [
        migrations.AddField(
            model_name="cluster",
            name="watch_token_hash",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.AddField(
            model_name="cluster",
            name="legacy_watch_token_hash",
            field=models.CharField(blank=True, default=None, editable=False, max_length=64, null=True, unique=True),
        ),
        # Nullable first, so that going back can add the column again before filling it.
        migrations.AlterField(
            model_name="cluster",
            name="watch_token",
            field=models.CharField(default=None, max_length=64, null=True, unique=True),
        ),
        migrations.RunPython(hash_watch_tokens, restore_watch_tokens),
        migrations.AlterField(
            model_name="cluster",
            name="watch_token_hash",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
        migrations.RemoveField(
            model_name="cluster",
            name="watch_token",
        ),
    ]
