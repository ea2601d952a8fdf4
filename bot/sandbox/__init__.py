"""`python -m bot sandbox`: the real bot against a built-in Slack stand-in, with a web page."""
