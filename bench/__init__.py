"""The benchmark (`make bench`): cold start, AWS requests, state transitions, cost per million
orders, query cost and local throughput, measured side by side in one run."""
