"""Every response the tests receive must be one the OpenAPI spec describes.

The spec is the app's own /api/v1/openapi.json. For each response: its status must be
listed for the operation, its media type must be the one documented for that status,
its headers must match the documented ones, and its body must validate against the
documented schema (openapi-schema-validator, with OpenAPI 3.0's rules).
Validators are compiled once per schema, so a check costs about what a JSON Schema
validation costs. A response on a path the spec does not describe (the docs,
/healthz, unknown paths, test-only routes) must still be problem+json when it is an
error.
"""

import json
import re

from flask import Flask
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4
from werkzeug.exceptions import HTTPException

SPEC_URI = "urn:marketplace:openapi"
PROBLEM_MEDIA_TYPE = "application/problem+json"
BINARY = {"type": "string", "format": "binary"}
_FLASK_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


class SpecMismatch(AssertionError):
    """A response the spec does not describe."""


def _pointer(*parts: str) -> str:
    return "/" + "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


class SpecCheck:
    """Checks responses against the spec the app serves."""

    def __init__(self, app: Flask):
        self.spec = app.test_client().get("/api/v1/openapi.json").get_json()
        resource = Resource.from_contents(self.spec, default_specification=DRAFT4)
        self.registry = Registry().with_resource(SPEC_URI, resource)
        self.urls = app.url_map.bind("localhost")
        self.validators: dict[str, OAS30Validator] = {}
        self.problem = self._validator(_pointer("components", "schemas", "Problem"))

    def _validator(self, pointer: str) -> OAS30Validator:
        """The validator of the schema at this place in the spec, made once."""
        if pointer not in self.validators:
            self.validators[pointer] = OAS30Validator(
                {"$ref": f"{SPEC_URI}#{pointer}"},
                registry=self.registry,
                format_checker=OAS30Validator.FORMAT_CHECKER,
            )
        return self.validators[pointer]

    def check(self, response, *, expect_500: bool = False) -> None:
        """Raise SpecMismatch unless the spec describes this response exactly.

        A 500 is never in the spec (it is always a bug); a test that provokes one on
        purpose still needs it to be a problem.
        """
        request = response.request
        method = request.method.lower()
        path = self._documented_path(request.path, request.method)
        operation = self.spec["paths"].get(path, {}).get(method) if path else None
        if operation is None or (expect_500 and response.status_code == 500):
            self._check_undocumented(response)
            return
        where = f"{request.method} {path} -> {response.status_code}"
        documented = operation["responses"].get(str(response.status_code))
        if documented is None:
            raise SpecMismatch(f"{where}: the spec does not list this status")
        documented = self._follow(documented)
        self._check_headers(where, response, documented.get("headers", {}))
        content = documented.get("content")
        body = response.get_data()
        if not content:
            if body:
                raise SpecMismatch(f"{where}: a body where the spec documents none: {body!r}")
            return
        if response.mimetype not in content:
            raise SpecMismatch(
                f"{where}: {response.mimetype!r} but the spec says {sorted(content)}"
            )
        if content[response.mimetype].get("schema") == BINARY:
            return  # bytes of a file: any bytes are such a string
        if not response.mimetype.endswith("json"):
            # A document of its own (CSV): the spec can only say it is text.
            if content[response.mimetype].get("schema", {}).get("type") != "string":
                raise SpecMismatch(f"{where}: {response.mimetype} documented as not text")
            return
        pointer = _pointer(
            "paths",
            path,
            method,
            "responses",
            str(response.status_code),
            "content",
            response.mimetype,
            "schema",
        )
        self._check_body(where, self._validator(pointer), body)

    def _documented_path(self, path: str, method: str) -> str | None:
        try:
            rule, _ = self.urls.match(path, method, return_rule=True)
        except HTTPException:
            return None
        return _FLASK_ARGUMENT.sub(r"{\1}", rule.rule)

    def _check_headers(self, where: str, response, headers: dict) -> None:
        for name, header in headers.items():
            header = self._follow(header)
            value = response.headers.get(name)
            if value is None:
                if header.get("required"):
                    raise SpecMismatch(f"{where}: the required header {name} is missing")
                continue
            schema = header.get("schema", {})
            if schema.get("type") == "integer":
                if not re.fullmatch(r"-?\d+", value):
                    raise SpecMismatch(f"{where}: header {name}={value!r} is not an integer")
                value = int(value)
            errors = list(OAS30Validator(schema).iter_errors(value))
            if errors:
                raise SpecMismatch(f"{where}: header {name}={value!r}: {errors[0].message}")

    def _follow(self, node: dict) -> dict:
        while "$ref" in node:
            target = self.spec
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    def _check_body(self, where: str, validator: OAS30Validator, body: bytes) -> None:
        try:
            document = json.loads(body)
        except ValueError:
            raise SpecMismatch(f"{where}: the body is not JSON: {body[:200]!r}") from None
        error = next(iter(validator.iter_errors(document)), None)
        if error is not None:
            location = "/".join(str(part) for part in error.absolute_path) or "(body)"
            raise SpecMismatch(f"{where}: at {location}: {error.message}")

    def _check_undocumented(self, response) -> None:
        if response.status_code < 400:
            return
        where = f"{response.request.method} {response.request.path} -> {response.status_code}"
        if response.request.path == "/healthz":
            return  # its 503 is the health report itself, as the operations contract says
        if response.mimetype != PROBLEM_MEDIA_TYPE:
            raise SpecMismatch(f"{where}: an error that is not problem+json")
        self._check_body(where, self.problem, response.get_data())
