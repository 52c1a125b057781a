#!/usr/bin/env python3
"""oci-layout.py ROOTFS OUT KIND - write a small OCI image layout by hand,
for what Docker's vfs driver never produces: an opaque directory
(.wh..wh..opq), gzip and zstd layers, and hostile layers.

The base layer is dash (as /bin/sh) with the libraries it needs, taken from
ROOTFS (the tests' Debian root). KIND:
  good   base, then a gzip layer (files, a symlink), then a zstd layer with
         `.wh.keep` (file whiteout), `d/.wh..wh..opq` (opaque dir) and new files;
         tagged "v1" in index.json (org.opencontainers.image.ref.name)
  dotdot a layer with an entry "../escape-DOTDOT"
  link   a layer with a symlink "evil" -> /tmp, then "evil/escape-LINK"
  layers N
         base, then N layers of one file each (l0, l1, ...)
  repeat base, then a layer A (file f, d/x), a layer that whites f out and
         makes d opaque with d/y, then A again (the same digest twice)
  long   a layer with a file whose path is 4400 bytes long (400 directories)
  config CONFIG
         the base layer alone, with CONFIG (JSON text, written as given: keys
         in any case, duplicates) as the image config's "config"
  hardlink-data VICTIM
         a layer with a symlink "s" -> VICTIM, then a pax hard link "h" -> "s"
         that carries data, mode 06777 (libarchive chmods through the link)
  xattrs N
         a layer with a file "x" carrying N user.* xattrs and a directory "etc"
         carrying trusted.overlay.opaque (which would hide the base's /etc)
  xz-bzip2
         base, then an xz layer (etc/a) and a bzip2 layer (etc/b): the other
         two compressions docker load reads (pkg/archive DecompressStream)
  gzip3  base, then a layer (file f) compressed with gzip three times over
  implied
         base, then a layer naming only files (usr/local/bin/tool), no
         directory entries, and a symlink "lnk" -> /tmp with "lnk/sub/f"
         under it: directories the layer implies
  lrzip  a layer blob in lrzip's format (its magic, then garbage), which
         libarchive hands to an lrzip program found in $PATH
Layer digests are the sha256 of the blobs, diff_ids those of the tars
(image-spec config.md).
"""
import bz2
import gzip
import hashlib
import io
import json
import lzma
import os
import subprocess
import sys
import tarfile


