"""ordersync: deliver channel order operations to merchant platforms and explain every failure."""
