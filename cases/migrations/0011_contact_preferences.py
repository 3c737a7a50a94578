# Issue 16 item 3: where a contact point reaches the customer (home, work, mobile),
# which "not at work" / "not at home" statements read.

from django.db import migrations, models

USAGE = [("", "Not known"), ("mobile", "Mobile"), ("home", "Home"), ("work", "Work")]


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_pii_encrypted"),
    ]

    operations = [
        migrations.AddField(
            model_name="contactpoint",
            name="usage",
            field=models.CharField(
                blank=True,
                choices=USAGE,
                db_default="",
                default="",
                max_length=10,
                verbose_name="usage",
            ),
        ),
        migrations.AddField(
            model_name="historicalcontactpoint",
            name="usage",
            field=models.CharField(
                blank=True,
                choices=USAGE,
                db_default="",
                default="",
                max_length=10,
                verbose_name="usage",
            ),
        ),
    ]
