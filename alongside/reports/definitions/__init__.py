"""One module per report; each registers its build function (registry.register)."""
