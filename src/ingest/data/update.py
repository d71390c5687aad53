#!/usr/bin/env python3
"""Regenerates the ingest data files the server embeds:

- crawlers.txt: the crawler patterns of the npm package `crawler-user-agents`
  (MIT; the version package.json pins, which `make tool-npm` installs), one
  regular expression per line.
- datacenters.txt: the hosting and crawler networks of the PyPI package
  `iporigin` (code MIT; ranges from the providers' published lists), one CIDR
  range per line, without VPNs, CDNs, Tor, addresses that are not global, and
  the providers whose ranges also serve people or lack a published source.

Run from the repository root: `make data`.
"""

import datetime
import ipaddress
import json
import pathlib
import struct
import subprocess
import sys
import tempfile
import zipfile

HERE = pathlib.Path(__file__).parent
MODULES = pathlib.Path("node_modules")
IPORIGIN = "iporigin==1.1.2"
SKIPPED_PROVIDERS = {"Cogent", "Contabo", "Vercel", "Google"}


def version(package: str) -> str:
    return json.loads((MODULES / package / "package.json").read_text())["version"]


def crawlers() -> None:
    package = "crawler-user-agents"
    entries = json.loads((MODULES / package / "crawler-user-agents.json").read_text())
    lines = [
        f"# {package} {version(package)} (MIT licence, npm registry): one pattern per line,",
        "# case-sensitive regular expressions matched anywhere in a user agent.",
        "# Regenerate with `make data`; do not edit by hand.",
    ]
    lines += sorted({entry["pattern"] for entry in entries})
    (HERE / "crawlers.txt").write_text("\n".join(lines) + "\n")


def iporigin_ranges() -> tuple[int, list[str], list[tuple[int, int, int, int]]]:
    """The package's ranges.bin: (built, labels, [(family, start, end, label)])."""
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", folder, IPORIGIN],
            check=True,
        )
        wheel = next(pathlib.Path(folder).glob("*.whl"))
        data = zipfile.ZipFile(wheel).read("iporigin/data/ranges.bin")
    header = "<8sHQHII"
    _, _, built, n_labels, n_v4, n_v6 = struct.unpack_from(header, data, 0)
    at = struct.calcsize(header)
    labels = []
    for _ in range(n_labels):
        (length,) = struct.unpack_from("<H", data, at)
        labels.append(data[at + 2 : at + 2 + length].decode())
        at += 2 + length
    ranges = []
    for _ in range(n_v4):
        start, end, label = struct.unpack_from("<IIH", data, at)
        ranges.append((4, start, end, label))
        at += 10
    for _ in range(n_v6):
        start = int.from_bytes(data[at : at + 16], "big")
        end = int.from_bytes(data[at + 16 : at + 32], "big")
        (label,) = struct.unpack_from("<H", data, at + 32)
        ranges.append((6, start, end, label))
        at += 34
    return built, labels, ranges


def datacenters() -> None:
    built, labels, ranges = iporigin_ranges()
    kept, providers = [], set()
    for family, start, end, label in ranges:
        provider, kind = labels[label].split("\t")
        if kind in ("hosting", "bot") and provider not in SKIPPED_PROVIDERS:
            kept.append((family, start, end))
            providers.add(provider)
    kept.sort()
    merged: list[list[int]] = []
    for family, start, end in kept:
        if merged and merged[-1][0] == family and start <= merged[-1][2] + 1:
            merged[-1][2] = max(merged[-1][2], end)
        else:
            merged.append([family, start, end])
    lines = []
    for family, start, end in merged:
        address = ipaddress.IPv4Address if family == 4 else ipaddress.IPv6Address
        for net in ipaddress.summarize_address_range(address(start), address(end)):
            if net.is_global:
                lines.append(str(net))
    day = datetime.datetime.fromtimestamp(built, datetime.timezone.utc).date()
    header = [
        "# Data-centre and crawler networks, one CIDR range per line: traffic from them that",
        f"# claims to be a browser is dropped. From the PyPI package {IPORIGIN} (data built",
        f"# {day} from the providers' published ranges), kinds hosting and bot, without VPNs,",
        "# CDNs, Tor, addresses that are not global, and providers whose ranges also serve",
        "# people or lack a published source (" + ", ".join(sorted(SKIPPED_PROVIDERS)) + ").",
        "# Providers: " + ", ".join(sorted(providers)) + ".",
        "# Regenerate with `make data`, or point DATACENTER_RANGES at a newer file of the",
        "# same shape to refresh it without a rebuild.",
    ]
    (HERE / "datacenters.txt").write_text("\n".join(header + lines) + "\n")


if __name__ == "__main__":
    crawlers()
    datacenters()
