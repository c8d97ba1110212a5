from django.shortcuts import render


def index(request):
    """Placeholder until the monitoring issue lands: says plainly that statistics are not published yet."""
    return render(request, "placeholder.html", {"title": "Statystyki i monitoring"})
