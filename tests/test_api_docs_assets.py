"""The API documentation page loads Swagger UI from the npm package, not from a CDN."""

from conftest import client_for


def test_api_docs_use_locally_installed_swagger_ui(personas):
    response = client_for(personas.owner).get("/api/docs/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/vendor/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn." not in html.lower()
