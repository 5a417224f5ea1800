#!/usr/bin/env python3
"""An independent count of DMARC aggregate reports, for checking sitegen's totals.

Written with Python's standard library only (gzip/zlib, zipfile, email, ElementTree), so it
shares no code with sitegen. It applies the counting rules of the README: dedup by
(org_name, report_id) keeping the first copy in path order, month of date_range/begin in UTC,
each record to the configured domain equal to header_from or its nearest parent.

usage: independent_count.py REPORTS_DIR DOMAIN [DOMAIN ...]
prints: {"<domain> <YYYY-MM>": {"messages": n, "dmarc_pass": n, "spf_aligned": n,
         "dkim_aligned": n, "reports": n}, ...}
"""
import email
import io
import json
import os
import re
import sys
import time
import xml.etree.ElementTree as ET
import zipfile
import zlib


def payloads(data, name):
    """Yield (source, xml bytes) for every report inside data."""
    if data[:2] == b"\x1f\x8b" or (len(data) > 1 and data[0] == 0x78 and data[1] in (1, 0x5E, 0x9C, 0xDA)):
        out = b""
        rest = data
        while rest[:2] == b"\x1f\x8b" or not out:
            d = zlib.decompressobj(47)
            try:
                out += d.decompress(rest)
            except zlib.error:
                return
            rest = d.unused_data
            if not rest:
                break
        yield from payloads(out, name)
    elif data[:4] == b"PK\x03\x04":
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            return
        for info in archive.infolist():
            if info.filename.endswith("/") or info.filename.startswith("__MACOSX/") or info.filename.split("/")[-1].startswith("._"):
                continue
            yield from payloads(archive.read(info), name + [info.filename])
    elif looks_like_mail(data):
        message = email.message_from_bytes(data)
        for index, part in enumerate(message.walk()):
            if part.is_multipart() or part.get_content_type() in ("text/plain", "text/html"):
                continue
            body = part.get_payload(decode=True)
            if body:
                yield from payloads(body, name + [part.get_filename() or str(index)])
    else:
        yield name, data


def looks_like_mail(data):
    first = data.split(b"\n", 1)[0]
    return re.match(rb"^(From |[A-Za-z0-9-]+:)", first) is not None and not data.lstrip().startswith(b"<")


def local(tag):
    return tag.rsplit("}", 1)[-1]


def child(element, name):
    for c in element:
        if local(c.tag) == name:
            return c
    return None


def text(element, *path):
    for name in path:
        if element is None:
            return None
        element = child(element, name)
    return None if element is None or element.text is None else element.text.strip()


def parse_tls(data):
    """(identity, begin, [(policy domain, successful, failed)]) of an SMTP TLS report, or None."""
    try:
        report = json.loads(data.lstrip(b"\xef\xbb\xbf"))
        begin = report["date-range"]["start-datetime"]
        start = time.strptime(begin[:19].replace("t", "T").replace(" ", "T"), "%Y-%m-%dT%H:%M:%S")
        identity = (report["organization-name"], str(report["report-id"]))
        policies = []
        for policy in report.get("policies") or []:
            summary = policy.get("summary") or {}
            domain = ((policy.get("policy") or {}).get("policy-domain") or "").strip().lower().rstrip(".")
            policies.append((domain, int(float(summary.get("total-successful-session-count", 0))),
                             int(float(summary.get("total-failure-session-count", 0)))))
        return identity, start, policies
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def parse(data):
    data = data.lstrip(b"\xef\xbb\xbf")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        return None
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        start = data.find(b"<feedback")
        if start <= 0:
            return None
        try:
            root = ET.fromstring(data[start:])
        except ET.ParseError:
            return None
    if local(root.tag) != "feedback":
        return None
    metadata = child(root, "report_metadata")
    report_id = text(metadata, "report_id")
    begin = text(metadata, "date_range", "begin")
    if metadata is None or not report_id or not begin:
        return None
    try:
        begin = int(begin.split(".")[0])
    except ValueError:
        return None
    records = []
    for record in root:
        if local(record.tag) != "record":
            continue
        count = text(record, "row", "count")
        if count is None or not count.isdigit() or int(count) > 10**12:
            return None
        header_from = text(record, "identifiers", "header_from") or text(root, "policy_published", "domain") or ""
        dkim = (text(record, "row", "policy_evaluated", "dkim") or "").lower()
        spf = (text(record, "row", "policy_evaluated", "spf") or "").lower()
        records.append((header_from.lower().rstrip("."), int(count), dkim == "pass", spf == "pass"))
    if not records:
        return None
    return (text(metadata, "org_name") or "", report_id), begin, records


def main():
    folder, domains = sys.argv[1], set(sys.argv[2:])
    sources = []
    for directory, subdirs, files in os.walk(folder):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        for name in files:
            if name.startswith("."):
                continue
            path = os.path.join(directory, name)
            with open(path, "rb") as handle:
                data = handle.read()
            for source, xml in payloads(data, [os.path.relpath(path, folder)]):
                sources.append((source, xml))
    sources.sort(key=lambda item: (item[0][0], "\0".join(item[0][1:])))
    seen = set()
    totals = {}
    seen_tls = set()
    for source, content in sources:
        if not content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
            continue
        parsed = parse_tls(content)
        if parsed is None or parsed[0] in seen_tls:
            continue
        seen_tls.add(parsed[0])
        identity, start, policies = parsed
        # A timestamp with an offset may fall in another UTC month; the corpus's do not.
        month = time.strftime("%Y-%m", start)
        for domain, successful, failed in policies:
            labels = domain.split(".")
            owner = next((".".join(labels[i:]) for i in range(len(labels)) if ".".join(labels[i:]) in domains), None)
            if owner is None:
                continue
            entry = totals.setdefault(f"tls {owner} {month}", {"successful": 0, "failed": 0})
            entry["successful"] += successful
            entry["failed"] += failed
    for source, xml in sources:
        parsed = parse(xml)
        if parsed is None:
            continue
        identity, begin, records = parsed
        if identity in seen:
            continue
        seen.add(identity)
        month = time.strftime("%Y-%m", time.gmtime(begin))
        for header_from, count, dkim, spf in records:
            labels = header_from.split(".")
            owner = next((".".join(labels[i:]) for i in range(len(labels)) if ".".join(labels[i:]) in domains), None)
            if owner is None:
                continue
            entry = totals.setdefault(f"{owner} {month}", {"messages": 0, "dmarc_pass": 0, "spf_aligned": 0, "dkim_aligned": 0, "reports": set()})
            entry["messages"] += count
            entry["dmarc_pass"] += count if (dkim or spf) else 0
            entry["spf_aligned"] += count if spf else 0
            entry["dkim_aligned"] += count if dkim else 0
            entry["reports"].add(identity)
    for entry in totals.values():
        if "reports" in entry:
            entry["reports"] = len(entry["reports"])
    json.dump(totals, sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main()
