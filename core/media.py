"""Public uploads (cooperatives' photos and logos, publication covers) served by the portal itself.

Only the folders listed in settings.PORTAL_PUBLIC_MEDIA_DIRS are served; anything else under MEDIA_ROOT (publication
files, which go through the counting download view) answers 404, and private files live outside MEDIA_ROOT
altogether (settings.PRIVATE_MEDIA_ROOT, checked at start-up by `check_private_media_root`). Uploaded files get
server-made random names and are never rewritten, so responses may be cached for a year (`immutable`).

A deployment may serve the same folders from its web server instead (docs/deployment.md) and set
PORTAL_SERVE_MEDIA=false; the URLs stay the same.
"""

import os
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.http import FileResponse, Http404
from django.utils._os import safe_join
from django.views.decorators.http import require_safe

# Uploads are re-encoded images; nothing else is served from the public folders.
IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}
IMMUTABLE = "public, max-age=31536000, immutable"


@require_safe
def public_media(request, path: str):
    """A file from a public upload folder, with long-lived cache headers; 404 for everything else."""
    if not any(path.startswith(folder.rstrip("/") + "/") for folder in settings.PORTAL_PUBLIC_MEDIA_DIRS):
        raise Http404
    content_type = IMAGE_TYPES.get(os.path.splitext(path)[1].lower())
    if content_type is None:
        raise Http404
    try:
        full_path = Path(safe_join(settings.MEDIA_ROOT, path))
    except Exception:  # SuspiciousFileOperation: the path leaves MEDIA_ROOT
        raise Http404 from None
    if not full_path.is_file():
        raise Http404
    response = FileResponse(full_path.open("rb"), content_type=content_type)
    response["Cache-Control"] = IMMUTABLE
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"  # others may show a cooperative's logo
    return response


def _inside(child: Path, parent: Path) -> bool:
    child, parent = Path(os.path.abspath(child)), Path(os.path.abspath(parent))
    return child == parent or parent in child.parents


@checks.register(checks.Tags.security, deploy=False)
def check_private_media_root(app_configs=None, **kwargs):
    """Private files must never be reachable under the public media root (nor the other way round)."""
    private, public = Path(settings.PRIVATE_MEDIA_ROOT), Path(settings.MEDIA_ROOT)
    if _inside(private, public) or _inside(public, private):
        return [
            checks.Error(
                "PRIVATE_MEDIA_ROOT and MEDIA_ROOT overlap: private documents would be public.",
                hint="Point PRIVATE_MEDIA_ROOT at a directory outside MEDIA_ROOT.",
                id="portal.E001",
            )
        ]
    return []
