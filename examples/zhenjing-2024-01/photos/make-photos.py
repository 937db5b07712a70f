#!/usr/bin/env python3
"""Regenerate the sample issue's photographs from Debian wallpaper packages.

All photographs come from these Debian 12 (bookworm) packages:

    lomiri-wallpapers-16.04      20.04.0-2
    lomiri-wallpapers-20.04      20.04.0-2
    mate-backgrounds             1.26.0-1
    plasma-workspace-wallpapers  4:5.27.5-2

Licences and authors of each file are listed in ../CREDITS.md.

Usage (Pillow is the only dependency: ``pip install pillow``):

    mkdir -p /tmp/debs /tmp/pkgroot && cd /tmp/debs
    apt-get download lomiri-wallpapers-16.04=20.04.0-2 \\
        lomiri-wallpapers-20.04=20.04.0-2 mate-backgrounds=1.26.0-1 \\
        plasma-workspace-wallpapers=4:5.27.5-2
    for f in *.deb; do dpkg -x "$f" /tmp/pkgroot; done
    python3 make-photos.py /tmp/pkgroot [OUTPUT_DIR]

OUTPUT_DIR defaults to the folder this script is in.  The script checks the
SHA-256 of every source file first, so a different package version is
reported instead of silently producing different pictures.

Processing for every output: EXIF orientation applied, converted to 8-bit
sRGB (an embedded ICC profile, if any, is converted to sRGB; untagged sources
are taken as sRGB), cropped to the target aspect ratio around a chosen
centre, scaled down with Lanczos to the target width (never up: if a crop is
smaller than the target width it is kept at its own size), and written as a
baseline (non-progressive) JPEG, quality 85, 4:2:0, 300 ppi in the JFIF
header, with no EXIF, XMP or ICC data.
"""

import hashlib
import io
import os
import sys

from PIL import Image, ImageCms, ImageOps

BG = "usr/share/backgrounds/"  # lomiri-wallpapers-16.04 and -20.04
MATE = "usr/share/backgrounds/mate/"
PLASMA = "usr/share/wallpapers/%s/contents/images/2560x1600.jpg"