def tar_bytes(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for e in entries:
            kind, name = e[0], e[1]
            info = tarfile.TarInfo(name)
            info.mtime = 1700000000
            if kind == "dir":
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                t.addfile(info)
            elif kind == "file":
                data = e[2]
                info.size, info.mode = len(data), e[3] if len(e) > 3 else 0o644
                t.addfile(info, io.BytesIO(data))
            elif kind == "xattr-dir":
                info.type, info.mode, info.pax_headers = tarfile.DIRTYPE, 0o755, e[2]
                t.addfile(info)
            elif kind == "xattr-file":
                info.size, info.pax_headers = 1, e[2]
                t.addfile(info, io.BytesIO(b"x"))
            elif kind == "link":
                info.type, info.linkname = tarfile.SYMTYPE, e[2]
                t.addfile(info)
            elif kind == "hardlink-data":
                # tarfile writes no data for a hard link: written as a
                # file with a pax record, then its header block patched
                # into a hard link (type '1', linkname, checksum).
                data = e[3]
                info.size, info.mode, info.pax_headers = len(data), 0o6777, {"comment": "x"}
                t.addfile(info, io.BytesIO(data))
                view = buf.getbuffer()
                at = len(view) - 512 * ((len(data) + 511) // 512) - 512
                blk = bytearray(view[at:at + 512])
                blk[156:157] = b"1"
                blk[157:257] = e[2].encode().ljust(100, b"\0")
                blk[148:156] = b" " * 8
                blk[148:156] = b"%06o\0 " % sum(blk)
                view[at:at + 512] = bytes(blk)
                del view
    return buf.getvalue()


def base_layer(rootfs):
    def read(p):
        with open(os.path.join(rootfs, p.lstrip("/")), "rb") as f:
            return f.read()
    libs = ["lib/x86_64-linux-gnu/libc.so.6", "lib64/ld-linux-x86-64.so.2"]
    entries = [("dir", "bin"), ("dir", "lib"), ("dir", "lib/x86_64-linux-gnu"), ("dir", "lib64"),
               ("dir", "etc"), ("dir", "tmp"), ("dir", "proc"), ("dir", "sys"), ("dir", "dev"),
               ("file", "bin/sh", read("usr/bin/dash"), 0o755)]
    for lib in libs:
        real = os.path.realpath(os.path.join(rootfs, "usr", lib)) if not os.path.exists(
            os.path.join(rootfs, lib)) else os.path.join(rootfs, lib)
        with open(real, "rb") as f:
            entries.append(("file", lib, f.read(), 0o755))
    entries.append(("file", "etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n"))
    entries.append(("file", "etc/group", b"root:x:0:\n"))
    return tar_bytes(entries)


def write_layout(out, layers, tag, config_raw=None):
    os.makedirs(os.path.join(out, "blobs", "sha256"), exist_ok=True)

    def blob(data):
        d = hashlib.sha256(data).hexdigest()
        with open(os.path.join(out, "blobs", "sha256", d), "wb") as f:
            f.write(data)
        return "sha256:" + d, len(data)

    descs, diff_ids = [], []
    for raw, comp in layers:
        diff_ids.append("sha256:" + hashlib.sha256(raw).hexdigest())
        if comp == "gzip":
            data, mt = gzip.compress(raw, mtime=0), "application/vnd.oci.image.layer.v1.tar+gzip"
        elif comp == "zstd":
            data = subprocess.run(["zstd", "-q", "-c"], input=raw, stdout=subprocess.PIPE, check=True).stdout
            mt = "application/vnd.oci.image.layer.v1.tar+zstd"
        elif comp == "xz":
            data, mt = lzma.compress(raw), "application/vnd.oci.image.layer.v1.tar"
        elif comp == "bzip2":
            data, mt = bz2.compress(raw), "application/vnd.oci.image.layer.v1.tar"
        elif comp == "gzip3":
            data = gzip.compress(gzip.compress(gzip.compress(raw, mtime=0), mtime=0), mtime=0)
            mt = "application/vnd.oci.image.layer.v1.tar+gzip"
        elif comp == "lrzip":
            data, mt = b"LRZI\x00\x06" + bytes(64) + raw, "application/vnd.oci.image.layer.v1.tar"
        else:
            data, mt = raw, "application/vnd.oci.image.layer.v1.tar"
        d, n = blob(data)
        descs.append({"mediaType": mt, "digest": d, "size": n})
    config = {"architecture": "amd64", "os": "linux",
              "config": {"Env": ["PATH=/bin", "FROM_IMAGE=yes"], "Cmd": ["/bin/sh", "-c", "echo default-cmd"],
                         "WorkingDir": "/work/dir"},
              "rootfs": {"type": "layers", "diff_ids": diff_ids}}
    text = json.dumps(config)
    if config_raw is not None:
        config["config"] = "@CONFIG@"
        text = json.dumps(config).replace('"@CONFIG@"', config_raw)
    cd, cn = blob(text.encode())
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cn},
                "layers": descs}
    md, mn = blob(json.dumps(manifest).encode())
    index = {"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": mn,
         "annotations": {"org.opencontainers.image.ref.name": tag}}]}
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump(index, f)
    with open(os.path.join(out, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)


def main():
    rootfs, out, kind = sys.argv[1:4]
    base = base_layer(rootfs)
    if kind == "good":
        l2 = tar_bytes([("file", "keep", b"keep\n"), ("dir", "d"), ("file", "d/x", b"x\n"),
                        ("file", "d/y", b"y\n"), ("dir", "d/sub"), ("file", "d/sub/s", b"s\n"),
                        ("file", "etc/a", b"from-layer-2\n"), ("link", "etc/alink", "a")])
        l3 = tar_bytes([("file", ".wh.keep", b""), ("dir", "d"), ("file", "d/.wh..wh..opq", b""),
                        ("file", "d/z", b"z\n"), ("file", "etc/b", b"from-layer-3\n")])
        write_layout(out, [(base, None), (l2, "gzip"), (l3, "zstd")], "v1")
    elif kind == "dotdot":
        write_layout(out, [(base, None), (tar_bytes([("file", "../escape-DOTDOT", b"x")]), None)], "v1")
    elif kind == "link":
        bad = tar_bytes([("link", "evil", "/tmp"), ("file", "evil/escape-LINK", b"x")])
        write_layout(out, [(base, None), (bad, None)], "v1")
    elif kind == "layers":
        write_layout(out, [(base, None)] + [(tar_bytes([("file", "l%d" % i, b"x")]), None)
                                            for i in range(int(sys.argv[4]))], "v1")
    elif kind == "repeat":
        a = tar_bytes([("file", "f", b"A\n"), ("dir", "d"), ("file", "d/x", b"x\n")])
        b = tar_bytes([("file", ".wh.f", b""), ("dir", "d"), ("file", "d/.wh..wh..opq", b""),
                       ("file", "d/y", b"y\n")])
        write_layout(out, [(base, None), (a, None), (b, None), (a, None)], "v1")
    elif kind == "long":
        write_layout(out, [(base, None), (tar_bytes([("file", "abcdefghij/" * 400 + "f", b"x")]), None)], "v1")
    elif kind == "config":
        write_layout(out, [(base, None)], "v1", sys.argv[4])
    elif kind == "hardlink-data":
        bad = tar_bytes([("link", "s", sys.argv[4]), ("hardlink-data", "h", "s", b"data\n")])
        write_layout(out, [(base, None), (bad, None)], "v1")
    elif kind == "xattrs":
        many = {"SCHILY.xattr.user.a%d" % i: "v" for i in range(int(sys.argv[4]))}
        layer = tar_bytes([("xattr-dir", "etc", {"SCHILY.xattr.trusted.overlay.opaque": "y"}),
                           ("xattr-file", "x", many)])
        write_layout(out, [(base, None), (layer, None)], "v1")
    elif kind == "xz-bzip2":
        write_layout(out, [(base, None), (tar_bytes([("file", "etc/a", b"xz\n")]), "xz"),
                           (tar_bytes([("file", "etc/b", b"bzip2\n")]), "bzip2")], "v1")
    elif kind == "gzip3":
        write_layout(out, [(base, None), (tar_bytes([("file", "f", b"f\n")]), "gzip3")], "v1")
    elif kind == "implied":
        write_layout(out, [(base, None), (tar_bytes([("file", "usr/local/bin/tool", b"t\n", 0o755),
                                                     ("link", "lnk", "/tmp"),
                                                     ("file", "lnk/sub/f", b"f\n")]), None)], "v1")
    elif kind == "lrzip":
        write_layout(out, [(base, None), (tar_bytes([("file", "f", b"f\n")]), "lrzip")], "v1")


main()
