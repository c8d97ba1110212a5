"""allauth's adapter for the portal: the security records of core.security_log, and the site's identity from the
settings. Without the Sites framework allauth names the site after the request's host (its greeting named
127.0.0.1:8121) and builds every link in its e-mails from it; here the name is SITE_NAME and links are BASE_URL."""

from django.utils.html import strip_tags

from core import site
from core.mail import queue_mail
from core.security_log import AccountAdapter as SecurityLogAdapter


class AccountAdapter(SecurityLogAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        context = {
            key: site.rebase_url(value) if key.endswith("_url") and isinstance(value, str) else value
            for key, value in context.items()
        }
        context["current_site"] = site.current_site()
        context["site_name"] = site.current_site().name
        context["site_url"] = site.absolute_url("/")
        # Rendered now (allauth's templates and links), sent by a worker after the commit (core/mail.py).
        message = self.render_mail(template_prefix, email, context)
        body, alternatives = message.body, getattr(message, "alternatives", [])
        html = next((content for content, mimetype in alternatives if mimetype == "text/html"), "")
        if message.content_subtype == "html":  # an HTML template only
            body, html = strip_tags(body), body
        queue_mail(
            message.subject,
            body,
            message.to,
            from_email=message.from_email,
            headers=message.extra_headers,
            html_message=html,
        )

    def format_email_subject(self, subject: str) -> str:
        return f"[{site.current_site().name}] {subject}"