# output name, source path (relative to the extraction root), sha256 of the
# source, aspect (w, h), target width, crop centre (fx, fy) as fractions of
# the source size, zoom (1.0 = largest crop of that aspect; 1.25 = a crop
# 1/1.25 as large in each direction).
JOBS = [
    # cover: 216 x 303 mm, full-bleed; kept at the crop's own size
    ('cover.jpg', BG + 'Wine_by_Jakkub_Mede.jpg',
     'd2e96e6d4da40dd804b3d0ce295e94de04a2d7d9b6785d42cd9d92ba58bced74',
     (216, 303), None, (0.5, 0.5), 1.0),
    # articles: 3:2, 2400 px wide (>= 2126 px = 300 ppi at 180 mm)
    ('article-01.jpg', PLASMA % 'Grey',
     '88c31d8944b7e6935d1b9a296654c692f0772cb512491713eb30a972a604c0ed',
     (3, 2), 2400, (0.5, 0.5), 1.0),
    ('article-02.jpg', BG + 'free_by_Peter_Nerlich.jpg',
     '85a5453c2fed514c75973016f3d862aca62eb7ca087618822469274ac1092373',
     (3, 2), 2400, (0.5, 0.5), 1.0),
    ('article-03.jpg', BG + 'greentock_by_Peter_Nerlich.jpg',
     'e7b20e2db9dcd6e2b278ca55873c2110b35d89cd38b04d0b18728726888e6889',
     (3, 2), 2400, (0.5, 0.5), 1.0),
    ('article-04.jpg', BG + 'Bridge_by_Sander_Klootwijk.jpg',
     'bd86b081f9975e2b83527f71e49b9271a8ab40885428395969d9f7d834d7f050',
     (3, 2), 2400, (0.5, 0.5), 1.0),
    ('article-05.jpg', BG + 'picosdeeuropa_by_Aitzol_Berasategi.jpg',
     '414d0072b2f6f2c555deafeaef6e45c4fed6fa9ad26eba6560ca8803959cf97a',
     (3, 2), 2400, (0.5, 0.5), 1.0),
    ('article-06.jpg', BG + 'aitzgorri_by_Aitzol_Berasategi.jpg',
     '66268e7b48f8854d36a28765fac6e23ec1aee251daa6da1f64715f201020ad36',
     (3, 2), 2400, (0.5, 0.5), 1.0),
    ('article-07.jpg', BG + 'life_by_Aitzol_Berasategi.jpg',
     '4c119350ead80201fe256850c3d316309ddfb4bdf10b235ce982dcde0c667c05',
     (3, 2), 2400, (0.5, 0.5), 1.0),
    ('article-08.jpg', BG + 'sunset_by_Aitzol_Berasategi.jpg',
     '474dab6a4b9f94dc76c29dfe30e9f5db4af0fd2e33fe5d695f8152b371efca18',
     (3, 2), 2400, (0.5, 0.5), 1.0),
    ('article-09.jpg', BG + 'seeding_by_Clements_Engelhardt.jpg',
     'a5634d1ab5e41a3568e92d4a894a500c92b891f9ff734e50bd224d6e185a605f',
     (3, 2), 2400, (0.5, 0.5), 1.0),
    ('article-10.jpg', BG + 'Kleiber_by_Lukas_Baubkus.jpg',
     '6572410c09f4492c74ccadde133565a14c0161617d5917d4c820c66d65a44ba7',
     (3, 2), 2400, (0.5, 0.5), 1.0),
    ('article-11.jpg', PLASMA % 'EveningGlow',
     '586682dcb362b9f620068f10138f87d0d3649939aef238adc5807cb951976a7a',
     (3, 2), 2400, (0.5, 0.5), 1.0),
    ('article-12.jpg', BG + 'Dragonfly_by_Bolly.jpg',
     'af5af17841009732def24b09bb1e669a1b09d2b4bdeee7812c371101c30d2bb3',
     (3, 2), 2400, (0.5, 0.5), 1.0),
    # gallery: 4:3, at most 1600 px wide (>= 800 px = 300 ppi at 68 mm)
    ('gallery-01.jpg', BG + 'friends_by_Aitzol_Berasategi.jpg',
     'cc40e313c74e421edffe3403def413c16878ce14661cce7ec5915baeab35538d',
     (4, 3), 1600, (0.5, 0.42), 1.0),
    ('gallery-02.jpg', BG + 'Picture_0B_by_freespace.jpg',
     'c8c0ab18e48d9e0419fe42881112137f3afafc27dfddc29ec3a6d54c56d225ad',
     (4, 3), 1600, (0.5, 0.5), 1.0),
    ('gallery-03.jpg', BG + 'Picture_1A_by_freespace.jpg',
     '89e86af38d04daaef975665dc2127e9fa76f0fd68f4eea105a2d0ae3390b010b',
     (4, 3), 1600, (0.5, 0.5), 1.0),
    ('gallery-04.jpg', PLASMA % 'ColorfulCups',
     '6e0f3a72feb5a4a9fec191b77e34874c3c69e2d93040deb3f07773e73385023d',
     (4, 3), 1600, (0.5, 0.5), 1.0),
    ('gallery-05.jpg', PLASMA % 'BytheWater',
     'c272434ef39f2abf1ed48a15a8910088020f3165329a5092f3940ec9464bc05f',
     (4, 3), 1600, (0.5, 0.5), 1.0),
    ('gallery-06.jpg', PLASMA % 'Path',
     '7477457d7f17b736259f1b021864778ad4ba802cf3214e6728181ff29126bba8',
     (4, 3), 1600, (0.5, 0.5), 1.0),
    ('gallery-07.jpg', PLASMA % 'summer_1am',
     'c868b50789591dd42910153c768053f1ba0a98cb36bbfc2b7a96a1045d0477f8',
     (4, 3), 1600, (0.5, 0.5), 1.0),
    ('gallery-08.jpg', PLASMA % 'FallenLeaf',
     '95603a6560c7e8d50e0e03b3f4adbe39c5258c72528e74e4ecaea1daf4e499de',
     (4, 3), 1600, (0.5, 0.5), 1.0),
    ('gallery-09.jpg', PLASMA % 'Kite',
     'bdca288ce296a981e80659c021cf707caddc702c0c8d4247e60bd618476d47f8',
     (4, 3), 1600, (0.5, 0.5), 1.0),
    ('gallery-10.jpg', MATE + 'nature/Storm.jpg',
     '77ca53077831d3237f73393a91fc879158abc046d852941c26e90de336356957',
     (4, 3), 1600, (0.5, 0.5), 1.0),
    ('gallery-11.jpg', MATE + 'nature/Dune.jpg',
     '8a67c2cb0be8c46b70c237311a4fa4d2b4ac7d39568135384787801fa5cc9a91',
     (4, 3), 1600, (0.5, 0.5), 1.0),
    ('gallery-12.jpg', MATE + 'nature/Aqua.jpg',
     '5c30118205982da441bf7e6a1ada636a8a0be879408140b3148280c665ed6bce',
     (4, 3), 1600, (0.5, 0.5), 1.0),
    ('gallery-13.jpg', MATE + 'nature/Wood.jpg',
     '19c78500ac00a622e19907ab9cc7d06d46fe08c4a6142759a84195696150ec07',
     (4, 3), 1600, (0.5, 0.5), 1.0),
    ('gallery-14.jpg', MATE + 'nature/LadyBird.jpg',
     'e35a9a4126ef969c90b29c038058c5a575a20eadd84106a37bf1fa9931e7b61d',
     (4, 3), 1600, (0.5, 0.5), 1.0),
    ('gallery-15.jpg', MATE + 'nature/Garden.jpg',
     'd3095ee09d425ef23d27155412136cf14fc3c9af76ca58b452f55e23da324e78',
     (4, 3), 1600, (0.7, 0.5), 1.0),
    ('gallery-16.jpg', MATE + 'nature/YellowFlower.jpg',
     '254da96256acb7add685679775a04d1e4a5bc8cd13e5a5a3d61351ce198a5306',
     (4, 3), 1600, (0.5, 0.5), 1.0),
    ('gallery-17.jpg', MATE + 'nature/TwoWings.jpg',
     '665e5abf8a5399070a91a9a8e455fe071e5b61697ff78fdeda4e9843ef545aeb',
     (4, 3), 1600, (0.5, 0.5), 1.0),
    ('gallery-18.jpg', MATE + 'nature/RainDrops.jpg',
     '3e4ea9671c28c90a86cf67b3db9daf18c4741587c596333a7529ca589aaa0c16',
     (4, 3), 1600, (0.5, 0.5), 1.0),
    ('gallery-19.jpg', MATE + 'nature/Blinds.jpg',
     'f7aac0dcc2e06d0491643e84df3da1d9db7c4610f58806a880d56e074799f600',
     (4, 3), 1600, (0.5, 0.5), 1.0),
    ('gallery-20.jpg', MATE + 'nature/GreenMeadow.jpg',
     '8fa0de0aa4089f7319c9fb7a6d006d4cab6023e8c8853731557cff53567b4832',
     (4, 3), 1600, (0.5, 0.5), 1.0),
]

