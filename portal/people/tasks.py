"""Mail sent for accounts (reset links, contact-change confirmations and notices) leaves from a
background worker, not from the request: the page answers in the same time whether or not an
account matched and a mail went out, and a slow mail relay holds up no one."""

from django.core.mail import send_mail
from django_tasks import task


@task()
def account_mail_send(*, subject: str, body: str, address: str) -> None:
    """One plain-text mail; a failure is the task's, retried or seen in the task list."""
    send_mail(subject, body, None, [address])


def account_mail_enqueue(*, subject: str, body: str, address: str) -> None:
    """Queue the mail once the caller's transaction commits (nothing if it rolls back)."""
    from django.db import transaction

    subject, body = str(subject), str(body)
    transaction.on_commit(lambda: account_mail_send.enqueue(subject=subject, body=body, address=address))
