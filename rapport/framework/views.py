from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    """Landing page: where to sign in, the API and its documentation."""
    return render(request, "home.html")
