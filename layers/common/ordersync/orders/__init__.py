"""Each order's life on the platform as ordersync has seen it, and the rules it imposes."""
