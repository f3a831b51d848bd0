"""Draw the demo's signature image (blue) and seal image (red), PNG with transparency.

They stand in for a scan an office makes of its signer's signature and its seal; the seal PNG says
its actual size (36 mm across) in its pHYs chunk. Run: `.venv/bin/python examples/images/make_images.py`.
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
FONT = HERE.parents[1] / "documents" / "fonts" / "LiberationSerif-Bold.ttf"
BLUE, RED = (20, 40, 170, 255), (210, 25, 30, 255)
SEAL_MM, DPI = 36, 300


def signature() -> Image.Image:
    """A handwritten-looking flourish: two loops and an underline stroke."""
    image = Image.new("RGBA", (600, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    points = [
        (40 + t * 4.6, 130 - 70 * math.sin(t / 9) * math.exp(-t / 160) + 20 * math.sin(t / 3))
        for t in range(0, 110)
    ]
    draw.line(points, fill=BLUE, width=7, joint="curve")
    draw.line([(90, 190), (300, 170), (560, 150)], fill=BLUE, width=6, joint="curve")
    draw.ellipse((330, 60, 430, 150), outline=BLUE, width=6)
    return image


def seal() -> Image.Image:
    """A round seal: two rings, the body's name around, a star in the middle."""
    side = round(SEAL_MM / 25.4 * DPI)
    image = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((4, 4, side - 4, side - 4), outline=RED, width=14)
    draw.ellipse((90, 90, side - 90, side - 90), outline=RED, width=6)
    font = ImageFont.truetype(str(FONT), 38)
    text = "ĐẢNG ỦY XÃ HÀM LIÊM * LÂM ĐỒNG * "
    for i, char in enumerate(text):
        angle = -math.pi / 2 + 2 * math.pi * i / len(text)
        x, y = side / 2 + (side / 2 - 55) * math.cos(angle), side / 2 + (side / 2 - 55) * math.sin(angle)
        glyph = Image.new("RGBA", (60, 60), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((30, 30), char, font=font, fill=RED, anchor="mm")
        glyph = glyph.rotate(-math.degrees(angle) - 90, resample=Image.Resampling.BICUBIC)
        image.alpha_composite(glyph, (round(x - 30), round(y - 30)))
    c, r = side / 2, 70
    star = [
        (
            c + (r if k % 2 == 0 else r * 0.4) * math.cos(-math.pi / 2 + k * math.pi / 5),
            c + (r if k % 2 == 0 else r * 0.4) * math.sin(-math.pi / 2 + k * math.pi / 5),
        )
        for k in range(10)
    ]
    draw.polygon(star, fill=RED)
    return image


if __name__ == "__main__":
    signature().save(HERE / "chu-ky-pbt.png", optimize=True)
    seal().save(HERE / "dau-hamliem.png", optimize=True, dpi=(DPI, DPI))
