from local.template import ROOT
from tools.openapi import openapi_json


def test_the_committed_openapi_document_matches_the_code():
    committed = (ROOT / "docs/openapi.json").read_text()
    assert committed == openapi_json(), "run `make openapi` and commit docs/openapi.json"
