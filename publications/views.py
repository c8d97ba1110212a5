from django.shortcuts import render


def index(request):
    """Placeholder until the library issue lands."""
    return render(request, "placeholder.html", {"title": "Biblioteka publikacji"})
