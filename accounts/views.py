"""The panel's API-token page: the signed-in user's tokens, a form for a new one, revocation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import tokens
from .forms import ApiTokenForm
from .models import ApiToken


@never_cache
@login_required
def api_tokens(request):
    """A user's own tokens; the secret of a new one is shown on this response only (it is stored hashed)."""
    secret = None
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = tokens.api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                days=form.cleaned_data["days"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            form = ApiTokenForm()
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "form": form,
            "secret": secret,
            "tokens": request.user.api_tokens.all(),
            "may_hold_tokens": tokens.may_hold_tokens(request.user),
        },
    )


@login_required
@require_POST
def api_token_revoke(request, pk):
    """Only the owner revokes a token (someone else's is a 404)."""
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    tokens.api_token_revoke(token=token)
    messages.success(request, _("Odwołano token „%(name)s”.") % {"name": token.name})
    return redirect("selfservice:api-token")