SRGB = ImageCms.createProfile("sRGB")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def to_srgb(im):
    icc = im.info.get("icc_profile")
    if icc:
        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if im.mode not in ("RGB", "L"):
            im = im.convert("RGB")
        if im.mode == "L":
            im = im.convert("RGB")
        im = ImageCms.profileToProfile(im, src, SRGB, outputMode="RGB")
    return im.convert("RGB")


def crop_box(size, aspect, centre, zoom):
    w, h = size
    aw, ah = aspect
    # largest crop of the aspect ratio that fits, then zoomed in
    if w * ah > h * aw:
        ch = h
        cw = round(h * aw / ah)
    else:
        cw = w
        ch = round(w * ah / aw)
    cw = round(cw / zoom)
    ch = round(ch / zoom)
    fx, fy = centre
    left = min(max(round(fx * w - cw / 2), 0), w - cw)
    top = min(max(round(fy * h - ch / 2), 0), h - ch)
    return (left, top, left + cw, top + ch)


def make(root, outdir, job):
    name, rel, digest, aspect, width, centre, zoom = job
    src = os.path.join(root, rel)
    im = Image.open(src)
    im.load()
    icc = im.info.get("icc_profile")
    im = ImageOps.exif_transpose(im)
    if icc:
        im.info["icc_profile"] = icc
    im = to_srgb(im)
    box = crop_box(im.size, aspect, centre, zoom)
    im = im.crop(box)
    if width is not None and im.width > width:
        height = round(width * aspect[1] / aspect[0])
        im = im.resize((width, height), Image.LANCZOS)
    out = os.path.join(outdir, name)
    im.save(out, "JPEG", quality=85, optimize=True, progressive=False,
            subsampling="4:2:0", dpi=(300, 300))
    return box, im.size


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    root = sys.argv[1]
    outdir = sys.argv[2] if len(sys.argv) == 3 else os.path.dirname(os.path.abspath(__file__))
    bad = []
    for job in JOBS:
        path = os.path.join(root, job[1])
        if not os.path.isfile(path):
            bad.append("missing: " + job[1])
        elif sha256(path) != job[2]:
            bad.append("sha256 differs: " + job[1])
    if bad:
        sys.exit("\n".join(bad))
    for job in JOBS:
        box, size = make(root, outdir, job)
        print("%-15s %4dx%-4d  crop %s of %s" % (job[0], size[0], size[1], box, job[1]))


if __name__ == "__main__":
    main()
