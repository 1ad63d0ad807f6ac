"""The HTTP API: request payloads, problem bodies, one router per audience, one error policy."""
