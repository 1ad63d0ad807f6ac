"""The local stack hands moto each state machine's definition with its DefinitionSubstitutions
put in, and ASL's own `$$.` paths (the context object) left as they are."""

from local.template_refs import substituted


def test_substitutions_go_in_and_context_paths_stay():
    definition = '{"Resource": "${FnArn}", "Parameters": {"n.$": "$$.State.RetryCount"}}'
    joined = substituted(definition, {"FnArn": {"Fn::GetAtt": ["Fn", "Arn"]}})
    assert joined == {
        "Fn::Join": [
            "",
            [
                '{"Resource": "',
                {"Fn::GetAtt": ["Fn", "Arn"]},
                '", "Parameters": {"n.$": "$$.State.RetryCount"}}',
            ],
        ]
    }
