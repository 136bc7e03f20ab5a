#!/usr/bin/env python3
"""The package index, PyTorch index and NVIDIA page that `cudafit update`'s tests talk to.

It serves recorded answers (tests/update/recorded/, see its README.md) on 127.0.0.1:

  /simple/<project>/              PyPI's simple API: the recorded PEP 691 JSON (trimmed real
                                  pages), or PEP 503 HTML made from it when JSON is not accepted
  /files/<wheel>                  wheels: byte ranges of recorded real wheels (their end and
                                  METADATA member only), or whole synthetic wheels
  /files/<wheel>.metadata         PEP 658 metadata (with the pep658 switch)
  /whl/<variant>/torch/           PyTorch index pages (reconstructed, PEP 503)
  /nvidia/release-notes.html      CUDA release notes (reconstructed Table 3)

Behaviours are switched per request by a path prefix, /s/<switch>[,<switch>...]/..., so one
server serves every scenario; a switch may name the project or file it applies to
(`busy=torch`). Switches:
  pep658        index pages announce PEP 658/714 metadata; /files/X.metadata serves it
  plus216       adds a synthetic torch 2.16.0 (cu132 default), torchvision 0.31.0, CUDA 13.5
  noetag        no ETag / Last-Modified (conditional requests cannot work)
  html          PEP 503 HTML even when JSON is asked for (a mirror)
  wrongtype     Content-Type text/plain
  truncate      a Content-Length larger than the body, then the connection closes
  404           404 for the pages named
  busy          503 with Retry-After: 1, always; busy2: the first 2 requests of each URL only
  ratelimit     429 with Retry-After: 1, the first request of each URL only
  loop          a redirect to itself, for ever
  huge          a 50 MB JSON page
  norange       Range ignored: 200 and the whole file (a recorded wheel's unrecorded bytes
                are zeros), however large
  cdpast        the wheel is a zip whose central directory lies past the file's end
  bigmember     the wheel is a zip whose METADATA claims 4 GB
  slow          every answer waits 5 s
GET /control/<switches> turns switches on for every request that follows (the same URLs then
misbehave); /control/- turns them off.
A request line with an absolute URI (`GET http://pypi.invalid/simple/torch/`) is served the
same way: the server is then a proxy, and the log says so.

Every request is logged, one JSON object a line, to --log: method, path, status, bytes sent,
Range, If-None-Match, proxied.

--record fills the recording from the real PyPI (pages trimmed, wheel bytes in 16 KiB blocks)
for what the client asks that is not recorded yet; see recorded/README.md.
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import re
import sys
import threading
import time
import urllib.parse
import urllib.request
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
BLOCK = 1 << 14
LAST_MODIFIED = "Wed, 02 Dec 2026 10:00:00 GMT"
PEP691 = "application/vnd.pypi.simple.v1+json"
UPSTREAM = "https://pypi.org/simple/"


# ---- Recorded wheels: (offset -> bytes) blocks of real files ----

class Sparse:
    def __init__(self, meta, data):
        self.size = meta["size"]
        self.url = meta["url"]
        self.blocks = {}
        for idx, (off, length) in meta["blocks"].items():
            self.blocks[int(idx)] = data[off:off + length]

    def covered(self, a, b):
        return all(i in self.blocks for i in range(a // BLOCK, b // BLOCK + 1))

    def read(self, a, b):
        out = bytearray()
        for i in range(a // BLOCK, b // BLOCK + 1):
            out += self.blocks.get(i, bytes(min(BLOCK, self.size - i * BLOCK)))
        start = a - (a // BLOCK) * BLOCK
        return bytes(out[start:start + (b - a + 1)])


def save_sparse(path, sparse):
    data = bytearray()
    index = {}
    for i in sorted(sparse.blocks):
        index[str(i)] = (len(data), len(sparse.blocks[i]))
        data += sparse.blocks[i]
    with open(path + ".json", "w") as f:
        json.dump({"url": sparse.url, "size": sparse.size, "blocks": index}, f, indent=0,
                  sort_keys=True)
    with gzip.GzipFile(path + ".bin.gz", "wb", mtime=0) as f:
        f.write(bytes(data))


def load_sparse(path):
    with open(path + ".json") as f:
        meta = json.load(f)
    with gzip.open(path + ".bin.gz", "rb") as f:
        data = f.read()
    return Sparse(meta, data)


# ---- Synthetic wheels (a real zip layout, made here) ----

def wheel_bytes(name, version, metadata, members=(), pad=0):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{name}/__init__.py", "# synthetic wheel for cudafit's tests\n")
        for member, data, method in members:
            z.writestr(zipfile.ZipInfo(member, (2026, 12, 1, 0, 0, 0)), data, compress_type=method)
        if pad:
            # Incompressible bytes (a stored member): the wheel is larger than a metadata read
            # may ever take whole.
            rnd = hashlib.sha256(b"pad").digest()
            blob = bytearray()
            while len(blob) < pad:
                rnd = hashlib.sha256(rnd).digest()
                blob += rnd
            z.writestr(zipfile.ZipInfo(f"{name}/_pad.bin", (2026, 12, 1, 0, 0, 0)), bytes(blob),
                       compress_type=zipfile.ZIP_STORED)
        di = f"{name}-{version}.dist-info"
        z.writestr(f"{di}/METADATA", metadata)
        z.writestr(f"{di}/WHEEL", "Wheel-Version: 1.0\nGenerator: cudafit-tests\nRoot-Is-Purelib: false\n")
        z.writestr(f"{di}/RECORD", "")
    return buf.getvalue()


def hostile_cd_past_end():
    """A zip whose end record puts the central directory past the file's end."""
    good = bytearray(wheel_bytes("torch", "2.16.0", "Metadata-Version: 2.1\nName: torch\nVersion: 2.16.0\n"))
    eocd = good.rfind(b"PK\x05\x06")
    good[eocd + 16:eocd + 20] = (len(good) + 4096).to_bytes(4, "little")
    return bytes(good)


