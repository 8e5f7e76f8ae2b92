"""The OpenAPI document of the public JSON API, generated from its request schemas
by apispec, so the document cannot drift from what the API accepts."""

from __future__ import annotations

from functools import cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields

from api.schema import (
    AnalyzeRequest,
    BinomialCell,
    BoundariesRequest,
    ContinuousAnalyzeRequest,
    MeanSdCell,
    SampleSizeRequest,
    SumsCell,
)

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1"


class Error(Schema):
    """The body of every refused request."""

    error = fields.String(required=True, metadata={"description": "In plain words."})
    field = fields.String(
        allow_none=True,
        metadata={"description": "The offending path, e.g. variants[1].units."},
    )


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _operation(summary: str, request: dict) -> dict:
    """A POST taking `request` as its JSON body, with the API's answers."""
    error = {"content": {"application/json": {"schema": _ref("Error")}}}
    return {
        "post": {
            "summary": summary,
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": request}},
            },
            "responses": {
                "200": {"description": "The answer, as a JSON object."},
                "400": {"description": "Not JSON, or not a JSON object.", **error},
                "422": {
                    "description": "A field is invalid; `field` names it.",
                    **error,
                },
            },
        }
    }


@cache
def openapi_document() -> dict:
    """The OpenAPI document as a dict (built once: the schemas do not change)."""
    spec = APISpec(
        title="Experiment tracker statistics API",
        version=API_VERSION,
        openapi_version=OPENAPI_VERSION,
        plugins=[MarshmallowPlugin()],
    )
    for schema in (
        BinomialCell,
        MeanSdCell,
        SumsCell,
        Error,
        AnalyzeRequest,
        ContinuousAnalyzeRequest,
        BoundariesRequest,
        SampleSizeRequest,
    ):
        spec.components.schema(schema.__name__, schema=schema)
    analyze = {"oneOf": [_ref("AnalyzeRequest"), _ref("ContinuousAnalyzeRequest")]}
    spec.path(
        "/api/v1/analyze",
        operations=_operation("Analyze an A/B(/n) test", analyze),
    )
    spec.path(
        "/api/v1/boundaries",
        operations=_operation("Group-sequential boundaries", _ref("BoundariesRequest")),
    )
    spec.path(
        "/api/v1/sample-size",
        operations=_operation("Units needed per variant", _ref("SampleSizeRequest")),
    )
    return spec.to_dict()
