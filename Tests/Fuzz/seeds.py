#!/usr/bin/env python3
"""Sorts report files into the fuzzers' seed folders by their content.

    seeds.py OUT MAX_BYTES SOURCE...

Each SOURCE is a folder, read in byte order of its paths; FOLDER@N takes every Nth file only
(the 1st, the N+1th, ...). Files over MAX_BYTES and files below a folder named `bombs` are left
out. Every file goes to OUT/any; a file whose first non-space byte is `<` also to OUT/xml, `{`
to OUT/json; one with a `Content-Type:` line in its first 2 KiB also to OUT/mail. A gzip file is
added, and so is what it inflates to (up to MAX_BYTES, as far as it inflates, and again
when that is gzip too). Seeds are named
by the first 16 hex digits of their SHA-256, so a file found twice is one seed.

One process for the whole corpus: a shell loop of head/tr/sha256sum per file took 90 s in CI.
"""
import hashlib
import os
import sys
import zlib

KINDS = ("xml", "json", "mail", "any")
SPACE = b" \t\r\n"


def first_meaningful_byte(data):
    for byte in data[:512].replace(b"\0", b""):
        if byte not in SPACE:
            return byte
    return None


def has_content_type_line(data):
    return any(line.lower().startswith(b"content-type:") for line in data[:2048].split(b"\n"))


def inflate_gzip(data, limit):
    """What a gzip stream inflates to, up to limit bytes and as far as it is sound."""
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    inflated = b""
    # Fed in small pieces, so a damaged end (a bad checksum) keeps what came before it.
    for start in range(0, len(data), 1024):
        try:
            inflated += inflater.decompress(data[start:start + 1024], limit - len(inflated))
        except zlib.error:
            break
        if len(inflated) >= limit or inflater.eof:
            break
    return inflated


def add_seed(out, data, max_bytes, depth=0):
    if len(data) > max_bytes:
        return
    name = hashlib.sha256(data).hexdigest()[:16]
    kinds = ["any"]
    first = first_meaningful_byte(data)
    if first == ord("<"):
        kinds.append("xml")
    elif first == ord("{"):
        kinds.append("json")
    if has_content_type_line(data):
        kinds.append("mail")
    for kind in kinds:
        with open(os.path.join(out, kind, name), "wb") as seed:
            seed.write(data)
    # Some reporters gzip twice; three levels is the most worth a seed.
    if depth < 3 and data[:2] == b"\x1f\x8b":
        inflated = inflate_gzip(data, max_bytes)
        if inflated:
            add_seed(out, inflated, max_bytes, depth + 1)


def files_of(folder):
    paths = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d != "bombs"]
        paths.extend(os.path.join(root, name) for name in files)
    return sorted(paths, key=os.fsencode)


def main(arguments):
    if len(arguments) < 3:
        sys.exit(__doc__)
    out, max_bytes, sources = arguments[0], int(arguments[1]), arguments[2:]
    for kind in KINDS:
        os.makedirs(os.path.join(out, kind), exist_ok=True)
    for source in sources:
        folder, _, every = source.partition("@")
        for index, path in enumerate(files_of(folder)):
            if every and index % int(every) != 0:
                continue
            if os.path.islink(path) or not os.path.isfile(path) or os.path.getsize(path) > max_bytes:
                continue
            with open(path, "rb") as file:
                add_seed(out, file.read(), max_bytes)
    for kind in KINDS:
        print(f"   {kind}: {len(os.listdir(os.path.join(out, kind)))} seeds")


if __name__ == "__main__":
    main(sys.argv[1:])
