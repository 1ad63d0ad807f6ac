"""ordersync's shared package (the Lambda layer), in rooms whose imports run one way, bottom up:

core → catalog → config → orders → history → alerts → operations → delivery → callbacks → api

A room imports only the rooms left of it; tests/unit/test_layering.py holds that line.
"""
