"""What every PDF Charter prints shares: the CJK font (WenQuanYi Micro Hei from the Debian package
fonts-wqy-microhei), which has the Chinese glyphs reportlab's standard fonts lack. Certificates (training)
and the monthly service-quality report (reports) register it through `cjk_font`."""

from pathlib import Path

CJK_FONT_PATH = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
CJK_FONT_NAME = "WenQuanYiMicroHei"


def cjk_font(*, path: Path = CJK_FONT_PATH, name: str = CJK_FONT_NAME) -> str:
    """Register the CJK font with reportlab once per process and return its name.

    Raises RuntimeError naming the Debian package when the font file is missing."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if name in pdfmetrics.getRegisteredFontNames():
        return name
    if not path.exists():
        raise RuntimeError(
            f"The PDF font {path} is missing: install the Debian package fonts-wqy-microhei "
            "(apt-get install fonts-wqy-microhei)."
        )
    pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=0))
    return name
