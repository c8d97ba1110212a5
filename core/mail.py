"""The one way the portal sends e-mail. Django's own classes, except that a subject is always one line: text a
user typed (a cooperative's name, a training's title, an inquiry's subject) may hold a line break, and Django
refuses a header with one (BadHeaderError) when the message is sent, typically after the data is saved."""

from django.core import mail as django_mail

from .validators import one_line


class SingleLineSubjectMixin:
    def message(self, *args, **kwargs):
        self.subject = one_line(self.subject)
        return super().message(*args, **kwargs)


class EmailMessage(SingleLineSubjectMixin, django_mail.EmailMessage):
    pass


class EmailMultiAlternatives(SingleLineSubjectMixin, django_mail.EmailMultiAlternatives):
    pass


get_connection = django_mail.get_connection


def send_mail(
    subject,
    message,
    from_email,
    recipient_list,
    *,
    fail_silently=False,
    connection=None,
    html_message=None,
    reply_to=None,
    headers=None,
) -> int:
    """django.core.mail.send_mail, with a one-line subject (and Reply-To and extra headers when given)."""
    connection = connection or get_connection(fail_silently=fail_silently)
    mail = EmailMultiAlternatives(
        subject, message, from_email, recipient_list, connection=connection, reply_to=reply_to, headers=headers
    )
    if html_message:
        mail.attach_alternative(html_message, "text/html")
    return mail.send()