def hostile_big_member():
    """A zip whose METADATA entry claims 4 GB uncompressed."""
    good = bytearray(wheel_bytes("torch", "2.16.0", "Metadata-Version: 2.1\nName: torch\nVersion: 2.16.0\n" * 50))
    pos = 0
    while True:
        pos = good.find(b"PK\x01\x02", pos)
        if pos < 0:
            break
        nlen = int.from_bytes(good[pos + 28:pos + 30], "little")
        name = bytes(good[pos + 46:pos + 46 + nlen])
        if name.endswith(b".dist-info/METADATA"):
            good[pos + 24:pos + 28] = (4_000_000_000).to_bytes(4, "little")
        pos += 4
    return bytes(good)


TORCH_216_METADATA = """Metadata-Version: 2.4
Name: torch
Version: 2.16.0
Summary: SYNTHETIC: a torch release that does not exist, for cudafit's tests
Requires-Python: >=3.11
Requires-Dist: filelock
Requires-Dist: cuda-toolkit[cudart,cufft,cupti,curand,cusolver,cusparse,nvjitlink,nvrtc]==13.2.3; platform_system == "Linux"
Requires-Dist: nvidia-cudnn-cu13==9.27.0.10; platform_system == "Linux"
Requires-Dist: nvidia-nccl-cu13==2.31.4; platform_system == "Linux"
Requires-Dist: triton==3.10.0; platform_system == "Linux"
Requires-Dist: optree>=0.13.0; extra == "optree"

"""

TORCHVISION_031_METADATA = """Metadata-Version: 2.4
Name: torchvision
Version: 0.31.0
Summary: SYNTHETIC
Requires-Python: >=3.11
Requires-Dist: numpy
Requires-Dist: torch==2.16.0

"""

SYNTHETIC_TAGS = ["cp311-cp311", "cp312-cp312", "cp313-cp313", "cp314-cp314", "cp314-cp314t",
                  "cp315-cp315", "cp315-cp315t"]
