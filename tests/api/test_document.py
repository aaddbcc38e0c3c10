"""The OpenAPI document and the docs page: generated from the code, readable without
JavaScript, listing every endpoint."""

from django.utils import timezone

from api.models import CatalogueChange
from api.v1 import api


def test_the_document_is_served_and_names_every_endpoint(db, call):
    response = call.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        "/api/v1/catalogue/items",
        "/api/v1/catalogue/items/{item_code}",
        "/api/v1/catalogue/changes",
        "/api/v1/applications/{number}/status",
        "/api/v1/ratings",
        "/api/v1/ratings/{rating_id}",
    }
    status = document["paths"]["/api/v1/applications/{number}/status"]
    assert status["get"]["security"] and "security" not in status["post"]
    assert all(
        document["paths"][path]["get"]["security"]
        for path in ("/api/v1/ratings", "/api/v1/ratings/{rating_id}")
    )
    for operations in document["paths"].values():
        for operation in operations.values():
            assert {"401", "404", "422", "429"} <= set(operation["responses"]), operation["operationId"]


def test_the_docs_page_lists_the_endpoints_without_scripts(db, call):
    response = call.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    for url in api.get_openapi_schema(path_prefix="/api/v1/")["paths"]:
        assert url in page
    assert "swagger" not in page.lower() and "cdn" not in page.lower()
    assert "ApplicationStatus" in page and "message_en" in page


def test_the_changes_list_costs_the_same_queries_for_any_number_of_changes(
    db, call, django_assert_max_num_queries
):

    def add(n: int, start: int) -> None:
        CatalogueChange.objects.bulk_create(
            [
                CatalogueChange(
                    item_id=start + i, item_code=f"X-{start + i}", title="x", changed_at=timezone.now()
                )
                for i in range(n)
            ]
        )

    add(2, 1)
    with django_assert_max_num_queries(6) as few:
        call.get("/api/v1/catalogue/changes")
    add(40, 100)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(call.get("/api/v1/catalogue/changes").json()["changes"]) == 42
