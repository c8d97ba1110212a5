from django.shortcuts import render


def index(request):
    """Placeholder until the trainings issue lands."""
    return render(request, "placeholder.html", {"title": "Szkolenia"})
