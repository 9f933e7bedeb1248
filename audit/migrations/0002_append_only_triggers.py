"""Make the audit tables append-only in the database itself (see audit/immutability.py)."""

from django.db import migrations

from audit import immutability


def forwards(apps, schema_editor):
    for statement in immutability.install_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor):
    for statement in immutability.uninstall_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


def create_chain_head(apps, schema_editor):
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    AuditChainHead.objects.using(schema_editor.connection.alias).get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.RunPython(create_chain_head, migrations.RunPython.noop),
    ]
