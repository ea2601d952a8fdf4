"""Regenerates bot/sandbox/slack/slack_spec_params.json: each Web API method's parameter names
from Slack's OpenAPI spec, which the Slack stand-in uses to refuse calls Slack would refuse.

The spec is not shipped (it is large); this compact list is, so the check works wherever the
package is installed. Run it after updating the spec:

    python bench/slack_spec_params.py /work/shared/slack-api/slack_web_openapi_v2.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

TARGET = Path(__file__).resolve().parent.parent / "bot/sandbox/slack/slack_spec_params.json"
SOURCE = (
    "slackapi/slack-api-specs web-api/slack_web_openapi_v2_without_examples.json (Oct 2020 spec); "
    "parameter names per Web API method"
)


def parameters_by_method(spec: dict[str, Any]) -> dict[str, list[str]]:
    methods: dict[str, list[str]] = {}
    for path, operations in spec["paths"].items():
        names = {
            str(parameter["name"])
            for operation in operations.values()
            for parameter in operation.get("parameters", [])
        }
        methods[path.lstrip("/")] = sorted(names)
    return dict(sorted(methods.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", type=Path, help="slack_web_openapi_v2.json")
    parser.add_argument("--output", type=Path, default=TARGET)
    args = parser.parse_args()
    spec = json.loads(args.spec.read_text(encoding="utf-8"))
    compact = {"_source": SOURCE, "methods": parameters_by_method(spec)}
    args.output.write_text(json.dumps(compact, indent=0), encoding="utf-8")


if __name__ == "__main__":
    main()
