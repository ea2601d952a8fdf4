"""The async Daily stand-up: parsing, rules, rendering and the service that ties them."""
