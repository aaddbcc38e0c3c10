"""Bad input is a clear JSON error, never a 500."""


def test_a_body_that_is_not_json_is_a_400(db, call):
    response = call.http.post(
        "/api/v1/applications/120115121-261201-001/status", "{not json", content_type="application/json"
    )
    assert response.status_code in (400, 422)
    assert response.json()["code"] in ("bad_request", "invalid")
    assert response.json()["message_en"]


def test_an_unknown_path_under_the_api_is_json_too(db, call):
    for path in ("/api/v1/nothing-here", "/api/v2/", "/api/"):
        response = call.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"


def test_a_wrong_method_is_refused(db, call):
    response = call.http.delete("/api/v1/catalogue/items")
    assert response.status_code == 405
