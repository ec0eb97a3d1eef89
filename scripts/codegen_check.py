#!/usr/bin/env python3
"""Checks `catalog generate` output with the real tools; exits non-zero with the reason on stderr.

  codegen_check.py graphql FILE               parses and validates the SDL with graphql-core
  codegen_check.py openapi FILE               validates the document with openapi-spec-validator
  codegen_check.py jsonschema FILE ROWS BAD   FILE must be a valid 2020-12 schema; every row in the
                                              JSON array ROWS must validate, every row in BAD must fail
"""
import json
import sys


def graphql_check(path):
    from graphql import build_schema, validate_schema
    schema = build_schema(open(path, encoding="utf-8").read())
    errors = validate_schema(schema)
    if errors:
        sys.exit("\n".join(str(error) for error in errors))


def openapi_check(path):
    import yaml
    from openapi_spec_validator import validate
    validate(yaml.safe_load(open(path, encoding="utf-8")))


def jsonschema_check(path, rows_path, bad_path):
    from jsonschema import Draft202012Validator
    schema = json.load(open(path, encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    for row in json.load(open(rows_path, encoding="utf-8")):
        errors = list(validator.iter_errors(row))
        if errors:
            sys.exit(f"{path}: a real row fails: {row}: {errors[0].message}")
    for row in json.load(open(bad_path, encoding="utf-8")):
        if validator.is_valid(row):
            sys.exit(f"{path}: a row that breaks a rule validates: {row}")


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    {"graphql": graphql_check, "openapi": openapi_check, "jsonschema": jsonschema_check}[command](*arguments)
