"""Staff routes of a quote's document (PDF, send): before the generated record screens, whose
``/quotes/<pk>/`` routes would otherwise take them (config/urls.py)."""

from django.urls import path

from rapport.quotes import document_views

app_name = "quotes-document"
urlpatterns = [
    path("quotes/<int:pk>/pdf/", document_views.quote_pdf_download, name="pdf"),
    path("quotes/<int:pk>/send/", document_views.quote_send_screen, name="send"),
]
