from local.template import ROOT
from tools.openapi import openapi_json


def test_the_committed_openapi_document_matches_the_code():
    committed = (ROOT / "docs/openapi.json").read_text()
    assert committed == openapi_json(), "run `make docs` and commit docs/openapi.json"


def test_the_committed_error_code_list_matches_the_catalog():
    from tools.error_codes import error_codes_markdown

    assert (ROOT / "docs/error-codes.md").read_text() == error_codes_markdown(), "run `make docs`"
