"""The API's docs page: the OpenAPI document of /api/v1/ as a plain server-rendered page (every
endpoint, its parameters, its answers and errors), readable offline and without JavaScript.
The machine-readable document itself is /api/v1/openapi.json."""

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from .v1 import api

METHODS = ("get", "post", "put", "patch", "delete")


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _schema_name(schema: dict | None) -> str:
    if not schema:
        return ""
    if "$ref" in schema:
        return _ref_name(schema["$ref"])
    if schema.get("type") == "array":
        return f"[{_schema_name(schema.get('items'))}]"
    if "anyOf" in schema:
        return " | ".join(_schema_name(part) for part in schema["anyOf"])
    return str(schema.get("type", "object"))


def endpoints_of(document: dict) -> list[dict]:
    """The document's operations, in the order of their paths, ready for the page."""
    rows = []
    for url, operations in document.get("paths", {}).items():
        for method in METHODS:
            operation = operations.get(method)
            if operation is None:
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            rows.append(
                {
                    "method": method.upper(),
                    "path": url,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "key": bool(operation.get("security")),
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": p["in"],
                            "required": p.get("required", False),
                            "type": _schema_name(p.get("schema")),
                            "description": p.get("description", "")
                            or p.get("schema", {}).get("description", ""),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "body": _schema_name(body.get("schema")),
                    "responses": [
                        {
                            "status": status,
                            "schema": _schema_name(
                                answer.get("content", {}).get("application/json", {}).get("schema")
                            ),
                        }
                        for status, answer in operation.get("responses", {}).items()
                    ],
                }
            )
    return rows


def schemas_of(document: dict) -> list[dict]:
    rows = []
    for name, schema in sorted(document.get("components", {}).get("schemas", {}).items()):
        required = set(schema.get("required", []))
        rows.append(
            {
                "name": name,
                "fields": [
                    {
                        "name": field,
                        "type": _schema_name(spec),
                        "required": field in required,
                        "description": spec.get("description", ""),
                    }
                    for field, spec in schema.get("properties", {}).items()
                ],
            }
        )
    return rows


@require_safe
def docs(request):
    document = api.get_openapi_schema(path_prefix=reverse("api-v1:api-root"))
    context = {
        "document": document,
        "endpoints": endpoints_of(document),
        "schemas": schemas_of(document),
        "openapi_url": reverse("api-v1:openapi-json"),
    }
    return render(request, "api/docs.html", context)
