from django.shortcuts import render


def dashboard(request):
    return render(request, "territory/dashboard.html", {"title": "Tableau de bord"})
