"""The bottom room: settings, AWS clients, the clock, DynamoDB encoding and the update builder,
compression, signing, metrics, PII masking, and the vocabulary every other room shares."""
