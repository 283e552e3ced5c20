"""Checks that YAML 1.1 loaders read each YAML document as its JSON twin.

PyYAML resolves plain scalars by YAML 1.1's rules (timestamps, yes/no/on/off, octal, base 60),
as js-yaml 3, SnakeYAML and Ruby's Psych do. Each argument is a pair YAML=JSON, each side a
file or an http:// URL; the check fails when the loaded YAML is not the JSON document, or
holds a value (a date, say) that JSON cannot write.
"""

import json
import sys
import urllib.request

import yaml


def read(source):
    if source.startswith("http://"):
        with urllib.request.urlopen(source, timeout=30) as response:
            return response.read().decode("utf-8")
    with open(source, encoding="utf-8") as file:
        return file.read()


def main(pairs):
    failed = 0
    for pair in pairs:
        yaml_source, json_source = pair.split("=", 1)
        loaded = yaml.safe_load(read(yaml_source))
        expected = json.loads(read(json_source))
        try:
            written = json.dumps(loaded, sort_keys=True)
        except TypeError as error:
            print(f"FAIL {yaml_source}: JSON cannot hold what PyYAML read: {error}")
            failed += 1
            continue
        if loaded != expected or written != json.dumps(expected, sort_keys=True):
            print(f"FAIL {yaml_source}: PyYAML reads another document than {json_source}")
            failed += 1
        else:
            print(f"ok   {yaml_source} = {json_source} for a YAML 1.1 loader")
    print(f"{len(pairs) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