PLATFORMS = ["manylinux_2_28_x86_64", "manylinux_2_28_aarch64", "win_amd64"]


class Store:
    """Everything the server answers with, loaded once."""

    def __init__(self, root, record):
        self.root = root
        self.record = record
        self.lock = threading.Lock()
        self.sparse = {}
        self.counts = {}
        multi = open(os.path.join(HERE, "..", "binary", "fixtures", "multi.so"), "rb").read()
        torch216 = wheel_bytes("torch", "2.16.0", TORCH_216_METADATA,
                               members=[("torch/lib/libtorch_cuda.so", multi, zipfile.ZIP_DEFLATED)],
                               pad=3 << 20)
        self.synthetic = {}  # filename -> (bytes, metadata, upload time)
        for tag in SYNTHETIC_TAGS:
            for plat in PLATFORMS:
                self.synthetic[f"torch-2.16.0-{tag}-{plat}.whl"] = (torch216, TORCH_216_METADATA)
                if "win" not in plat:
                    self.synthetic[f"torch-2.16.0+cu132-{tag}-{plat}.whl"] = (torch216, TORCH_216_METADATA)
        tv = wheel_bytes("torchvision", "0.31.0", TORCHVISION_031_METADATA)
        for plat in PLATFORMS:
            self.synthetic[f"torchvision-0.31.0-cp312-cp312-{plat}.whl"] = (tv, TORCHVISION_031_METADATA)
        self.hostile = {"cdpast": hostile_cd_past_end(), "bigmember": hostile_big_member()}

    # -- recorded pages --
    def page_path(self, project):
        return os.path.join(self.root, "pypi", project + ".json")

    def project_json(self, project):
        path = self.page_path(project)
        if os.path.exists(path):
            with open(path) as f:
                return json.load(f)
        if not self.record:
            return None
        req = urllib.request.Request(UPSTREAM + project + "/", headers={"Accept": PEP691})
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                doc = json.loads(r.read())
        except urllib.error.HTTPError as e:
            if e.code == 404:
                return None
            raise
        doc = trim_page(project, doc)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            json.dump(doc, f, indent=1, sort_keys=True)
        return doc

    def wheel_upstream(self, filename):
        for name in os.listdir(os.path.join(self.root, "pypi")):
            with open(os.path.join(self.root, "pypi", name)) as f:
                for fl in json.load(f)["files"]:
                    if fl["filename"] == filename:
                        return fl["url"], fl["size"]
        return None, None

    def sparse_file(self, filename):
        with self.lock:
            if filename in self.sparse:
                return self.sparse[filename]
            path = os.path.join(self.root, "files", filename)
            if os.path.exists(path + ".json"):
                self.sparse[filename] = load_sparse(path)
            elif self.record:
                url, size = self.wheel_upstream(filename)
                if url is None:
                    return None
                self.sparse[filename] = Sparse({"url": url, "size": size, "blocks": {}}, b"")
            else:
                return None
            return self.sparse[filename]

    def record_range(self, filename, sp, a, b):
        """Fetches the blocks of [a, b] from the real file (record mode)."""
        need = [i for i in range(a // BLOCK, b // BLOCK + 1) if i not in sp.blocks]
        for i in need:
            lo, hi = i * BLOCK, min(sp.size, (i + 1) * BLOCK) - 1
            req = urllib.request.Request(sp.url, headers={"Range": f"bytes={lo}-{hi}"})
            with urllib.request.urlopen(req, timeout=120) as r:
                sp.blocks[i] = r.read()
        if need:
            os.makedirs(os.path.join(self.root, "files"), exist_ok=True)
            save_sparse(os.path.join(self.root, "files", filename), sp)

    def count(self, key):
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + 1
            return self.counts[key]


def version_key(v):
    parts = re.findall(r"\d+|[a-z]+", v.split("+")[0])
    return tuple((0, int(p)) if p.isdigit() else (-1, p) for p in parts)


# How much of each recorded page is kept (the newest releases; see recorded/README.md).
KEEP = {"torch": "2.10.0", "torchvision": "0.25.0", "torchaudio": "2.10.0"}
KEEP_NEWEST = 6


def trim_page(project, doc):
    versions = sorted({v for v in doc.get("versions", [])}, key=version_key)
    if project in KEEP:
        keep = {v for v in versions if version_key(v) >= version_key(KEEP[project])}
    else:
        keep = set(versions[-KEEP_NEWEST:])

    def version_of(fn):
        m = re.match(r"^[^-]+-([^-]+)-", fn)
        if fn.endswith(".whl") and m:
            return m.group(1)
        m = re.match(r"^.+-([0-9][^-]*)\.(tar\.gz|zip)$", fn)
        return m.group(1) if m else None

    doc["files"] = [f for f in doc["files"] if version_of(f["filename"]) in keep]
    doc["versions"] = sorted(keep, key=version_key)
    return doc


def html_page(project, files):
    out = ["<!DOCTYPE html>", "<html>", "  <head>", '    <meta name="pypi:repository-version" content="1.1">',
           f"    <title>Links for {project}</title>", "  </head>", "  <body>",
           f"    <h1>Links for {project}</h1>"]
    for f in files:
        attrs = ""
        if f.get("requires-python"):
            rp = f["requires-python"].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            attrs += f' data-requires-python="{rp}"'
        if f.get("yanked"):
            attrs += ' data-yanked=""'
        if f.get("core-metadata"):
            attrs += f' data-dist-info-metadata="sha256={f["core-metadata"]["sha256"]}"'
            attrs += f' data-core-metadata="sha256={f["core-metadata"]["sha256"]}"'
        out.append(f'    <a href="{f["url"]}#sha256={f["hashes"].get("sha256", "")}"{attrs}>{f["filename"]}</a><br />')
    out += ["  </body>", "</html>", ""]
    return "\n".join(out)


def synthetic_216(base):
    files = []
    for tag in SYNTHETIC_TAGS:
        for plat in PLATFORMS:
            fn = f"torch-2.16.0-{tag}-{plat}.whl"
            files.append({"filename": fn, "url": f"{base}files/{fn}",
                          "hashes": {"sha256": hashlib.sha256(fn.encode()).hexdigest()},
                          "requires-python": ">=3.11", "size": 0, "yanked": False,
                          "upload-time": "2026-12-02T09:00:00.000000Z"})
    return files


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "cudafit-test-index"

    def log_message(self, fmt, *args):  # the JSON log replaces it
        pass

    def log(self, status, sent):
        entry = {"method": self.command, "path": self.rel, "status": status, "bytes": sent,
                 "range": self.headers.get("Range"), "if_none_match": self.headers.get("If-None-Match"),
                 "proxied": self.proxied}
        with self.server.log_lock:
            with open(self.server.log_path, "a") as f:
                f.write(json.dumps(entry) + "\n")

    def send(self, status, body, ctype="text/plain", headers=None, etag=True):
        store = self.server.store
        headers = dict(headers or {})
        if isinstance(body, str):
            body = body.encode()
        if etag and "noetag" not in self.switches and status == 200:
            tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            headers["ETag"] = tag
            headers["Last-Modified"] = LAST_MODIFIED
            inm = self.headers.get("If-None-Match")
            ims = self.headers.get("If-Modified-Since")
            if (inm and inm == tag) or (not inm and ims == LAST_MODIFIED):
                self.send_response(304)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", "0")
                self.end_headers()
                self.log(304, 0)
                return
        if "wrongtype" in self.switches:
            ctype = "text/plain"
        if "gzip" in (self.headers.get("Accept-Encoding") or "") and status == 200 and \
                ctype != "application/octet-stream" and "huge" not in self.switches:
            body = gzip.compress(body, mtime=0)
            headers["Content-Encoding"] = "gzip"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in headers.items():
            self.send_header(k, v)
        if "truncate" in self.switches and status == 200:
            self.send_header("Content-Length", str(len(body) + 1000))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.log(status, len(body) // 2)
            self.close_connection = True
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.log(status, len(body) if self.command != "HEAD" else 0)
        _ = store

    def applies(self, name, target):
        """Whether switch `name` is on for `target` (a project, a file name)."""
        for s in self.switch_list:
            key, _, arg = s.partition("=")
            if key == name and (not arg or arg == target or (target and target.startswith(arg))):
                return True
        return False

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        self.proxied = self.path.startswith("http://")
        path = urllib.parse.urlsplit(self.path).path if self.proxied else self.path.split("?")[0]
        if path.startswith("/control/"):
            # Switches for every request from now on (the same URLs misbehave): /control/-
            # clears them.
            self.server.global_switches = [s for s in path[len("/control/"):].split(",")
                                           if s and s != "-"]
            self.rel, self.switch_list, self.switches = path, [], set()
            self.send(200, "ok", etag=False)
            return
        self.switch_list, self.switches = list(self.server.global_switches), set()
        m = re.match(r"^/s/([^/]*)(/.*)$", path)
        prefix = "/"
        if m:
            self.switch_list += [s for s in m.group(1).split(",") if s and s != "-"]
            prefix = f"/s/{m.group(1)}/"
            path = m.group(2)
        self.switches = {s.partition("=")[0] for s in self.switch_list}
        self.rel = path
        host = self.headers.get("Host", "127.0.0.1")
        self.base = f"http://{host}{prefix}"
        store = self.server.store
        if "slow" in self.switches:
            time.sleep(5)
        target = path.strip("/").split("/")[1] if path.count("/") >= 2 else ""
        if self.applies("loop", target):
            self.send(302, "", headers={"Location": self.base + path.lstrip("/")}, etag=False)
            return
        if self.applies("busy", target) or (self.applies("busy2", target) and
                                            store.count(("busy2", prefix + path)) <= 2) or \
                (self.applies("ratelimit", target) and store.count(("ratelimit", prefix + path)) <= 1):
            self.send(429 if "ratelimit" in self.switches else 503, "try again",
                      headers={"Retry-After": "1"}, etag=False)
            return
        if self.applies("404", target):
            self.send(404, "not found", etag=False)
            return
        try:
            if path.startswith("/simple/"):
                return self.simple(path.split("/")[2])
            if path.startswith("/files/"):
                return self.file(urllib.parse.unquote(path[len("/files/"):]))
            if path.startswith("/whl/"):
                return self.pytorch(path)
            if path.startswith("/nvidia/"):
                return self.nvidia(path)
        except (BrokenPipeError, ConnectionResetError):
            self.log(0, 0)
            return
        self.send(404, "not found", etag=False)

    def simple(self, project):
        store = self.server.store
        doc = store.project_json(project)
        if doc is None:
            self.send(404, "no such project", etag=False)
            return
        doc = json.loads(json.dumps(doc))
        if "plus216" in self.switches and project == "torch":
            doc["files"] += synthetic_216(self.base)
            doc["versions"] = doc["versions"] + ["2.16.0"]
        if "plus216" in self.switches and project == "torchvision":
            for plat in PLATFORMS:
                fn = f"torchvision-0.31.0-cp312-cp312-{plat}.whl"
                doc["files"].append({"filename": fn, "url": f"{self.base}files/{fn}",
                                     "hashes": {"sha256": hashlib.sha256(fn.encode()).hexdigest()},
                                     "requires-python": ">=3.11", "size": 0, "yanked": False,
                                     "upload-time": "2026-12-02T09:30:00.000000Z"})
            doc["versions"] = doc["versions"] + ["0.31.0"]
        for f in doc["files"]:
            f["url"] = f"{self.base}files/{urllib.parse.quote(f['filename'])}"
            if self.applies("pep658", project) and f["filename"].endswith(".whl"):
                f["core-metadata"] = {"sha256": hashlib.sha256(f["filename"].encode()).hexdigest()}
            if f["filename"] in store.synthetic:
                f["size"] = len(store.synthetic[f["filename"]][0])
            for kind in ("cdpast", "bigmember"):
                if self.applies(kind, f["filename"]):  # the index lists the file it serves
                    f["size"] = len(store.hostile[kind])
        if self.applies("huge", project):
            pad = [{"filename": f"padding-{i}.tar.gz", "url": f"{self.base}files/none", "hashes": {},
                    "requires-python": None, "yanked": False} for i in range(400000)]
            doc["files"] = doc["files"] + pad
        accept = self.headers.get("Accept", "")
        if PEP691 in accept and "html" not in self.switches:
            self.send(200, json.dumps(doc, sort_keys=True), PEP691)
        else:
            self.send(200, html_page(project, doc["files"]), "text/html")

    def file(self, filename):
        store = self.server.store
        if filename.endswith(".metadata"):
            wheel = filename[: -len(".metadata")]
            if not self.applies("pep658", wheel.split("-")[0]):
                self.send(404, "no metadata file", etag=False)
                return
            if wheel in store.synthetic:
                self.send(200, store.synthetic[wheel][1], "application/octet-stream", etag=False)
                return
            meta = os.path.join(store.root, "metadata", wheel + ".METADATA")
            if os.path.exists(meta):
                self.send(200, open(meta, "rb").read(), "application/octet-stream", etag=False)
            else:
                self.send(404, "no metadata file", etag=False)
            return
        for kind in ("cdpast", "bigmember"):
            if self.applies(kind, filename):
                return self.ranged(store.hostile[kind], len(store.hostile[kind]))
        if filename in store.synthetic:
            data = store.synthetic[filename][0]
            return self.ranged(data, len(data))
        sp = store.sparse_file(filename)
        if sp is None:
            self.send(404, "not recorded", etag=False)
            return
        return self.ranged(sp, sp.size)

    def ranged(self, data, size):
        """Serves bytes of `data` (bytes, or a Sparse) honouring one Range, unless norange."""
        rng = self.headers.get("Range")
        read = (lambda a, b: data[a:b + 1]) if isinstance(data, bytes) else data.read
        if rng and "norange" not in self.switches:
            m = re.match(r"^bytes=(\d*)-(\d*)$", rng.strip())
            if not m or (not m.group(1) and not m.group(2)):
                self.send(416, "bad range", etag=False)
                return
            if m.group(1):
                a = int(m.group(1))
                b = min(int(m.group(2)) if m.group(2) else size - 1, size - 1)
            else:
                a, b = max(0, size - int(m.group(2))), size - 1
            if a > b or a >= size:
                self.send(416, "range not satisfiable", headers={"Content-Range": f"bytes */{size}"},
                          etag=False)
                return
            if isinstance(data, Sparse) and not data.covered(a, b):
                if self.server.store.record:
                    self.server.store.record_range(self.rel.split("/")[-1], data, a, b)
                else:
                    self.send(500, f"not recorded: bytes {a}-{b}", etag=False)
                    return
            body = read(a, b)
            self.send_response(206)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Range", f"bytes {a}-{b}/{size}")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Accept-Ranges", "bytes")
            self.end_headers()
            self.wfile.write(body)
            self.log(206, len(body))
            return
        # The whole file, streamed (a client that wants less closes the connection).
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        sent = 0
        try:
            while sent < size and self.command != "HEAD":
                n = min(1 << 20, size - sent)
                self.wfile.write(read(sent, sent + n - 1))
                sent += n
        finally:
            self.log(200, sent)

    def pytorch(self, path):
        root = os.path.join(self.server.store.root, "pytorch")
        if path == "/whl/torch/":  # every variant's wheels on one page
            variant, page = "all", os.path.join(root, "torch", "index.html")
        else:
            m = re.match(r"^/whl/([^/]+)/torch/$", path)
            if not m:
                return self.file(urllib.parse.unquote(path.split("/")[-1]))
            variant = m.group(1)
            page = os.path.join(root, variant, "torch", "index.html")
        if not os.path.exists(page):
            self.send(404, "no such variant", etag=False)
            return
        html = open(page).read()
        if "plus216" in self.switches and variant in ("cu132", "all"):
            links = []
            for tag in SYNTHETIC_TAGS:
                for plat in PLATFORMS[:2]:
                    fn = f"torch-2.16.0+cu132-{tag}-{plat}.whl"
                    href = f"/whl/cu132/{urllib.parse.quote(fn)}"
                    links.append(f'<a href="{href}#sha256={hashlib.sha256(fn.encode()).hexdigest()}"'
                                 f' data-requires-python="&gt;=3.11">{fn}</a><br/>')
            html = html.replace("</body>", "\n".join(links) + "\n</body>")
        self.send(200, html, "text/html")

    def nvidia(self, path):
        page = os.path.join(self.server.store.root, "nvidia", "release-notes.html")
        html = open(page).read()
        if "plus216" in self.switches:
            rows = ("<tr class=\"row-odd\"><td><p>CUDA 13.5 GA</p></td><td><p>&gt;=620.20.01</p></td>"
                    "<td><p>N/A</p></td></tr>\n"
                    "<tr class=\"row-even\"><td><p>CUDA 13.4 Update 2</p></td>"
                    "<td><p>&gt;=615.80.02</p></td><td><p>N/A</p></td></tr>\n")
            at = html.find("<tbody>", html.find("Corresponding Driver Versions"))
            html = html[:at] + "<tbody>\n" + rows + html[at + len("<tbody>"):]
        self.send(200, html, "text/html")


def metadata_of_sparse(sp):
    """The METADATA member of a recorded wheel: its directory entry is in the recorded end, its
    local header and data in the recorded member (zipfile would read the whole directory)."""
    import struct
    import zlib
    for i in sorted(sp.blocks, reverse=True):
        data = sp.read(i * BLOCK, min(sp.size, (i + 4) * BLOCK) - 1)
        pos = data.find(b"PK\x01\x02")
        while pos >= 0:
            if pos + 46 <= len(data):
                method, = struct.unpack("<H", data[pos + 10:pos + 12])
                csize, usize, nlen = struct.unpack("<LLH", data[pos + 20:pos + 30])
                off, = struct.unpack("<L", data[pos + 42:pos + 46])
                name = data[pos + 46:pos + 46 + nlen]
                if name.endswith(b".dist-info/METADATA") and name.count(b"/") == 1:
                    head = sp.read(off, off + 29)
                    fnl, fel = struct.unpack("<HH", head[26:30])
                    raw = sp.read(off + 30 + fnl + fel, off + 30 + fnl + fel + csize - 1)
                    return zlib.decompress(raw, -15) if method == 8 else raw
            pos = data.find(b"PK\x01\x02", pos + 4)
    raise ValueError("no METADATA entry recorded")


def extract_metadata(root):
    """recorded/metadata/<wheel>.METADATA: what a PEP 658 index would serve, out of the recorded
    wheels."""
    out = os.path.join(root, "metadata")
    os.makedirs(out, exist_ok=True)
    for name in sorted(os.listdir(os.path.join(root, "files"))):
        if not name.endswith(".json"):
            continue
        wheel = name[: -len(".json")]
        text = metadata_of_sparse(load_sparse(os.path.join(root, "files", wheel)))
        # The header only (trimmed: the long description after the first blank line is not read).
        text = text.split(b"\n\n", 1)[0] + b"\n\n"
        with open(os.path.join(out, wheel + ".METADATA"), "wb") as f:
            f.write(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=os.path.join(HERE, "recorded"))
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--extract-metadata", action="store_true",
                    help="write recorded/metadata/ from the recorded wheels, and exit")
    ap.add_argument("--log", default=os.devnull)
    ap.add_argument("--record", action="store_true")
    a = ap.parse_args()
    if a.extract_metadata:
        return extract_metadata(a.root)
    server = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    server.daemon_threads = True
    server.store = Store(a.root, a.record)
    server.log_path = a.log
    server.log_lock = threading.Lock()
    server.global_switches = []
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(tmp, a.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
